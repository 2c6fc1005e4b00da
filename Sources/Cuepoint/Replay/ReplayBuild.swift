import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// One export in progress: the steps of ``ReplayExporter``, writing into a staging folder.
struct ReplayBuild {
    let source: ReplaySource
    let staging: ReplayStaging
    let options: ReplayOptions
    let timeline: ReplayTimeline
    let plan: ChapterPlan
    /// The size in bytes of each timeline entry's segment, per rendition (read once).
    let segmentSizes: [[Int64]]
    private var notes: [String]

    init(source: ReplaySource, staging: ReplayStaging, options: ReplayOptions) {
        self.source = source
        self.staging = staging
        self.options = options
        let reference = source.renditions[0].playlist.segments
        let timeline = ReplayTimeline(slots: source.slots, discontinuities: reference.map(\.discontinuity))
        self.timeline = timeline
        let markers = source.markers.map { marker -> PlacedMarker in
            let start = timeline.replayTime(ofRecording: marker.startMilliseconds)
            let end = marker.endMilliseconds.map { timeline.replayTime(ofRecording: $0) }
            return PlacedMarker(marker: marker.marker, startMilliseconds: start, durationMilliseconds: end.map { $0 - start })
        }
        plan = ChapterPlan(
            markers: markers, durationMilliseconds: timeline.durationMilliseconds, mode: options.chapters,
            introTitle: options.introTitle, fillerTitle: options.fillerTitle)
        notes = source.notes + plan.notes
        segmentSizes = source.renditions.map { RenditionReader.segmentSizes(of: $0, entries: timeline.entries) }
    }

    /// The main rendition: the video rendition with the highest bandwidth, else the first.
    var mainRendition: Int {
        let indexed = source.renditions.enumerated()
        return indexed.filter { $0.element.hasVideo }.max { ($0.element.variant?.bandwidth ?? 0) < ($1.element.variant?.bandwidth ?? 0) }?
            .offset ?? 0
    }

    /// File name (without extension) of a product's clip and thumbnail: its id, `:` made `_`.
    static func fileStem(_ id: String) -> String { id.replacingOccurrences(of: ":", with: "_") }

    /// What a failure writing the replay's media says: what failed, and free space only when
    /// space (or the disk) is what ran out. (Every failure used to suggest checking free space,
    /// including a muxer refusing a timestamp.)
    static func mediaFailure(_ error: any Error, recording: String, package: String) -> CuepointError {
        if let storage = error as? StorageError {
            return CuepointError(
                subject: storage.path, message: "cannot \(storage.operation): \(storage.reason)", fix: storage.fix)
        }
        if let ffmpeg = error as? FFmpegError {
            if let errno = ffmpeg.code.posixErrno, [ENOSPC, EDQUOT, EFBIG, EIO].contains(errno) {
                return CuepointError(
                    subject: package,
                    message: "the replay's media could not be written (\(ffmpeg.function): \(ffmpeg.message))",
                    fix: "check free space and the disk of the output directory")
            }
            return CuepointError(
                subject: recording,
                message: "the replay's media could not be made (\(ffmpeg.function): \(ffmpeg.message))",
                fix: "check that the recording's segments are whole (ffprobe them)")
        }
        return CuepointError(subject: recording, message: "the replay's media could not be made: \(error)")
    }

    mutating func run() throws(CuepointError) -> ReplayResult {
        let look = options.shorts ?? ShortOptions()
        if options.shorts != nil || options.reel != nil { try ReplayShorts.checkFont(look) }
        let captions = ReplayCaptions(sources: options.captions, timeline: timeline)
        notes += captions.notes
        var copied = false
        var mediaPlaylists: [MediaPlaylist] = []
        for rendition in source.renditions {
            let (playlist, didCopy) = try packageSegments(rendition)
            copied = copied || didCopy
            mediaPlaylists.append(playlist)
        }
        var media = ReplayMedia(build: self, mediaPlaylists: mediaPlaylists)
        let posterFont = FileManager.default.fileExists(atPath: look.font) ? look.font : nil
        media.posterSetup = ReplayMedia.PosterSetup(font: posterFont)
        if options.posters, posterFont == nil, !plan.products.isEmpty {
            notes.append(
                "the font \(look.font) is missing: the posters have no title or price (install Debian's \(ShortOptions.defaultFontPackage))")
        }
        var shorts = ReplayShorts.Made()
        do {
            try media.run()
            let main = source.renditions[mainRendition]
            let reader = RenditionReader(
                rendition: main, timeline: timeline, container: source.container, segmentSizes: segmentSizes[mainRendition])
            shorts = try ReplayShorts.make(
                build: self, reader: reader, video: media.videoStream, audio: media.audioStream, captions: captions)
        } catch let error as CuepointError {
            throw error
        } catch {
            throw Self.mediaFailure(error, recording: source.directory.path, package: staging.destination.path)
        }
        notes += media.notes
        notes += shorts.notes
        var files = ReplayFiles()
        let subtitleRenditions = try captions.writeRenditions(
            media: mediaPlaylists[mainRendition], origins: media.timestampOrigins, staging: staging)
        files.subtitles = subtitleRenditions.compactMap(\.uri)
        files.captions = try captions.writeSidecars(staging: staging)
        var clipCaptions: [Int: [String: String]] = [:]
        for (index, window) in media.clipWindows {
            guard let clip = media.clips[index] else { continue }
            let stem = String(clip.dropLast(4))
            let excerpts = try captions.writeExcerpts(stem: stem, from: window.start, to: window.end, staging: staging)
            if !excerpts.isEmpty { clipCaptions[index] = excerpts }
        }
        var master = MultivariantPlaylist(independentSegments: true)
        master.sessionData = [SessionData(dataID: "com.apple.hls.chapters", uri: "chapters.json")]
        master.renditions = subtitleRenditions
        for (index, rendition) in source.renditions.enumerated() {
            try staging.write(mediaPlaylists[index].render(), to: "\(rendition.name)/index.m3u8")
            var variant = variant(rendition, playlist: mediaPlaylists[index], sizes: segmentSizes[index])
            if !subtitleRenditions.isEmpty { variant.subtitles = ReplayCaptions.groupID }
            master.variants.append(variant)
            if let iframes = media.iFramePlaylists[index] {
                try staging.write(iframes.playlist.render(), to: "\(rendition.name)/iframes.m3u8")
                var stream = IFrameStream(uri: "\(rendition.name)/iframes.m3u8", bandwidth: iframes.peak)
                stream.averageBandwidth = iframes.average
                let codecs = master.variants.last?.codecs ?? []
                stream.codecs = codecs.filter { $0.hasPrefix("avc") || $0.hasPrefix("hvc") || $0.hasPrefix("hev") }
                stream.resolution = master.variants.last?.resolution
                master.iFrameStreams.append(stream)
            }
        }
        try staging.write(master.render(), to: "master.m3u8")
        if let storyboard = media.storyboard {
            try staging.write(storyboard.document.render(), to: "storyboard.vtt")
            files.storyboard = storyboard.sheets + ["storyboard.vtt"]
        }
        files.shorts = shorts.shorts.keys.sorted().compactMap { shorts.shorts[$0] }
        files.reel = shorts.reel
        files.posters = media.posters.keys.sorted().flatMap { index in media.posters[index].map { $0.values.sorted() } ?? [] }
        let documents = ReplayDocuments(
            build: self, clips: media.clips, thumbnails: media.thumbnails, posters: media.posters, shorts: shorts.shorts,
            clipCaptions: clipCaptions, shortCaptions: shorts.captions)
        try staging.write(documents.chaptersJSON(), to: "chapters.json")
        try staging.write(documents.chaptersVTT(), to: "chapters.vtt")
        try staging.write(documents.productsJSON(), to: "products.json")
        try staging.write(documents.productsVTT(), to: "products.vtt")
        if !options.mp4 {
            notes.append("no replay.mp4 was asked for: the player (index.html) plays the HLS package only, in browsers that play HLS")
        }
        let page = PlayerPage.Configuration(
            title: source.name, language: options.language, hasMP4: options.mp4,
            captions: captions.tracks.compactMap { track in
                files.captions[track.language].map { PlayerPage.Caption(language: track.language, name: track.name, url: $0) }
            },
            storyboard: media.storyboard != nil)
        try staging.write(PlayerPage.html(page), to: "index.html")
        notes = Self.unique(notes)
        try staging.write(documents.manifest(notes: notes, copiedSegments: copied, files: files), to: ReplayStaging.manifestName)
        return ReplayResult(
            directory: staging.destination.path, durationMilliseconds: timeline.durationMilliseconds,
            renditions: source.renditions.map(\.name), chapters: plan.chapters.count, products: plan.products.count,
            clips: media.clips.count, thumbnails: media.thumbnails.count, copiedSegments: copied, notes: notes,
            shorts: files.shorts.count, reel: files.reel != nil, posters: files.posters.count,
            storyboardSheets: media.storyboard?.sheets.count ?? 0, captions: captions.tracks.map(\.language))
    }

    /// `notes` without repeats, in their first order.
    static func unique(_ notes: [String]) -> [String] {
        var seen: Set<String> = []
        return notes.filter { seen.insert($0).inserted }
    }

    /// Links the rendition's kept segments (and init sections) into the package and builds its
    /// VOD playlist: the kept segments, each product a closed date range before the segment
    /// holding its start.
    private func packageSegments(_ rendition: ReplaySource.Rendition) throws(CuepointError) -> (MediaPlaylist, Bool) {
        try staging.createDirectory(rendition.name)
        var copied = false
        var linked: Set<String> = []
        var segments: [MediaSegment] = []
        for entry in timeline.entries {
            var segment = rendition.playlist.segments[entry.index]
            for uri in [segment.uri] + (segment.map.map { [$0.uri] } ?? []) where !linked.contains(uri) {
                linked.insert(uri)
                let didCopy = try staging.link(
                    rendition.directory.appendingPathComponent(uri).path, to: "\(rendition.name)/\(uri)")
                copied = copied || didCopy
            }
            segment.discontinuity = entry.discontinuity
            segment.dateRanges = dateRanges(startingIn: entry, segment: segment)
            segments.append(segment)
        }
        let longest = segments.map(\.durationMilliseconds).max() ?? 0
        let playlist = MediaPlaylist(
            targetDuration: max(
                rendition.playlist.targetDuration, MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: longest)),
            mediaSequence: rendition.playlist.mediaSequence, playlistType: .vod, independentSegments: true,
            endList: true, segments: segments)
        return (playlist, copied)
    }

    /// The closed date ranges of the products that start in `entry` (the last entry also takes
    /// those starting exactly at the end).
    private func dateRanges(startingIn entry: ReplayTimeline.Entry, segment: MediaSegment) -> [DateRange] {
        guard let date = segment.programDateTime else { return [] }
        let isLast = entry == timeline.entries.last
        let origin = WallClockTime(millisecondsSince1970: date.millisecondsSince1970 - entry.replayStartMilliseconds)
        return plan.products.filter { product in
            product.startMilliseconds >= entry.replayStartMilliseconds
                && (product.startMilliseconds < entry.replayEndMilliseconds || isLast)
        }.map { product in
            PlacedMarker(
                marker: product.marker.marker, startMilliseconds: product.startMilliseconds,
                durationMilliseconds: product.durationMilliseconds
            ).dateRange(className: source.markerClass, recordingStart: origin)
        }
    }

    /// The variant of a rendition with BANDWIDTH and AVERAGE-BANDWIDTH measured on the kept segments.
    private func variant(_ rendition: ReplaySource.Rendition, playlist: MediaPlaylist, sizes bytes: [Int64]) -> VariantStream {
        let sizes = zip(bytes, playlist.segments).map { (bytes: $0, durationMilliseconds: $1.durationMilliseconds) }
        var variant = rendition.variant ?? VariantStream(uri: "", bandwidth: 0)
        variant.uri = "\(rendition.name)/index.m3u8"
        variant.bandwidth = BitrateMeasurement.peak(segments: sizes, targetDuration: playlist.targetDuration)
        variant.averageBandwidth = BitrateMeasurement.average(segments: sizes)
        return variant
    }
}
