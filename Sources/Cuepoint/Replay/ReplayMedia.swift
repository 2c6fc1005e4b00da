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

    let build: ReplayBuild
    let mediaPlaylists: [MediaPlaylist]
    private(set) var iFramePlaylists: [Int: IFrames] = [:]
    /// Clip file (relative to the package) by product index.
    private(set) var clips: [Int: String] = [:]
    /// Thumbnail by product index.
    private(set) var thumbnails: [Int: Thumbnail] = [:]
    private(set) var notes: [String] = []

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
        if options.thumbnails, !products.isEmpty {
            if let video {
                try build.staging.createDirectory("thumbnails")
                thumbnailWorker = ThumbnailWorker(stream: video, width: options.thumbnailWidth)
                pendingThumbnails = products.enumerated().map { ($0.offset, MediaTime.milliseconds($0.element.startMilliseconds)) }
                    .sorted { $0.time < $1.time }
            } else {
                notes.append("the recording has no video: no thumbnails")
            }
        }
        var iframes = video != nil ? IFrameIndex(container: build.source.container) : nil
        var window = GOPWindow()

        func submitThumbnails(before limit: MediaTime?) {
            guard let worker = thumbnailWorker, window.keyframeTime != nil else { return }
            while let next = pendingThumbnails.first, limit.map({ next.time < $0 }) ?? true {
                pendingThumbnails.removeFirst()
                let packets = window.packets(keyKind: .video).filter { $0.kind == .video }.map(\.packet)
                let stem = ReplayBuild.fileStem(products[next.product].marker.id)
                worker.submit(
                    ThumbnailWorker.Job(
                        key: next.product, target: next.time, packets: packets,
                        path: build.staging.path("thumbnails/\(stem).jpg")))
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
            throw error
        }
        for (what, dropped) in [("replay.mp4", mp4?.packetsDropped ?? 0), ("the clips", cutter?.packetsDropped ?? 0)]
        where dropped > 0 {
            notes.append(
                "\(dropped) packet(s) that overlap the packets before them (where the recording has a discontinuity)"
                    + " were left out of \(what)")
        }
        if let iframes { iFramePlaylists[renditionIndex] = iFrames(iframes, playlist: mediaPlaylists[renditionIndex]) }
        for clip in cutter?.finished ?? [] {
            guard let index = Int(clip.id) else { continue }
            if options.clips == .exact, video != nil {
                // Re-encode from the product's frame to the next keyframe, copy the rest.
                let offset = MediaTime.milliseconds(products[index].startMilliseconds) - clip.start
                do {
                    try ExactClip.make(from: clip.path, startMilliseconds: max(0, offset.milliseconds), to: clip.path)
                } catch {
                    notes.append("clip of marker \(products[index].marker.id) stays keyframe-bounded: \(error)")
                }
            }
            clips[index] = "clips/" + URL(fileURLWithPath: clip.path).lastPathComponent
        }
        if let worker = thumbnailWorker {
            let results = worker.finish()
            for result in results.made {
                thumbnails[result.key] = Thumbnail(
                    path: "thumbnails/" + URL(fileURLWithPath: result.path).lastPathComponent, width: result.width,
                    height: result.height)
            }
            for failure in results.failed {
                notes.append("no thumbnail for marker \(products[failure.key].marker.id): \(failure.reason)")
            }
        }
    }
}
