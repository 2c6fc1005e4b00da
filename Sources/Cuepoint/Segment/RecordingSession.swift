import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// Turns the packets of one input into segments and playlists for every rendition: the
/// per-packet loop of a copy pipeline. Owned by the thread that reads the input.
///
/// For each packet: the `TimestampGuard` accepts it, drops it, or declares a discontinuity
/// (a new epoch: a new muxer, EXT-X-DISCONTINUITY, PROGRAM-DATE-TIME continuing); on the
/// cut stream the `SegmentCutter` decides whether it opens or cuts a segment; then the
/// packet is written to every rendition. After each segment, every playlist is published.
final class RecordingSession {
    struct Epoch {
        /// Media time of the epoch's first segment start (its grid origin).
        var origin: MediaTime
        /// Wall-clock time of `origin`.
        var wallClock: WallClockTime
        /// Recording time (ms since the recording started) of `origin`.
        var recordingOffsetMilliseconds: Int64
    }

    let outputs: [RenditionOutput]
    let publisher: RecordingPublisher
    let cutStream: Int
    let streams: [Int: StreamInfo]
    let isLive: Bool
    let clock: any WallClock
    let startDate: WallClockTime?
    let warnings: WarningCollector

    private var cutter: SegmentCutter
    private var timestampGuard = TimestampGuard()
    private var epoch: Epoch?
    private var epochCount = 0
    /// Whether the input's timestamps jumped at least once.
    var hadDiscontinuity: Bool { epochCount > 1 || pendingDiscontinuity }
    private var pendingDiscontinuity = false
    private var segmentOpen = false
    private var segmentStart: MediaTime?
    /// The end (pts + duration) of the latest cut-stream packet of the open segment.
    private var segmentEnd: MediaTime?
    private var nextSequence: Int64
    private(set) var latestMediaMilliseconds: Int64 = 0
    /// The end of the last closed segment, in recording time: where the next epoch starts.
    private var recordedMilliseconds: Int64 = 0

    init(
        outputs: [RenditionOutput], publisher: RecordingPublisher, cutStream: Int, streams: [StreamInfo],
        target: MediaTime, isLive: Bool, clock: any WallClock, startDate: WallClockTime?, warnings: WarningCollector,
        firstSequence: Int64 = 1
    ) {
        self.outputs = outputs
        self.publisher = publisher
        self.cutStream = cutStream
        self.streams = Dictionary(uniqueKeysWithValues: streams.map { ($0.index, $0) })
        self.isLive = isLive
        self.clock = clock
        self.startDate = startDate
        self.warnings = warnings
        self.cutter = SegmentCutter(target: target)
        self.nextSequence = firstSequence
    }

    /// Handles one packet read from the input.
    func handle(_ packet: Packet) throws {
        guard let stream = streams[packet.streamIndex] else { return }
        guard let ptsTicks = packet.pts ?? packet.dts, let dtsTicks = packet.dts ?? packet.pts else {
            warnings.count("packets without timestamps were dropped")
            return
        }
        let base = stream.timeBase
        let pts = MediaTime(ticks: ptsTicks, timeBase: base)
        let dts = MediaTime(ticks: dtsTicks, timeBase: base)
        let duration = MediaTime(ticks: packet.duration > 0 ? packet.duration : defaultDuration(stream), timeBase: base)
        let isCut = stream.index == cutStream

        switch timestampGuard.judge(stream: stream.index, dts: dts, duration: duration, isCutStream: isCut) {
        case .drop(let reason):
            warnings.count("packets dropped: \(reason)")
            return
        case .discontinuity(let jump):
            warnings.add(
                "timestamps jump by \(formatSeconds(jump)) after \(formatSeconds(.milliseconds(latestMediaMilliseconds)))"
                    + " of media; continuing with EXT-X-DISCONTINUITY")
            try endEpoch()
            cutter.startNewEpoch()
            pendingDiscontinuity = true
        case .accept:
            break
        }

        if isCut {
            switch cutter.feed(time: pts, isCutCandidate: packet.isKeyframe || stream.mediaType == .audio) {
            case .drop:
                warnings.count("packets before the first keyframe were dropped")
                return
            case .open:
                beginEpoch(origin: pts)
                try openSegment(start: pts)
            case .cut:
                try closeSegment(end: pts)
                try openSegment(start: pts)
            case .append:
                break
            }
        } else if !segmentOpen {
            return  // before the first keyframe of the epoch: no segment to put it in
        }
        // Only a frame that was written extends the segment (a damaged one may be dropped).
        guard try write(packet), isCut else { return }
        let end = pts + duration
        if segmentEnd.map({ end > $0 }) ?? true { segmentEnd = end }
        if let epoch {
            // With B-frames the newest packet in decoding order is not the latest in presentation.
            latestMediaMilliseconds = max(
                latestMediaMilliseconds, epoch.recordingOffsetMilliseconds + (end - epoch.origin).milliseconds)
        }
    }

    /// Closes the open segment and publishes final playlists.
    func finish(complete: Bool) throws {
        try endEpoch()
        try publisher.publishAll(finished: true)
        try publisher.writeRecordingState(complete: complete)
    }

    /// After a failure: drops the partial segment and publishes what was completed, finished.
    func salvage() {
        for output in outputs { output.abandon() }
        segmentOpen = false
        try? publisher.publishAll(finished: true)
        try? publisher.writeRecordingState(complete: false)
    }

    // MARK: Steps

    /// Writes the packet to every rendition; false when the muxers rejected it as damaged.
    private func write(_ packet: Packet) throws -> Bool {
        var written = false
        for (position, output) in outputs.enumerated() {
            // The muxer consumes the payload, so every rendition but the last gets a reference of its own.
            let copy = position == outputs.count - 1 ? packet : try packet.clone()
            do {
                try output.write(copy, inputStream: packet.streamIndex)
                written = true
            } catch let error as FFmpegError where error.code == .invalidData {
                // A damaged packet (garbage inside the input, a cut-off last frame) that the muxer
                // or its bitstream filter cannot parse: the rest of the stream is still usable.
                warnings.count("damaged packets the muxer could not use were dropped")
            }
        }
        return written
    }

    private func beginEpoch(origin: MediaTime) {
        let wallClock: WallClockTime
        let offset: Int64
        if let previous = epoch {
            offset = recordedMilliseconds
            wallClock = isLive ? clock.now() : previous.wallClock.advanced(by: .milliseconds(offset - previous.recordingOffsetMilliseconds))
        } else {
            offset = 0
            wallClock = startDate ?? clock.now()
        }
        epoch = Epoch(origin: origin, wallClock: wallClock, recordingOffsetMilliseconds: offset)
        epochCount += 1
    }

    private func openSegment(start: MediaTime) throws {
        for output in outputs { try output.openSegment(sequence: nextSequence) }
        segmentOpen = true
        segmentStart = start
        segmentEnd = nil
    }

    /// Closes the open segment, which ends at `end` (the next segment's start, or the end of
    /// its last frame), and publishes the playlists.
    ///
    /// EXTINF is the difference of the two boundaries each rounded to milliseconds from the
    /// epoch's origin, so the durations of an epoch add up exactly to its rounded length.
    private func closeSegment(end: MediaTime) throws {
        guard segmentOpen, let start = segmentStart, let epoch else { return }
        let startOffset = (start - epoch.origin).milliseconds
        let endOffset = max((end - epoch.origin).milliseconds, startOffset + 1)
        let discontinuity = pendingDiscontinuity && epochCount > 1
        pendingDiscontinuity = false
        var records: [SegmentRecord] = []
        for output in outputs {
            let bytes = try output.closeSegment()
            records.append(
                SegmentRecord(
                    rendition: output.name, sequence: nextSequence, uri: output.segmentName(nextSequence),
                    durationMilliseconds: endOffset - startOffset, byteCount: bytes, discontinuity: discontinuity,
                    programDateTime: epoch.wallClock.advanced(by: .milliseconds(startOffset)),
                    mediaStartMilliseconds: epoch.recordingOffsetMilliseconds + startOffset))
        }
        segmentOpen = false
        nextSequence += 1
        recordedMilliseconds = epoch.recordingOffsetMilliseconds + endOffset
        try publisher.add(records, initURIs: outputs.map(\.initURI), now: clock.now())
    }

    private func endEpoch() throws {
        if segmentOpen { try closeSegment(end: segmentEnd ?? segmentStart!) }
        for output in outputs { try output.endEpoch() }
    }

    private func defaultDuration(_ stream: StreamInfo) -> Int64 {
        if stream.mediaType == .video, let rate = stream.frameRate, rate.isValid {
            return MediaTime(ticks: rate.denominator, timeBase: Rational(1, rate.numerator)).rescaled(to: stream.timeBase).ticks
        }
        return 0
    }
}

func formatSeconds(_ time: MediaTime) -> String {
    let millis = time.milliseconds
    let sign = millis < 0 ? "-" : ""
    let value = abs(millis)
    let fraction = String(value % 1000)
    return "\(sign)\(value / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
}
