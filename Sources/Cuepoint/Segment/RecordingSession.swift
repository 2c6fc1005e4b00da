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
    var onSegmentsPublished: ((_ records: [SegmentRecord], _ latencyNanoseconds: UInt64) -> Void)?
    /// LL-HLS: cuts parts inside segments for the part store; nil without `output.part` (fMP4 only).
    var parts: PartSegmenter?
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
        markers: MarkersSpec? = nil, firstSequence: Int64 = 1
    ) {
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
            publisher.appendToLastSegment(closed.map { closingRange($0.0, duration: $0.1) })
            closedAtEnd = closed.map { ($0.0.id, $0.1) }
            for marker in unplaced {
                warnings.add(
                    "marker \(marker.id) starts at \(formatSeconds(.milliseconds(marker.startMilliseconds))), after the"
                        + " recording ends (\(formatSeconds(.milliseconds(recordedMilliseconds)))); it was not placed")
            }
        }
        try publisher.publishAll(finished: true)
        parts?.store.finish(publisher.lowLatencyState)
        try publisher.writeRecordingState(complete: complete)
        return closedAtEnd
    }

    /// After a failure: drops the partial segment and publishes what was completed, finished.
    func salvage() {
        for output in outputs { output.abandon() }
        segmentOpen = false
        try? publisher.publishAll(finished: true)
        parts?.store.finish(publisher.lowLatencyState)
        try? publisher.writeRecordingState(complete: false)
    }

    // MARK: Markers

    /// Places an accepted marker on the recording.
    func add(_ marker: PlacedMarker) {
        markers?.add(marker)
        if alignToMarkers, let epoch, marker.startMilliseconds >= epoch.recordingOffsetMilliseconds {
            cutter.requestBoundary(at: mediaTime(ofRecording: marker.startMilliseconds, in: epoch))
        }
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
        let discontinuity = pendingDiscontinuity && epochCount > 1
        pendingDiscontinuity = false
        var records: [SegmentRecord] = []
        try parts?.segmentClosing(end: endOffset, outputs: outputs)
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
        try publisher.add(
            records, initURIs: outputs.map(\.initURI), dateRanges: dateRanges(forSegmentEndingAt: recordedMilliseconds),
            now: clock.now())
        parts?.store.segmentsPublished(publisher.lowLatencyState)
        onSegmentsPublished?(records, DispatchTime.now().uptimeNanoseconds - completedAt)
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
