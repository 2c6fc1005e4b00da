import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// The media part of an export: one read of the main rendition feeding `replay.mp4`, the
/// clips, the thumbnails and its I-frame index; a read of each other video rendition for its
/// I-frame index.
struct ReplayMedia {
    struct IFrames {
        var playlist: MediaPlaylist
        var peak: Int
        var average: Int
    }

    struct Thumbnail {
        var path: String
        var width: Int
        var height: Int
    }

    /// What the posters need beyond the options: the font to write with (nil: none).
    struct PosterSetup {
        var font: String?
    }

    let build: ReplayBuild
    let mediaPlaylists: [MediaPlaylist]
    private(set) var iFramePlaylists: [Int: IFrames] = [:]
    /// Clip file (relative to the package) by product index.
    private(set) var clips: [Int: String] = [:]
    /// Where each clip starts and ends on the replay's timeline (milliseconds), by product index.
    private(set) var clipWindows: [Int: (start: Int64, end: Int64)] = [:]
    /// Thumbnail by product index.
    private(set) var thumbnails: [Int: Thumbnail] = [:]
    /// Posters by product index, then by shape suffix (`16x9`, `9x16`), relative to the package.
    private(set) var posters: [Int: [String: String]] = [:]
    /// The storyboard, when one was made.
    private(set) var storyboard: StoryboardWorker.Result?
    /// For each timeline position, the main rendition's own timestamp at replay time 0 of its
    /// segment's run, in 90 kHz ticks (what subtitle segments' X-TIMESTAMP-MAP needs).
    private(set) var timestampOrigins: [Int64] = []
    /// The main rendition's streams, for the shorts.
    private(set) var videoStream: StreamInfo?
    private(set) var audioStream: StreamInfo?
    private(set) var notes: [String] = []
    /// The posters' font (nil: posters without text).
    var posterSetup = PosterSetup(font: nil)

    init(build: ReplayBuild, mediaPlaylists: [MediaPlaylist]) {
        self.build = build
        self.mediaPlaylists = mediaPlaylists
    }

    private var replayEnd: MediaTime { .milliseconds(build.timeline.durationMilliseconds) }

    mutating func run() throws {
        let source = build.source
        for (position, rendition) in source.renditions.enumerated() {
            if position == build.mainRendition {
                try readMain(position)
            } else if rendition.hasVideo {
                let sizes = build.segmentSizes[position]
                let reader = RenditionReader(
                    rendition: rendition, timeline: build.timeline, container: source.container, segmentSizes: sizes)
                var index = IFrameIndex(container: source.container)
                try reader.read { item in index.record(item, segmentSize: { sizes[$0] }) }
                index.finish(segmentSize: { sizes[$0] })
                iFramePlaylists[position] = iFrames(index, playlist: mediaPlaylists[position])
            }
        }
    }

    private func iFrames(_ index: IFrameIndex, playlist media: MediaPlaylist) -> IFrames? {
        guard !index.entries.isEmpty else { return nil }
        let playlist = index.playlist(
            segments: media.segments, timeline: build.timeline, replayEnd: replayEnd, mediaSequence: media.mediaSequence)
        let bandwidth = index.bandwidth(of: playlist)
        return IFrames(playlist: playlist, peak: bandwidth.peak, average: bandwidth.average)
    }

    /// Reads the main rendition once.
    private mutating func readMain(_ renditionIndex: Int) throws {
        let build = self.build
        let options = build.options
        let rendition = build.source.renditions[renditionIndex]
        let sizes = build.segmentSizes[renditionIndex]
        let reader = RenditionReader(
            rendition: rendition, timeline: build.timeline, container: build.source.container, segmentSizes: sizes)
        try reader.probeStreams()
        let video = reader.videoStream
        let audio = reader.audioStream
        videoStream = video
        audioStream = audio
        let keyKind: ReplayPacket.Kind = video != nil ? .video : .audio
        let products = build.plan.products

        var mp4: MP4Writer?
        if options.mp4 {
            let chapters = build.plan.mp4Chapters(introTitle: options.introTitle).map {
                MP4Writer.Chapter(startMilliseconds: $0.startMilliseconds, endMilliseconds: $0.endMilliseconds, title: $0.title)
            }
            if chapters.count > 255 {
                notes.append(
                    "replay.mp4 has \(chapters.count) chapters: its QuickTime chapter track holds them all, its Nero chpl box (read by some players) only the first 255")
            }
            mp4 = try MP4Writer(path: build.staging.path("replay.mp4"), video: video, audio: audio, chapters: chapters)
        }
        var cutter: ClipCutter?
        if options.clips != .none, !products.isEmpty {
            try build.staging.createDirectory("clips")
            let requests = products.enumerated().map { index, product in
                ClipCutter.Request(
                    id: String(index), path: build.staging.path("clips/\(ReplayBuild.fileStem(product.marker.id)).mp4"),
                    start: .milliseconds(product.startMilliseconds), end: .milliseconds(product.endMilliseconds))
            }
            cutter = ClipCutter(requests: requests, video: video, audio: audio)
        }
        var thumbnailWorker: ThumbnailWorker?
        var pendingThumbnails: [(product: Int, time: MediaTime)] = []
        if options.thumbnails || options.posters, !products.isEmpty {
            if let video {
                if options.thumbnails { try build.staging.createDirectory("thumbnails") }
                if options.posters { try build.staging.createDirectory("posters") }
                let fit = (options.shorts ?? ShortOptions()).fit
                thumbnailWorker = ThumbnailWorker(
                    stream: video, width: options.thumbnailWidth,
                    posterMaker: options.posters ? PosterMaker(font: posterSetup.font, fit: fit) : nil)
                pendingThumbnails = products.enumerated().map { ($0.offset, MediaTime.milliseconds($0.element.startMilliseconds)) }
                    .sorted { $0.time < $1.time }
            }
        }
        if video == nil, options.thumbnails || options.posters || options.storyboard != nil {
            notes.append("the recording has no video: no thumbnails, posters or storyboard")
        }
        var storyboardWorker: StoryboardWorker?
        var storyboardPlan: StoryboardPlan?
        if let storyboard = options.storyboard {
            if let video {
                storyboardWorker = StoryboardWorker(
                    stream: video, options: storyboard, durationMilliseconds: build.timeline.durationMilliseconds,
                    path: { [staging = build.staging] in staging.path($0) })
                storyboardPlan = StoryboardPlan(intervalMilliseconds: storyboard.intervalMilliseconds)
            }
        }
        var origins = [Int64?](repeating: nil, count: build.timeline.entries.count)
        let price: (ChapterPlan.Product) -> String? = { product in
            ShortText.price(product.marker.marker.price, currency: product.marker.marker.currency, language: options.language)
        }
        var iframes = video != nil ? IFrameIndex(container: build.source.container) : nil
        var window = GOPWindow()

        func submitThumbnails(before limit: MediaTime?) {
            guard let worker = thumbnailWorker, window.keyframeTime != nil else { return }
            while let next = pendingThumbnails.first, limit.map({ next.time < $0 }) ?? true {
                pendingThumbnails.removeFirst()
                let packets = window.packets(keyKind: .video).filter { $0.kind == .video }.map(\.packet)
                let product = products[next.product]
                let stem = ReplayBuild.fileStem(product.marker.id)
                var poster: PosterMaker.Product?
                if options.posters {
                    var ignored: [String] = []
                    poster = PosterMaker.Product(
                        title: product.marker.marker.title, price: price(product),
                        cropX: ReplayShorts.cropX(of: product, notes: &ignored),
                        paths: Dictionary(
                            uniqueKeysWithValues: PosterMaker.shapes.map {
                                ($0.suffix, build.staging.path("posters/\(stem)-\($0.suffix).jpg"))
                            }))
                }
                worker.submit(
                    ThumbnailWorker.Job(
                        key: next.product, target: next.time, packets: packets,
                        path: options.thumbnails ? build.staging.path("thumbnails/\(stem).jpg") : nil, poster: poster))
            }
        }

        // replay.mp4 and the clips are muxed on a thread of their own (the second core) while
        // this one demuxes, indexes keyframes and hands groups of pictures to the thumbnails.
        var clipWindow = GOPWindow()
        let muxing: PacketPipe? =
            mp4 == nil && cutter == nil
            ? nil
            : PacketPipe(
                name: "cuepoint.replay-mux",
                handler: { item in
                    if let cutter {
                        if item.kind == keyKind, item.packet.isKeyframe, let time = item.replayTime {
                            try cutter.keyframeArrives(at: time, window: clipWindow)
                            clipWindow.startGroup(at: time)
                        }
                        if !cutter.isIdle { try clipWindow.append(item) }
                        try cutter.route(item)
                    }
                    // The pipe's packet is this thread's own copy and replay.mp4 is its last user.
                    try mp4?.write(item, consuming: true)
                },
                completion: { [replayEnd] in
                    try cutter?.finish(window: clipWindow, replayEnd: replayEnd)
                    try mp4?.finish()
                })
        do {
            try reader.read { item in
                iframes?.record(item, segmentSize: { sizes[$0] })
                if item.kind == keyKind, origins[item.entryIndex] == nil {
                    let ticks = (MediaTime.zero(.mpegTS) - item.shift).rescaled(to: .mpegTS).ticks
                    origins[item.entryIndex] = ((ticks % (1 << 33)) + (1 << 33)) % (1 << 33)
                }
                if let worker = storyboardWorker, item.kind == .video, item.packet.isKeyframe, let time = item.replayTime,
                    storyboardPlan?.takes(keyframeAt: time.milliseconds) == true
                {
                    worker.submit(try item.packet.clone(), atMilliseconds: max(0, time.milliseconds))
                }
                if !pendingThumbnails.isEmpty {
                    if item.kind == keyKind, item.packet.isKeyframe, let time = item.replayTime {
                        submitThumbnails(before: time)
                        window.startGroup(at: time)
                    }
                    try window.append(item)
                }
                try muxing?.send(item)
            }
            iframes?.finish(segmentSize: { sizes[$0] })
            submitThumbnails(before: nil)
            try muxing?.finish()
        } catch {
            _ = try? muxing?.finish()
            cutter?.abandon()
            mp4?.abandon()
            _ = thumbnailWorker?.finish()
            _ = storyboardWorker?.finish()
            throw error
        }
        for (what, dropped) in [("replay.mp4", mp4?.packetsDropped ?? 0), ("the clips", cutter?.packetsDropped ?? 0)]
        where dropped > 0 {
            notes.append(
                "\(dropped) packet(s) that overlap the packets before them (where the recording has a discontinuity)"
                    + " were left out of \(what)")
        }
        timestampOrigins = origins.map { $0 ?? 0 }
        if let storyboardWorker {
            let result = storyboardWorker.finish()
            if let failure = result.failure {
                notes.append("no storyboard: \(failure)")
            } else {
                storyboard = result
            }
        }
        if let iframes { iFramePlaylists[renditionIndex] = iFrames(iframes, playlist: mediaPlaylists[renditionIndex]) }
        for clip in cutter?.finished ?? [] {
            guard let index = Int(clip.id) else { continue }
            var clipStart = clip.start.milliseconds
            if options.clips == .exact, video != nil {
                // Re-encode from the product's frame to the next keyframe, copy the rest.
                let offset = MediaTime.milliseconds(products[index].startMilliseconds) - clip.start
                do {
                    try ExactClip.make(from: clip.path, startMilliseconds: max(0, offset.milliseconds), to: clip.path)
                    clipStart = max(clipStart, products[index].startMilliseconds)
                } catch {
                    notes.append("clip of marker \(products[index].marker.id) stays keyframe-bounded: \(error)")
                }
            }
            clips[index] = "clips/" + URL(fileURLWithPath: clip.path).lastPathComponent
            clipWindows[index] = (clipStart, clip.end.milliseconds)
        }
        if let worker = thumbnailWorker {
            let results = worker.finish()
            for result in results.made {
                if let path = result.path {
                    thumbnails[result.key] = Thumbnail(
                        path: "thumbnails/" + URL(fileURLWithPath: path).lastPathComponent, width: result.width,
                        height: result.height)
                }
                if !result.posters.isEmpty {
                    posters[result.key] = result.posters.mapValues { "posters/" + URL(fileURLWithPath: $0).lastPathComponent }
                }
                if let failure = result.posterFailure {
                    notes.append("no posters for marker \(products[result.key].marker.id): \(failure)")
                }
            }
            for failure in results.failed {
                notes.append("no thumbnail or posters for marker \(products[failure.key].marker.id): \(failure.reason)")
            }
        }
    }
}
