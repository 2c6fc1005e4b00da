import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// Turns the packets of one input into segments for every rendition: the per-packet loop of a
/// pipeline. Owned by the thread that reads the input.
///
/// For each packet:
///
///     packet ─► shift (restarted input) ─► TimestampGuard ─┬─ drop
///                                                         ├─ discontinuity: end the epoch
///                                                         └─ accept
///        cut stream ─► SegmentCutter ─► open / cut / append ─► MarkerPlacement (in-band tags)
///                                              │                 PartSegmenter (LL-HLS parts)
///        every stream ─► each copy rendition's muxer; the transcoder's decoder
///
/// The session owns the ``Timeline`` (epochs and the mapping of recording time to media time and
/// wall clock) and decides every boundary: on the input's keyframes when a rendition copies,
/// or on the decoded frames when every rendition is encoded (`RecordingSession+DecodedFrames`,
/// beside the transcoder). Each closed segment is described to the ``SegmentBarrier``, which
/// publishes segment N once every rendition has closed it. Markers are placed by
/// ``MarkerPlacement``; LL-HLS parts are cut by ``PartSegmenter``, both as steps of this loop.
final class RecordingSession {
    /// The copy renditions' outputs: libavformat muxers, or the transport stream copy path's.
    let outputs: [any SegmentOutput]
    /// Each copy output's position among the publisher's renditions.
    private let outputPositions: [Int]
    /// The transcoded renditions; nil when every rendition copies.
    let transcoder: Transcoder?
    /// Whether segments are cut on decoded frames (every rendition is transcoded and the input
    /// has video): any frame can start a segment, since the encoders make it an IDR picture.
    /// Otherwise they are cut on the input's packets, at its keyframes.
    let cutsOnFrames: Bool
    let publisher: RecordingPublisher
    /// Publishes segment N once every rendition, copied or transcoded, has closed it.
    let barrier: SegmentBarrier
    var cutStream: Int
    var streams: [Int: StreamInfo]
    /// The wall clock, read when an epoch starts and for date ranges.
    let clock: any WallClock
    let warnings: WarningCollector

    /// Epochs and the mapping between recording time, media time and wall-clock time.
    var timeline: Timeline
    /// Product markers: date ranges and in-band tags; nil when the pipeline has none.
    var markers: MarkerPlacement?
    /// LL-HLS: cuts parts inside segments for the part store; nil without `output.part` (fMP4 only,
    /// copy renditions only). The part store learns of each publication from the barrier.
    var parts: PartSegmenter? {
        didSet {
            barrier.afterPublishing = parts.map { parts in { publisher in parts.store.segmentsPublished(publisher.lowLatencyState) } }
        }
    }
    /// Called after each segment's playlists are published, with its records (one per
    /// rendition) and the publish latency: from the packet that completed the segment (the
    /// cut, or the end of the input) to the playlists written, in nanoseconds of the monotonic
    /// clock (a duration, so not the wall clock, which can step).
    var onSegmentsPublished: ((_ records: [SegmentRecord], _ latencyNanoseconds: UInt64) -> Void)? {
        get { barrier.onPublished }
        set { barrier.onPublished = newValue }
    }
    /// Segments published per rendition so far (any thread).
    var publishedSegments: Int { barrier.publishedSegments }

    var cutter: SegmentCutter
    var timestampGuard = TimestampGuard()
    /// The shift of the current input's timestamps the outputs were told of, in milliseconds.
    var announcedShift: Int64 = 0
    /// The open segment; nil between segments.
    private(set) var openSegment: OpenSegment?
    var nextSequence: Int64
    /// The next segment closed is the first after a break (timestamps that jumped, a reconnect,
    /// a resume): it carries EXT-X-DISCONTINUITY once the recording has an earlier epoch.
    var pendingDiscontinuity = false
    /// Cutting on frames: the segment being opened follows a change of the input's picture size.
    var geometryBreak = false
    /// Cutting on frames: the picture size of the last decoded frame and the break it announced.
    var frameGeometry = FrameGeometry()

    /// The segment being written.
    struct OpenSegment {
        var start: MediaTime
        /// The end (pts + duration) of the latest cut-stream frame written into it.
        var end: MediaTime?
    }

    init(
        outputs: [any SegmentOutput], publisher: RecordingPublisher, cutStream: Int, streams: [StreamInfo],
        target: MediaTime, isLive: Bool, clock: any WallClock, startDate: WallClockTime?, warnings: WarningCollector,
        markers: MarkersSpec? = nil, firstSequence: Int64 = 1, transcoder: Transcoder? = nil,
        outputPositions: [Int]? = nil, barrier: SegmentBarrier? = nil
    ) {
        self.transcoder = transcoder
        self.outputPositions = outputPositions ?? Array(outputs.indices)
        self.barrier = barrier ?? SegmentBarrier(publisher: publisher, clock: clock)
        let videoStream = streams.first { $0.index == cutStream && $0.mediaType == .video }
        self.cutsOnFrames = transcoder != nil && outputs.isEmpty && videoStream != nil
        self.markers = markers.map(MarkerPlacement.init(spec:))
        self.outputs = outputs
        self.publisher = publisher
        self.cutStream = cutStream
        self.streams = Dictionary(uniqueKeysWithValues: streams.map { ($0.index, $0) })
        self.timeline = Timeline(isLive: isLive, startDate: startDate)
        self.clock = clock
        self.warnings = warnings
        self.cutter = SegmentCutter(target: target)
        self.nextSequence = firstSequence
        if cutsOnFrames, let videoStream {
            transcoder?.videoDecision = { [unowned self] frame in
                // The stream of the current input (a reconnected one may have another time base).
                try cut(on: frame, stream: self.streams[self.cutStream] ?? videoStream)
            }
        }
    }

    /// Media reached since the recording started, in milliseconds of recording time.
    var latestMediaMilliseconds: Int64 { timeline.reachedMilliseconds }

    /// Whether the input's timestamps jumped at least once.
    var hadDiscontinuity: Bool { timeline.hasEarlierEpoch || pendingDiscontinuity }

    /// Handles one packet read from the input: a demuxed ``Packet``, or on the transport stream
    /// copy path a ``TransportStreamUnit``.
    func handle<Unit: MediaUnit>(_ packet: Unit) throws {
        guard let stream = streams[packet.streamIndex] else { return }
        shiftRestartedInput(packet, stream: stream)
        guard let ptsTicks = packet.pts ?? packet.dts, let dtsTicks = packet.dts ?? packet.pts else {
            warnings.count("packets without timestamps were dropped")
            return
        }
        let base = stream.timeBase
        let pts = MediaTime(ticks: ptsTicks, timeBase: base)
        let dts = MediaTime(ticks: dtsTicks, timeBase: base)
        let duration = MediaTime(ticks: packet.duration > 0 ? packet.duration : defaultDuration(stream), timeBase: base)
        let isCut = stream.index == cutStream
        timeline.sawPacket(at: dts)

        switch timestampGuard.judge(stream: stream.index, dts: dts, pts: pts, duration: duration, isCutStream: isCut) {
        case .drop(let reason):
            warnings.count("packets dropped: \(reason)")
            return
        case .discontinuity(let jump):
            warnings.add(
                "timestamps jump by \(SecondsText.format(jump)) after "
                    + "\(SecondsText.format(milliseconds: latestMediaMilliseconds)) of media; continuing with EXT-X-DISCONTINUITY")
            try endEpoch()
            cutter.startNewEpoch()
            pendingDiscontinuity = true
        case .accept:
            break
        }

        if let transcoder, cutsOnFrames {
            // The decoded frames decide the cuts (`cut(on:stream:)`).
            try transcoder.decode(Self.demuxed(packet))
            return
        }

        if isCut {
            switch cutter.feed(time: pts, isCutCandidate: packet.isKeyframe || stream.mediaType == .audio) {
            case .drop:
                warnings.count("packets before the first keyframe were dropped")
                return
            case .open:
                beginEpoch(origin: pts)
                try open(start: pts, decodeStart: dts)
            case .cut:
                try close(end: pts)
                try open(start: pts, decodeStart: dts)
            case .append:
                if let parts, let epoch = timeline.current {
                    try parts.frame(
                        decodeStart: (dts - epoch.origin).milliseconds, duration: duration.milliseconds,
                        isKeyframe: packet.isKeyframe || stream.mediaType == .audio, outputs: outputs)
                }
            }
            try writeDueMarkers(at: pts)
        } else if openSegment == nil {
            return  // before the first keyframe of the epoch: no segment to put it in
        }
        if let transcoder {
            // Every boundary up to this cut-stream packet's decoding time is announced: a later
            // keyframe presents at or after it.
            if isCut { transcoder.advance(to: dts) }
            try transcoder.decode(Self.demuxed(packet))
        }
        // Only a frame that was written extends the segment (a damaged one may be dropped).
        let written = outputs.isEmpty ? true : try write(packet)
        guard written else { return }
        timeline.wrote(until: pts + duration)
        guard isCut else { return }
        // With B-frames the newest packet in decoding order is not the latest in presentation.
        extendSegment(to: pts + duration)
    }

    /// Closes the open segment and publishes final playlists.
    /// - Returns: the markers that were still open and end with the recording (id, duration).
    @discardableResult
    func finish(complete: Bool) throws -> [(id: String, durationMilliseconds: Int64)] {
        // Markers that start inside the last frame: the cut stream never reached their start.
        if let end = openSegment?.end { try writeDueMarkers(at: end - .milliseconds(1)) }
        try endEpoch()
        var closedAtEnd: [(id: String, durationMilliseconds: Int64)] = []
        if var placement = markers {
            // Markers still open end with the recording; markers that start after it cannot be placed.
            let recordingEnd = timeline.recordedMilliseconds
            let (ranges, closed, unplaced) = placement.finish(recordingEnd: recordingEnd, on: timeline, now: clock.now())
            markers = placement
            barrier.withPublisher { $0.appendToLastSegment(ranges) }
            closedAtEnd = closed
            for marker in unplaced {
                warnings.add(
                    "marker \(marker.id) starts at \(SecondsText.format(milliseconds: marker.startMilliseconds)), after the"
                        + " recording ends (\(SecondsText.format(milliseconds: recordingEnd))); it was not placed")
            }
        }
        if let waiting = barrier.incomplete.first {
            throw CuepointError(
                subject: "segment \(waiting.sequence)",
                message: "was not completed by rendition(s) \(waiting.missing.joined(separator: ", "))")
        }
        // An untyped closure: Swift 6.3 crashes compiling a `throws(StorageError)` closure passed
        // to the generic `withPublisher` (SIL ownership assertion).
        try barrier.withPublisher { (publisher: RecordingPublisher) throws -> Void in
            do {
                try publisher.publishAll(finished: true)
                parts?.store.finish(publisher.lowLatencyState)
                try publisher.writeRecordingState(complete: complete)
            } catch {
                throw error as any Error
            }
        }
        return closedAtEnd
    }

    /// After a failure: drops the partial segment and publishes what was completed, finished.
    ///
    /// Markers accepted whose tags wait for a segment that will now never close are published
    /// with the last completed one, as ``finish(complete:)`` publishes them: those whose start
    /// lies inside the recording, closings, and open markers closed at its end. (They used to be
    /// lost from the playlists while `markers.jsonl` kept them; a marker whose start lies after
    /// the recording stays in the log only, for the replay.) Nothing is published when the
    /// playlists cannot be written either; the next resume then places them.
    ///
    /// - Returns: the markers that were still open and end with the recording (id, duration).
    @discardableResult
    func salvage() -> [(id: String, durationMilliseconds: Int64)] {
        transcoder?.abandon()
        for output in outputs { output.abandon() }
        openSegment = nil
        var closedAtEnd: [(id: String, durationMilliseconds: Int64)] = []
        if var placement = markers, !publisher.renditions.allSatisfy({ $0.playlists.segments.isEmpty }) {
            let end = timeline.recordedMilliseconds
            let now = clock.now()
            var ranges = placement.dateRanges(forSegmentEndingAt: end, on: timeline, now: now)
            let finished = placement.finish(recordingEnd: end, on: timeline, now: now)
            ranges += finished.closingRanges
            markers = placement
            publisher.appendToLastSegment(ranges)
            closedAtEnd = finished.closed
        }
        try? publisher.publishAll(finished: true)
        parts?.store.finish(publisher.lowLatencyState)
        try? publisher.writeRecordingState(complete: false)
        return closedAtEnd
    }

    /// The packet a transcoder decodes: only the demuxing path has a transcoder.
    private static func demuxed<Unit: MediaUnit>(_ unit: Unit) -> Packet {
        guard let packet = unit as? Packet else {
            preconditionFailure("a transcoded pipeline reads its input with libavformat")
        }
        return packet
    }

    // MARK: Markers

    /// Places an accepted marker on the recording.
    func add(_ marker: PlacedMarker) {
        if let boundary = markers?.add(marker, on: timeline) { cutter.requestBoundary(at: boundary) }
    }

    /// Takes over the markers of a resumed recording's log (see
    /// ``MarkerSchedule/resume(logged:published:recordedUntil:)``); call after
    /// ``resume(nextSequence:recordedMilliseconds:lastEpoch:mediaEndMilliseconds:)``.
    ///
    /// - Returns: the markers placed again because no published playlist had them.
    func resumeMarkers(_ logged: [PlacedMarker], published: [DateRange]) -> [PlacedMarker] {
        markers?.resume(logged: logged, published: published, recordedUntil: timeline.recordedMilliseconds) ?? []
    }

    /// Closes an open marker; false when no open marker has this ID.
    func close(id: String, durationMilliseconds: Int64) -> Bool {
        markers?.close(id: id, durationMilliseconds: durationMilliseconds) ?? false
    }

    /// Writes the in-band tags of the markers whose start the cut stream has reached at `pts`.
    func writeDueMarkers(at pts: MediaTime) throws {
        guard markers?.carriesInBand == true, let epoch = timeline.current else { return }
        for tag in try markers!.dueTags(at: pts, in: epoch) {
            if let notice = tag.lateNotice { warnings.add(notice) }
            for output in outputs { try output.writeTimedMetadata(tag.bytes, at: tag.time, eventID: tag.eventID) }
            transcoder?.enqueueTimedMetadata(tag.bytes, at: tag.time, eventID: tag.eventID)
        }
    }

    // MARK: Steps

    /// Writes the packet to every rendition; false when the muxers rejected it as damaged.
    private func write<Unit: MediaUnit>(_ packet: Unit) throws -> Bool {
        var written = false
        for (position, output) in outputs.enumerated() {
            // A muxer consumes the payload, so every rendition but the last gets a reference of its own.
            let copy = position == outputs.count - 1 ? packet : try packet.forAnotherOutput()
            do {
                switch try output.write(copy, inputStream: packet.streamIndex) {
                case .written:
                    written = true
                case .droppedTimestamps(let reason):
                    // The guard judged the packet on the input's timeline; the output's time base
                    // can still make its timestamps unusable (two decoding times one 1/90000 tick
                    // apart are one tick of a 48 kHz MP4 track). One bad timestamp must not end the
                    // recording: the muxer drops the packet and it is counted here.
                    warnings.count("packets dropped: \(reason)")
                }
            } catch let error as FFmpegError where error.code == .invalidData {
                // A damaged packet (garbage inside the input, a cut-off last frame) that the muxer
                // or its bitstream filter cannot parse: the rest of the stream is still usable.
                warnings.count("damaged packets the muxer could not use were dropped")
            }
        }
        return written
    }

    /// A frame or packet that presents until `end` was written (any stream).
    func wrote(until end: MediaTime) { timeline.wrote(until: end) }

    /// The cut stream reached `end` (the presentation end of a frame written into the open segment).
    func extendSegment(to end: MediaTime) {
        if openSegment?.end.map({ end > $0 }) ?? true { openSegment?.end = end }
        timeline.reached(end)
    }

    /// Starts an epoch whose first segment starts at `origin` (see ``Timeline/beginEpoch(origin:now:)``).
    func beginEpoch(origin: MediaTime) {
        let epoch = timeline.beginEpoch(origin: origin, now: clock.now())
        for boundary in markers?.epochBegan(epoch) ?? [] { cutter.requestBoundary(at: boundary) }
    }

    /// Opens segment `nextSequence` at `start` in every rendition.
    func open(start: MediaTime, decodeStart: MediaTime? = nil) throws {
        for output in outputs { try output.openSegment(sequence: nextSequence) }
        transcoder?.announce(boundary: start, sequence: nextSequence, forceKeyframe: !cutsOnFrames)
        if let parts, let epoch = timeline.current {
            let offset = (start - epoch.origin).milliseconds
            let decodeOffset = ((decodeStart ?? start) - epoch.origin).milliseconds
            parts.segmentOpened(
                sequence: nextSequence, start: offset, decodeStart: decodeOffset, outputs: outputs,
                discontinuity: pendingDiscontinuity && timeline.hasEarlierEpoch,
                programDateTime: epoch.wallClock(atOffset: offset))
        }
        openSegment = OpenSegment(start: start, end: nil)
    }

    /// Closes the open segment, which ends at `end` (the next segment's start, or the end of
    /// its last frame), and hands it to the barrier, which publishes the playlists.
    ///
    /// EXTINF is the difference of the two boundaries each rounded to milliseconds from the
    /// epoch's origin, so the durations of an epoch add up exactly to its rounded length.
    func close(end: MediaTime) throws {
        guard let segment = openSegment, let epoch = timeline.current else { return }
        let completedAt = DispatchTime.now().uptimeNanoseconds
        let startOffset = (segment.start - epoch.origin).milliseconds
        let endOffset = max((end - epoch.origin).milliseconds, startOffset + 1)
        let discontinuity = (pendingDiscontinuity && timeline.hasEarlierEpoch) || geometryBreak
        pendingDiscontinuity = false
        geometryBreak = false
        let sequence = nextSequence
        try parts?.segmentClosing(end: endOffset, outputs: outputs)
        for (output, position) in zip(outputs, outputPositions) {
            let bytes = try output.closeSegment()
            try barrier.add(
                SegmentBarrier.File(uri: output.segmentName(sequence), byteCount: bytes, initURI: output.initURI),
                rendition: position, sequence: sequence)
        }
        openSegment = nil
        nextSequence += 1
        timeline.segmentClosed(endOffsetMilliseconds: endOffset)
        let dateRanges =
            markers?.dateRanges(forSegmentEndingAt: timeline.recordedMilliseconds, on: timeline, now: clock.now()) ?? []
        // Transcoded renditions add their files when their encoders reach the cut; the barrier
        // publishes segment N when all are there.
        try barrier.add(
            SegmentBarrier.Segment(
                sequence: sequence, durationMilliseconds: endOffset - startOffset, discontinuity: discontinuity,
                programDateTime: epoch.wallClock(atOffset: startOffset),
                mediaStartMilliseconds: epoch.recordingOffsetMilliseconds + startOffset,
                dateRanges: dateRanges, completedAt: completedAt))
    }

    func endEpoch() throws {
        // The decoder's last frames may still extend (or, cutting on frames, cut) the segment.
        try transcoder?.drainDecoder()
        if let segment = openSegment { try close(end: segment.end ?? segment.start) }
        try transcoder?.finishEpoch()
        for output in outputs { try output.endEpoch() }
    }

    func defaultDuration(_ stream: StreamInfo) -> Int64 {
        if stream.mediaType == .video, let rate = stream.frameRate, rate.isValid {
            return MediaTime(ticks: rate.denominator, timeBase: Rational(1, rate.numerator)).rescaled(to: stream.timeBase).ticks
        }
        return 0
    }
}
