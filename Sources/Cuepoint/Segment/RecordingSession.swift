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

    /// The copy renditions' outputs.
    let outputs: [RenditionOutput]
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
    private(set) var cutStream: Int
    private(set) var streams: [Int: StreamInfo]
    let isLive: Bool
    let clock: any WallClock
    let startDate: WallClockTime?
    let warnings: WarningCollector

    /// Product markers: what to put in playlists and in-band; nil when the pipeline has none.
    private var markers: MarkerSchedule?
    private let markerClass: String
    private let alignToMarkers: Bool
    /// Called with the wall clock of recording time 0 of each new epoch (for the marker desk).
    var onEpoch: ((_ wallClockOfRecordingZero: WallClockTime) -> Void)?
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
    /// LL-HLS: cuts parts inside segments for the part store; nil without `output.part` (fMP4 only,
    /// copy renditions only). The part store learns of each publication from the barrier.
    var parts: PartSegmenter? {
        didSet {
            barrier.afterPublishing = parts.map { parts in { publisher in parts.store.segmentsPublished(publisher.lowLatencyState) } }
        }
    }
    private var epochs: [Epoch] = []
    /// The media time of the last in-band tag in this epoch: tags must not go back in time.
    private var lastTagTime: MediaTime?

    private var cutter: SegmentCutter
    private var timestampGuard = TimestampGuard()
    private var epoch: Epoch?
    private var epochCount = 0
    /// Whether the input's timestamps jumped at least once.
    var hadDiscontinuity: Bool { epochCount > 1 || pendingDiscontinuity }
    private var pendingDiscontinuity = false
    /// The picture size of the last decoded frame (when cutting on frames).
    private var frameGeometry: String?
    /// The segment being opened follows a change of the input's picture size: EXT-X-DISCONTINUITY.
    private var geometryBreak = false
    /// A picture size change was seen; the next cut carries the discontinuity.
    private var geometryBreakPending = false
    private var segmentOpen = false
    private var segmentStart: MediaTime?
    /// The end (pts + duration) of the latest cut-stream packet of the open segment.
    private var segmentEnd: MediaTime?
    private var nextSequence: Int64
    private(set) var latestMediaMilliseconds: Int64 = 0
    /// The end of the last closed segment, in recording time: where the next epoch starts.
    private var recordedMilliseconds: Int64 = 0
    /// Live inputs: when the input's first packet arrived, and its media time once seen; the
    /// next epoch's PROGRAM-DATE-TIME is derived from it (see ``inputStarted(arrivedAt:)``).
    private var arrival: (wallClock: WallClockTime, firstMediaMilliseconds: Int64?)?
    /// The latest presentation end written, in ms of media time (where a new input continues).
    private var writtenEndMilliseconds: Int64?
    /// A restarted input's timestamps are moved to continue after ``writtenEndMilliseconds``,
    /// so the recording's media timeline never goes back across a reconnect (players and FFmpeg
    /// handle EXT-X-DISCONTINUITY better with monotonic timestamps); set at its first packet.
    private var inputShift: (pending: Bool, milliseconds: Int64) = (false, 0)

    init(
        outputs: [RenditionOutput], publisher: RecordingPublisher, cutStream: Int, streams: [StreamInfo],
        target: MediaTime, isLive: Bool, clock: any WallClock, startDate: WallClockTime?, warnings: WarningCollector,
        markers: MarkersSpec? = nil, firstSequence: Int64 = 1, transcoder: Transcoder? = nil,
        outputPositions: [Int]? = nil, barrier: SegmentBarrier? = nil
    ) {
        self.transcoder = transcoder
        self.outputPositions = outputPositions ?? Array(outputs.indices)
        self.barrier = barrier ?? SegmentBarrier(publisher: publisher, clock: clock)
        let videoStream = streams.first { $0.index == cutStream && $0.mediaType == .video }
        self.cutsOnFrames = transcoder != nil && outputs.isEmpty && videoStream != nil
        self.markers = markers.map {
            MarkerSchedule(carriesDateRanges: $0.carry.contains(.daterange), carriesInBand: $0.carry.contains(.id3))
        }
        self.markerClass = markers?.className ?? MarkersSpec.defaultClassName
        self.alignToMarkers = markers?.align ?? false
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
        if cutsOnFrames, let videoStream {
            transcoder?.videoDecision = { [unowned self] frame in
                // The stream of the current input (a reconnected one may have another time base).
                try cut(on: frame, stream: self.streams[self.cutStream] ?? videoStream)
            }
        }
    }

    /// Handles one packet read from the input.
    func handle(_ packet: Packet) throws {
        guard let stream = streams[packet.streamIndex] else { return }
        if inputShift.pending || inputShift.milliseconds != 0 { shiftRestartedInput(packet, stream: stream) }
        guard let ptsTicks = packet.pts ?? packet.dts, let dtsTicks = packet.dts ?? packet.pts else {
            warnings.count("packets without timestamps were dropped")
            return
        }
        let base = stream.timeBase
        let pts = MediaTime(ticks: ptsTicks, timeBase: base)
        let dts = MediaTime(ticks: dtsTicks, timeBase: base)
        let duration = MediaTime(ticks: packet.duration > 0 ? packet.duration : defaultDuration(stream), timeBase: base)
        let isCut = stream.index == cutStream
        if arrival != nil, arrival?.firstMediaMilliseconds == nil { arrival?.firstMediaMilliseconds = dts.milliseconds }

        switch timestampGuard.judge(stream: stream.index, dts: dts, pts: pts, duration: duration, isCutStream: isCut) {
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

        if let transcoder, cutsOnFrames {
            // The decoded frames decide the cuts (`cut(on:stream:)`).
            try transcoder.decode(packet)
            return
        }

        if isCut {
            switch cutter.feed(time: pts, isCutCandidate: packet.isKeyframe || stream.mediaType == .audio) {
            case .drop:
                warnings.count("packets before the first keyframe were dropped")
                return
            case .open:
                beginEpoch(origin: pts)
                try openSegment(start: pts, decodeStart: dts)
            case .cut:
                try closeSegment(end: pts)
                try openSegment(start: pts, decodeStart: dts)
            case .append:
                if let parts, let epoch {
                    try parts.frame(
                        decodeStart: (dts - epoch.origin).milliseconds, duration: duration.milliseconds,
                        isKeyframe: packet.isKeyframe || stream.mediaType == .audio, outputs: outputs)
                }
            }
            if let epoch, markers?.carriesInBand == true {
                try writeDueMarkers(at: pts, epoch: epoch)
            }
        } else if !segmentOpen {
            return  // before the first keyframe of the epoch: no segment to put it in
        }
        if let transcoder {
            // Every boundary up to this cut-stream packet's decoding time is announced: a later
            // keyframe presents at or after it.
            if isCut { transcoder.advance(to: dts) }
            try transcoder.decode(packet)
        }
        // Only a frame that was written extends the segment (a damaged one may be dropped).
        let written = outputs.isEmpty ? true : try write(packet)
        guard written else { return }
        writtenEndMilliseconds = max(writtenEndMilliseconds ?? .min, (pts + duration).milliseconds)
        guard isCut else { return }
        let end = pts + duration
        if segmentEnd.map({ end > $0 }) ?? true { segmentEnd = end }
        if let epoch {
            // With B-frames the newest packet in decoding order is not the latest in presentation.
            latestMediaMilliseconds = max(
                latestMediaMilliseconds, epoch.recordingOffsetMilliseconds + (end - epoch.origin).milliseconds)
        }
    }

    /// Closes the open segment and publishes final playlists.
    /// - Returns: the markers that were still open and end with the recording (id, duration).
    @discardableResult
    func finish(complete: Bool) throws -> [(id: String, durationMilliseconds: Int64)] {
        // Markers that start inside the last frame: the cut stream never reached their start.
        if segmentOpen, let epoch, let end = segmentEnd, markers?.carriesInBand == true {
            try writeDueMarkers(at: end - .milliseconds(1), epoch: epoch)
        }
        try endEpoch()
        var closedAtEnd: [(id: String, durationMilliseconds: Int64)] = []
        if var schedule = markers {
            // Markers still open end with the recording; markers that start after it cannot be placed.
            let (closed, unplaced) = schedule.finish(recordingEnd: recordedMilliseconds)
            markers = schedule
            let ranges = closed.map { closingRange($0.0, duration: $0.1) }
            barrier.withPublisher { $0.appendToLastSegment(ranges) }
            closedAtEnd = closed.map { ($0.0.id, $0.1) }
            for marker in unplaced {
                warnings.add(
                    "marker \(marker.id) starts at \(formatSeconds(.milliseconds(marker.startMilliseconds))), after the"
                        + " recording ends (\(formatSeconds(.milliseconds(recordedMilliseconds)))); it was not placed")
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
        segmentOpen = false
        var closedAtEnd: [(id: String, durationMilliseconds: Int64)] = []
        if markers != nil, !publisher.renditions.allSatisfy({ $0.playlists.segments.isEmpty }) {
            var ranges = dateRanges(forSegmentEndingAt: recordedMilliseconds)
            let (closed, _) = markers!.finish(recordingEnd: recordedMilliseconds)
            ranges += closed.map { closingRange($0.0, duration: $0.1) }
            publisher.appendToLastSegment(ranges)
            closedAtEnd = closed.map { ($0.0.id, $0.1) }
        }
        try? publisher.publishAll(finished: true)
        parts?.store.finish(publisher.lowLatencyState)
        try? publisher.writeRecordingState(complete: false)
        return closedAtEnd
    }

    // MARK: Live inputs

    /// A live input's first packet arrived at `wallClock` (before the demuxer buffered its
    /// stream parameters): the next epoch's PROGRAM-DATE-TIME is taken from it, so "now" on the
    /// wall clock maps to the media the viewer saw at that moment.
    func inputStarted(arrivedAt wallClock: WallClockTime) {
        arrival = (wallClock, nil)
    }

    /// The live input dropped but the recording goes on: the open segment closes and the epoch
    /// ends; the playlists stay published and unfinished.
    func inputEnded() throws {
        try endEpoch()
    }

    /// A new input continues the recording (a publisher reconnected, or a restarted process
    /// resumed it): its streams replace the old ones (their indexes and time bases may differ),
    /// and its first keyframe starts a new epoch: EXT-X-DISCONTINUITY, a fresh
    /// PROGRAM-DATE-TIME, media sequence numbers continuing. Call after ``inputEnded()``.
    ///
    /// - Throws: `CuepointError` when the transcoded renditions cannot be made from the new input.
    func inputRestarted(cutStream: StreamInfo, streams: [StreamInfo], arrivedAt wallClock: WallClockTime) throws {
        try transcoder?.replaceInput(streams: streams)
        self.cutStream = cutStream.index
        self.streams = Dictionary(uniqueKeysWithValues: streams.map { ($0.index, $0) })
        for output in outputs { output.replaceStreams(streams, metadataTimeBase: cutStream.timeBase) }
        timestampGuard = TimestampGuard()
        cutter.startNewEpoch()
        pendingDiscontinuity = true
        arrival = (wallClock, nil)
        inputShift = (writtenEndMilliseconds != nil, 0)
    }

    /// Continues a live recording that an earlier process left unfinished (``RecordingResume``),
    /// as after a reconnect: segment files are numbered from `nextSequence`, recording time goes
    /// on from `recordedMilliseconds`, and the first epoch of this process is a new one
    /// (EXT-X-DISCONTINUITY, PROGRAM-DATE-TIME from the wall clock but never before
    /// `lastEpoch`'s end). Call before the first packet.
    ///
    /// - Parameter lastEpoch: the wall clock of the last published segment and its recording
    ///   time, in milliseconds; stands for the earlier process's last epoch.
    /// - Parameter mediaEndMilliseconds: the latest presentation end in the last segment; the
    ///   new input's timestamps are moved to continue after it, as after a reconnect.
    func resume(
        nextSequence: Int64, recordedMilliseconds: Int64,
        lastEpoch: (wallClock: WallClockTime, recordingOffsetMilliseconds: Int64), mediaEndMilliseconds: Int64?
    ) {
        self.nextSequence = nextSequence
        self.recordedMilliseconds = recordedMilliseconds
        latestMediaMilliseconds = recordedMilliseconds
        let previous = Epoch(
            origin: .zero(), wallClock: lastEpoch.wallClock, recordingOffsetMilliseconds: lastEpoch.recordingOffsetMilliseconds)
        epoch = previous
        epochs = [previous]
        epochCount = 1
        pendingDiscontinuity = true
        writtenEndMilliseconds = mediaEndMilliseconds
        inputShift = (mediaEndMilliseconds != nil, 0)
    }

    /// Moves a restarted input's timestamps past what was written (see ``inputShift``): its first
    /// packet's DTS goes 100 ms after the latest end written, which covers other streams that
    /// start slightly earlier than the first packet.
    private func shiftRestartedInput(_ packet: Packet, stream: StreamInfo) {
        if inputShift.pending, let first = packet.dts ?? packet.pts, let end = writtenEndMilliseconds {
            inputShift = (false, end + 100 - MediaTime(ticks: first, timeBase: stream.timeBase).milliseconds)
        }
        guard inputShift.milliseconds != 0 else { return }
        let ticks = MediaTime.milliseconds(inputShift.milliseconds).rescaled(to: stream.timeBase).ticks
        packet.pts = packet.pts.map { $0 + ticks }
        packet.dts = packet.dts.map { $0 + ticks }
    }

    // MARK: Markers

    /// Places an accepted marker on the recording.
    func add(_ marker: PlacedMarker) {
        markers?.add(marker)
        if alignToMarkers, let epoch, marker.startMilliseconds >= epoch.recordingOffsetMilliseconds {
            cutter.requestBoundary(at: mediaTime(ofRecording: marker.startMilliseconds, in: epoch))
        }
    }

    /// Takes over the markers of a resumed recording's log (see
    /// ``MarkerSchedule/resume(logged:published:recordedUntil:)``); call after
    /// ``resume(nextSequence:recordedMilliseconds:lastEpoch:mediaEndMilliseconds:)``.
    ///
    /// - Returns: the markers placed again because no published playlist had them.
    func resumeMarkers(_ logged: [PlacedMarker], published: [DateRange]) -> [PlacedMarker] {
        markers?.resume(logged: logged, published: published, recordedUntil: recordedMilliseconds) ?? []
    }

    /// Closes an open marker; false when no open marker has this ID.
    func close(id: String, durationMilliseconds: Int64) -> Bool {
        markers?.close(id: id, durationMilliseconds: durationMilliseconds) ?? false
    }

    /// Writes the ID3 tags of the markers whose start the cut stream has reached at `pts`.
    private func writeDueMarkers(at pts: MediaTime, epoch: Epoch) throws {
        let now = epoch.recordingOffsetMilliseconds + (pts - epoch.origin).milliseconds
        guard let due = markers?.dueInBand(at: now), !due.isEmpty else { return }
        for item in due {
            let placed = item.marker
            let inThisEpoch = placed.startMilliseconds >= epoch.recordingOffsetMilliseconds
            var time = item.late || !inThisEpoch ? pts : mediaTime(ofRecording: placed.startMilliseconds, in: epoch)
            // With B-frames the packet that triggers a late tag may present after an on-time
            // tag's start; the timed-ID3 stream's timestamps must still increase.
            if let last = lastTagTime, time <= last { time = last + .milliseconds(1) }
            lastTagTime = time
            if item.late {
                warnings.add(
                    "marker \(placed.id) arrived after its start (\(formatSeconds(.milliseconds(placed.startMilliseconds))))"
                        + " was published; its in-band tag is late, at \(formatSeconds(.milliseconds(now)))")
            }
            let tag = try ID3Tag(frames: [
                .userText(description: "com.cuepoint.marker", value: String(decoding: placed.cardJSON, as: UTF8.self)),
                .privateData(owner: "com.cuepoint.marker", data: Array(placed.id.utf8)),
            ]).encoded()
            for output in outputs { try output.writeTimedMetadata(tag, at: time, eventID: item.eventID) }
            transcoder?.enqueueTimedMetadata(tag, at: time, eventID: item.eventID)
        }
    }

    /// The date ranges published with a segment that ends at recording time `end`.
    private func dateRanges(forSegmentEndingAt end: Int64) -> [DateRange] {
        guard markers != nil else { return [] }
        let (opened, closed) = markers!.forSegment(endingAt: end)
        return opened.map { $0.dateRange(className: markerClass, recordingStart: wallClockOfRecordingZero(for: $0.startMilliseconds)) }
            + closed.map { closingRange($0.0, duration: $0.1) }
    }

    private func closingRange(_ marker: PlacedMarker, duration: Int64) -> DateRange {
        marker.closingDateRange(
            className: markerClass, recordingStart: wallClockOfRecordingZero(for: marker.startMilliseconds),
            durationMilliseconds: duration)
    }

    /// The wall clock that recording time 0 has in the epoch holding recording time `time`, so
    /// that `start + time` is the PROGRAM-DATE-TIME timeline of the segment holding it.
    private func wallClockOfRecordingZero(for time: Int64) -> WallClockTime {
        let epoch = epochs.last { $0.recordingOffsetMilliseconds <= time } ?? epochs.first
        guard let epoch else { return startDate ?? clock.now() }
        return epoch.wallClock.advanced(by: .milliseconds(-epoch.recordingOffsetMilliseconds))
    }

    /// The media time (cut-stream timeline) of recording time `time` within `epoch`.
    private func mediaTime(ofRecording time: Int64, in epoch: Epoch) -> MediaTime {
        epoch.origin + .milliseconds(time - epoch.recordingOffsetMilliseconds)
    }

    // MARK: Steps

    /// Writes the packet to every rendition; false when the muxers rejected it as damaged.
    private func write(_ packet: Packet) throws -> Bool {
        var written = false
        for (position, output) in outputs.enumerated() {
            // The muxer consumes the payload, so every rendition but the last gets a reference of its own.
            let copy = position == outputs.count - 1 ? packet : try packet.clone()
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

    private func beginEpoch(origin: MediaTime) {
        var wallClock: WallClockTime
        let offset: Int64
        if let previous = epoch {
            offset = recordedMilliseconds
            wallClock = isLive ? clock.now() : previous.wallClock.advanced(by: .milliseconds(offset - previous.recordingOffsetMilliseconds))
        } else {
            offset = 0
            wallClock = startDate ?? clock.now()
        }
        if isLive, let arrival {
            // The input's first packet arrived at `arrival.wallClock`; the origin (a keyframe) is
            // that far into its media.
            wallClock = arrival.wallClock.advanced(
                by: .milliseconds(max(0, origin.milliseconds - (arrival.firstMediaMilliseconds ?? origin.milliseconds))))
            self.arrival = nil
        }
        if let previous = epochs.last, wallClock < previous.wallClock.advanced(by: .milliseconds(offset - previous.recordingOffsetMilliseconds)) {
            // PROGRAM-DATE-TIME never goes back (a fast publisher, a resumed recording).
            wallClock = previous.wallClock.advanced(by: .milliseconds(offset - previous.recordingOffsetMilliseconds))
        }
        let epoch = Epoch(origin: origin, wallClock: wallClock, recordingOffsetMilliseconds: offset)
        self.epoch = epoch
        epochs.append(epoch)
        lastTagTime = nil
        epochCount += 1
        onEpoch?(wallClock.advanced(by: .milliseconds(-offset)))
        if alignToMarkers, let starts = markers?.upcomingStarts {
            for start in starts where start > offset { cutter.requestBoundary(at: mediaTime(ofRecording: start, in: epoch)) }
        }
    }

    private func openSegment(start: MediaTime, decodeStart: MediaTime? = nil) throws {
        for output in outputs { try output.openSegment(sequence: nextSequence) }
        transcoder?.announce(boundary: start, sequence: nextSequence, forceKeyframe: !cutsOnFrames)
        if let parts, let epoch {
            let offset = (start - epoch.origin).milliseconds
            let decodeOffset = ((decodeStart ?? start) - epoch.origin).milliseconds
            parts.segmentOpened(
                sequence: nextSequence, start: offset, decodeStart: decodeOffset, outputs: outputs,
                discontinuity: pendingDiscontinuity && epochCount > 1,
                programDateTime: epoch.wallClock.advanced(by: .milliseconds(offset)))
        }
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
        let completedAt = DispatchTime.now().uptimeNanoseconds
        let startOffset = (start - epoch.origin).milliseconds
        let endOffset = max((end - epoch.origin).milliseconds, startOffset + 1)
        let discontinuity = (pendingDiscontinuity && epochCount > 1) || geometryBreak
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
        segmentOpen = false
        nextSequence += 1
        recordedMilliseconds = epoch.recordingOffsetMilliseconds + endOffset
        // Transcoded renditions add their files when their encoders reach the cut; the barrier
        // publishes segment N when all are there.
        try barrier.add(
            SegmentBarrier.Segment(
                sequence: sequence, durationMilliseconds: endOffset - startOffset, discontinuity: discontinuity,
                programDateTime: epoch.wallClock.advanced(by: .milliseconds(startOffset)),
                mediaStartMilliseconds: epoch.recordingOffsetMilliseconds + startOffset,
                dateRanges: dateRanges(forSegmentEndingAt: recordedMilliseconds), completedAt: completedAt))
    }

    private func endEpoch() throws {
        // The decoder's last frames may still extend (or, cutting on frames, cut) the segment.
        try transcoder?.drainDecoder()
        if segmentOpen { try closeSegment(end: segmentEnd ?? segmentStart!) }
        try transcoder?.finishEpoch()
        for output in outputs { try output.endEpoch() }
    }

    /// Cutting on decoded frames: the cut rule applied to each frame in presentation order
    /// (every frame may start a segment); returns whether the frame must be an IDR picture.
    /// A change of the picture size starts a new segment there, marked EXT-X-DISCONTINUITY.
    private func cut(on frame: Frame, stream: StreamInfo) throws -> SourceDecoder.FrameDecision {
        guard let ticks = frame.pts ?? frame.bestEffortTimestamp else {
            warnings.count("decoded frames without timestamps were dropped")
            return .skip
        }
        let pts = MediaTime(ticks: ticks, timeBase: stream.timeBase)
        let geometry = "\(frame.width)x\(frame.height)"
        if let previous = frameGeometry, previous != geometry, segmentOpen {
            warnings.add(
                "the input's pictures change from \(previous) to \(geometry) at \(formatSeconds(.milliseconds(latestMediaMilliseconds)))"
                    + "; the transcoded renditions keep their sizes and start a segment there with EXT-X-DISCONTINUITY")
            cutter.requestBoundary(at: pts)
            geometryBreakPending = true
        }
        frameGeometry = geometry
        var forced = false
        switch cutter.feed(time: pts, isCutCandidate: true) {
        case .drop:
            return .skip
        case .open:
            beginEpoch(origin: pts)
            try openSegment(start: pts)
            forced = true
        case .cut:
            try closeSegment(end: pts)
            geometryBreak = geometryBreakPending
            geometryBreakPending = false
            try openSegment(start: pts)
            forced = true
        case .append:
            // Not later than the segment's start (a repeated timestamp): the encoder drops it.
            break
        }
        if let epoch, markers?.carriesInBand == true { try writeDueMarkers(at: pts, epoch: epoch) }
        transcoder?.advance(to: pts)
        let duration = MediaTime(ticks: frame.duration > 0 ? frame.duration : defaultDuration(stream), timeBase: stream.timeBase)
        let end = pts + duration
        if segmentEnd.map({ end > $0 }) ?? true { segmentEnd = end }
        writtenEndMilliseconds = max(writtenEndMilliseconds ?? .min, end.milliseconds)
        if let epoch {
            latestMediaMilliseconds = max(
                latestMediaMilliseconds, epoch.recordingOffsetMilliseconds + (end - epoch.origin).milliseconds)
        }
        return .encode(forceKeyframe: forced)
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
