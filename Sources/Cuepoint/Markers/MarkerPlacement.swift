import CuepointHLS
import CuepointTime

/// Puts a recording's product markers into its media as it is recorded: the EXT-X-DATERANGE
/// tags published with each segment and the ID3 tags written in-band, on the ``Timeline``'s
/// mapping. Pure: the session asks it, at each packet, each epoch and each closed segment,
/// what to write, and writes it.
///
/// - **Date ranges** follow ``MarkerSchedule``: a marker's tag goes with the first segment that
///   closes after its start; a later close adds a second tag with the same ID and DURATION.
///   START-DATE is the marker's recording time on the wall-clock mapping of the epoch that holds
///   it, the same mapping that gives PROGRAM-DATE-TIME, so it falls in the segment holding it.
/// - **In-band tags** (timed ID3 in TS, `emsg` in fMP4) are due when the cut stream reaches a
///   marker's start, and are stamped with the marker's media time in the current epoch. A
///   marker that arrives after its start was written is stamped where the media is and reported
///   as late. Tag times never go back within an epoch (with B-frames the packet that triggers a
///   late tag may present before an on-time tag's time).
/// - **Aligned cuts** (`markers.align`): each marker's start becomes a requested segment boundary.
struct MarkerPlacement {
    /// An ID3 tag to write in-band.
    struct InBandTag: Equatable {
        /// The encoded ID3v2.4 tag: a TXXX frame with the card JSON and a PRIV frame with the id.
        var bytes: [UInt8]
        /// Where it goes, in the cut stream's media time.
        var time: MediaTime
        /// The `emsg` id.
        var eventID: UInt32
        /// Set when the marker arrived after its start was written: what to tell the user.
        var lateNotice: String?
    }

    /// The CLASS of every date range.
    let className: String
    /// Whether markers' starts become segment boundaries.
    let alignsCuts: Bool
    private var schedule: MarkerSchedule
    /// The media time of the last in-band tag in this epoch: tags must not go back in time.
    private var lastTagTime: MediaTime?

    init(spec: MarkersSpec) {
        className = spec.className
        alignsCuts = spec.align
        schedule = MarkerSchedule(carriesDateRanges: spec.carry.contains(.daterange), carriesInBand: spec.carry.contains(.id3))
    }

    /// Whether markers are written in-band (`carry: [id3]`).
    var carriesInBand: Bool { schedule.carriesInBand }

    /// Adds an accepted marker.
    ///
    /// - Returns: the media time at which the cutter must start a segment (aligned cuts), when
    ///   the marker starts in the current epoch.
    mutating func add(_ marker: PlacedMarker, on timeline: Timeline) -> MediaTime? {
        schedule.add(marker)
        guard alignsCuts, let epoch = timeline.current, marker.startMilliseconds >= epoch.recordingOffsetMilliseconds
        else { return nil }
        return epoch.mediaTime(ofRecording: marker.startMilliseconds)
    }

    /// Takes over the markers of a resumed recording's log (see
    /// ``MarkerSchedule/resume(logged:published:recordedUntil:)``).
    ///
    /// - Returns: the markers placed again because no published playlist had them.
    mutating func resume(logged: [PlacedMarker], published: [DateRange], recordedUntil: Int64) -> [PlacedMarker] {
        schedule.resume(logged: logged, published: published, recordedUntil: recordedUntil)
    }

    /// Closes an open marker after `durationMilliseconds`; false when no open marker has this ID.
    mutating func close(id: String, durationMilliseconds: Int64) -> Bool {
        schedule.close(id: id, durationMilliseconds: durationMilliseconds)
    }

    /// A new epoch began.
    ///
    /// - Returns: the boundaries the cutter must request in it (aligned cuts at the starts of
    ///   the markers still to come).
    mutating func epochBegan(_ epoch: Timeline.Epoch) -> [MediaTime] {
        lastTagTime = nil
        guard alignsCuts else { return [] }
        return schedule.upcomingStarts.filter { $0 > epoch.recordingOffsetMilliseconds }
            .map { epoch.mediaTime(ofRecording: $0) }
    }

    /// The in-band tags of the markers whose start the cut stream has reached at media time
    /// `pts` of `epoch`, in order.
    ///
    /// - Throws: ``ID3TagError`` when a marker's card cannot be encoded as ID3.
    mutating func dueTags(at pts: MediaTime, in epoch: Timeline.Epoch) throws -> [InBandTag] {
        guard schedule.carriesInBand else { return [] }
        let now = epoch.recordingTime(of: pts)
        let due = schedule.dueInBand(at: now)
        var tags: [InBandTag] = []
        for item in due {
            let placed = item.marker
            let inThisEpoch = placed.startMilliseconds >= epoch.recordingOffsetMilliseconds
            var time = item.late || !inThisEpoch ? pts : epoch.mediaTime(ofRecording: placed.startMilliseconds)
            if let last = lastTagTime, time <= last { time = last + .milliseconds(1) }
            lastTagTime = time
            let bytes = try ID3Tag(frames: [
                .userText(description: "com.cuepoint.marker", value: String(decoding: placed.cardJSON, as: UTF8.self)),
                .privateData(owner: "com.cuepoint.marker", data: Array(placed.id.utf8)),
            ]).encoded()
            tags.append(
                InBandTag(
                    bytes: bytes, time: time, eventID: item.eventID,
                    lateNotice: item.late
                        ? "marker \(placed.id) arrived after its start (\(SecondsText.format(milliseconds: placed.startMilliseconds)))"
                            + " was published; its in-band tag is late, at \(SecondsText.format(milliseconds: now))"
                        : nil))
        }
        return tags
    }

    /// The date ranges published with a segment that ends at recording time `end` (ms).
    ///
    /// - Parameter now: the wall clock, for a recording with no epoch yet (never in practice).
    mutating func dateRanges(forSegmentEndingAt end: Int64, on timeline: Timeline, now: WallClockTime) -> [DateRange] {
        let (opened, closed) = schedule.forSegment(endingAt: end)
        return opened.map { $0.dateRange(className: className, recordingStart: zero(for: $0, timeline, now)) }
            + closed.map { closingRange($0.0, duration: $0.1, timeline, now) }
    }

    /// The recording ended at `recordingEnd` (ms): markers still open end with it.
    ///
    /// - Returns: the closing date ranges to add to the last segment, the markers closed so
    ///   (id and duration, for the log), and the markers that start after the end (never placed).
    mutating func finish(recordingEnd: Int64, on timeline: Timeline, now: WallClockTime) -> (
        closingRanges: [DateRange], closed: [(id: String, durationMilliseconds: Int64)], unplaced: [PlacedMarker]
    ) {
        let (closed, unplaced) = schedule.finish(recordingEnd: recordingEnd)
        return (closed.map { closingRange($0.0, duration: $0.1, timeline, now) }, closed.map { ($0.0.id, $0.1) }, unplaced)
    }

    private func closingRange(_ marker: PlacedMarker, duration: Int64, _ timeline: Timeline, _ now: WallClockTime)
        -> DateRange
    {
        marker.closingDateRange(
            className: className, recordingStart: zero(for: marker, timeline, now), durationMilliseconds: duration)
    }

    private func zero(for marker: PlacedMarker, _ timeline: Timeline, _ now: WallClockTime) -> WallClockTime {
        timeline.recordingZero(for: marker.startMilliseconds) ?? now
    }
}
