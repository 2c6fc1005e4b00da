import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// A packet of a rendition on the replay's timeline, with where its bytes sit in its segment.
struct ReplayPacket {
    enum Kind { case video, audio }

    /// The packet, its timestamps already moved onto the replay's timeline (in ``stream``'s time base).
    var packet: Packet
    var kind: Kind
    /// The output stream info of its kind (the first run's): time base, codec, extradata.
    var stream: StreamInfo
    /// Its presentation time on the replay's timeline; nil when the demuxer gave none.
    var replayTime: MediaTime?
    /// Index into ``ReplayTimeline/entries`` of the segment holding it.
    var entryIndex: Int
    /// Byte offset of the packet's data in that segment file; nil when unknown.
    var offsetInSegment: Int64?
    /// What was added to the packet's timestamps to put it on the replay's timeline (the
    /// recording's own timestamps are its times minus this).
    var shift: MediaTime = .zero(.milliseconds)
}

/// Reads one rendition's usable segments in replay order and hands every audio and video
/// packet to a visitor, timestamps moved onto the replay's timeline.
///
/// Segments are read back to back through libavformat's `concat:` protocol, one demuxer per
/// run of contiguous segments (a run ends at a discontinuity: new timestamps, maybe a new init
/// section). Each run is shifted so that its first segment starts at its replay time. The
/// first video stream and the first audio stream are read; data streams (timed ID3) are not,
/// because the markers reach the package as chapters instead.
final class RenditionReader {
    let rendition: ReplaySource.Rendition
    let timeline: ReplayTimeline
    let container: Container
    /// The video and audio streams of the first run (what outputs are created from).
    private(set) var videoStream: StreamInfo?
    private(set) var audioStream: StreamInfo?

    /// The size in bytes of each timeline entry's segment file in this rendition.
    let segmentSizes: [Int64]
    /// The runs to read, planned once.
    private lazy var plannedRuns: [Run] = runs()

    /// - Parameter segmentSizes: The sizes of the entries' segment files when the caller has
    ///   them already; read with `stat(2)` otherwise.
    init(
        rendition: ReplaySource.Rendition, timeline: ReplayTimeline, container: Container,
        segmentSizes: [Int64]? = nil, fragmentedChunk: Int = 16
    ) {
        self.fragmentedChunk = fragmentedChunk
        self.rendition = rendition
        self.timeline = timeline
        self.container = container
        self.segmentSizes =
            segmentSizes ?? Self.segmentSizes(of: rendition, entries: timeline.entries)
    }

    /// The size of each entry's segment file in `rendition`.
    static func segmentSizes(of rendition: ReplaySource.Rendition, entries: [ReplayTimeline.Entry]) -> [Int64] {
        entries.map { size(of: rendition.directory.appendingPathComponent(rendition.playlist.segments[$0.index].uri).path) }
    }

    /// Opens the first run to learn the streams (for creating outputs before reading).
    func probeStreams() throws {
        guard let first = plannedRuns.first else { return }
        let demuxer = try open(first)
        videoStream = demuxer.streams.first { $0.mediaType == .video && !$0.isAttachedPicture }
        audioStream = demuxer.streams.first { $0.mediaType == .audio }
    }

    /// Reads every packet of every run.
    ///
    /// - Throws: ``CuepointError`` naming the segments of a run that cannot be opened or read,
    ///   or what `visit` throws.
    func read(_ visit: (ReplayPacket) throws -> Void) throws {
        try read(plannedRuns, visit)
    }

    /// Reads the packets of the timeline entries at `positions` only (a short's window), on the
    /// same timeline as a whole read.
    func read(positions: Range<Int>, _ visit: (ReplayPacket) throws -> Void) throws {
        try read(runs(positions: positions), visit)
    }

    private func read(_ runs: [Run], _ visit: (ReplayPacket) throws -> Void) throws {
        if videoStream == nil && audioStream == nil { try probeStreams() }
        let packet = Packet()
        var shift = MediaTime.zero(.milliseconds)
        for run in runs {
            let demuxer = try open(run)
            let video = demuxer.streams.first { $0.mediaType == .video && !$0.isAttachedPicture }
            let audio = demuxer.streams.first { $0.mediaType == .audio }
            if !run.continuesPrevious {
                let origin = (video ?? audio)?.startTime ?? .zero(.milliseconds)
                shift = MediaTime.milliseconds(run.entries[0].replayStartMilliseconds) - origin
            }
            var entryCursor = 0
            while true {
                let more: Bool
                do {
                    more = try demuxer.read(into: packet)
                } catch {
                    throw CuepointError(
                        subject: "\(rendition.name)/\(run.entries.map { segmentURI($0) }.joined(separator: ", "))",
                        message: "cannot be read: \(error)", fix: "check that the recording's segments are whole")
                }
                guard more else { break }
                let kind: ReplayPacket.Kind
                let input: StreamInfo
                let output: StreamInfo
                if let video, packet.streamIndex == video.index, let videoStream {
                    (kind, input, output) = (.video, video, videoStream)
                } else if let audio, packet.streamIndex == audio.index, let audioStream {
                    (kind, input, output) = (.audio, audio, audioStream)
                } else {
                    continue
                }
                if packet.isCorrupt && packet.size == 0 { continue }
                let offset = shift.rescaled(to: input.timeBase).ticks
                packet.shiftTimestamps(by: offset)
                if input.timeBase != output.timeBase { rescale(packet, from: input.timeBase, to: output.timeBase) }
                var offsetInSegment: Int64?
                if let position = packet.bytePosition {
                    while entryCursor + 1 < run.segmentStarts.count && run.segmentStarts[entryCursor + 1] <= position {
                        entryCursor += 1
                    }
                    offsetInSegment = position - run.segmentStarts[entryCursor]
                }
                let replayTime = packet.pts.map { MediaTime(ticks: $0, timeBase: output.timeBase) }
                try visit(
                    ReplayPacket(
                        packet: packet, kind: kind, stream: output, replayTime: replayTime,
                        entryIndex: run.firstEntryIndex + entryCursor, offsetInSegment: offsetInSegment, shift: shift))
            }
        }
    }

    private func rescale(_ packet: Packet, from source: Rational, to target: Rational) {
        if let pts = packet.pts { packet.pts = MediaTime(ticks: pts, timeBase: source).rescaled(to: target).ticks }
        if let dts = packet.dts { packet.dts = MediaTime(ticks: dts, timeBase: source).rescaled(to: target).ticks }
        packet.duration = MediaTime(ticks: packet.duration, timeBase: source).rescaled(to: target).ticks
    }

    /// A run of contiguous segments read by one demuxer.
    struct Run {
        /// Whether it is the next chunk of the same timeline as the run before it (same shift).
        var continuesPrevious = false
        var firstEntryIndex: Int
        var entries: [ReplayTimeline.Entry]
        /// The files, in order (the init section first for fMP4).
        var files: [String]
        /// Where each entry's segment starts in the concatenated bytes.
        var segmentStarts: [Int64]
    }

    /// The timeline entries overlapping `start..<end` (replay milliseconds), as positions.
    func positions(from start: Int64, to end: Int64) -> Range<Int> {
        let entries = timeline.entries
        let first = entries.firstIndex { $0.replayEndMilliseconds > start } ?? entries.count
        let last = entries.lastIndex { $0.replayStartMilliseconds < end }.map { $0 + 1 } ?? first
        return first..<max(first, last)
    }

    func runs(positions: Range<Int>? = nil) -> [Run] {
        var runs: [Run] = []
        var runBytes: Int64 = 0
        let range = positions ?? timeline.entries.indices
        for position in range {
            let entry = timeline.entries[position]
            let segment = rendition.playlist.segments[entry.index]
            let mapURI = segment.map?.uri
            let previousMap = runs.last.flatMap { run in
                rendition.playlist.segments[run.entries[run.entries.count - 1].index].map?.uri
            }
            // fMP4 runs are read in chunks: FFmpeg's mov demuxer indexes every sample of every
            // fragment it reads, which makes one long concatenation slow (its index grows by
            // reallocation); a fresh demuxer per chunk keeps that index small.
            let chunkFull =
                container == .fmp4 && (runs.last.map { $0.entries.count >= fragmentedChunk } ?? false)
            if runs.isEmpty || entry.discontinuity || mapURI != previousMap || chunkFull {
                let continues = !runs.isEmpty && !entry.discontinuity && mapURI == previousMap
                var files: [String] = []
                runBytes = 0
                if let mapURI {
                    files.append(rendition.directory.appendingPathComponent(mapURI).path)
                    runBytes = Self.size(of: files[0])
                }
                runs.append(
                    Run(continuesPrevious: continues, firstEntryIndex: position, entries: [], files: files, segmentStarts: []))
            }
            let path = rendition.directory.appendingPathComponent(segment.uri).path
            let start = runBytes
            runBytes += segmentSizes[position]
            runs[runs.count - 1].entries.append(entry)
            runs[runs.count - 1].files.append(path)
            runs[runs.count - 1].segmentStarts.append(start)
        }
        return runs
    }

    /// Segments per demuxer for fMP4 recordings.
    let fragmentedChunk: Int

    func segmentURI(_ entry: ReplayTimeline.Entry) -> String { rendition.playlist.segments[entry.index].uri }

    private func open(_ run: Run) throws -> Demuxer {
        if let bad = run.files.first(where: { $0.contains("|") }) {
            throw CuepointError(
                subject: bad, message: "a path with '|' cannot be read through FFmpeg's concat protocol",
                fix: "rename the recording's folder without '|'")
        }
        let url = run.files.count == 1 ? "file:" + run.files[0] : "concat:" + run.files.joined(separator: "|")
        do {
            return try Demuxer(url: url, format: container == .ts ? "mpegts" : "mp4")
        } catch {
            throw CuepointError(
                subject: "\(rendition.name)/\(run.entries.map { segmentURI($0) }.joined(separator: ", "))",
                message: "cannot be opened: \(error)", fix: "check that the recording's segments are whole")
        }
    }

    /// The size of a file in bytes, 0 when it cannot be read: its end offset (open, seek to the
    /// end). Not Foundation's attributes, which also look up the owner's name (a name-service
    /// query per file), nor `stat(2)`, whose C struct's module is ambiguous once NIO is imported.
    static func size(of path: String) -> Int64 {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        return Int64((try? handle.seekToEnd()) ?? 0)
    }
}
