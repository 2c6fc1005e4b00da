import CuepointTime

/// The recording's clock: its epochs and the mapping between the three times a recording
/// speaks in. A value fed events, with the wall clock passed in; no I/O, no FFmpeg.
///
/// - **Media time**: the input's timestamps (the cut stream's time base), as packets carry them.
///   They restart or jump when a publisher reconnects or the input's clock breaks.
/// - **Recording time**: milliseconds since the recording's first segment started, counted
///   along the published segments (the sum of EXTINF). Markers live here, and so do replays.
/// - **Wall-clock time**: EXT-X-PROGRAM-DATE-TIME and the START-DATE of date ranges.
///
/// An **epoch** is a stretch of continuous media time: the first one starts with the
/// recording; each discontinuity (timestamps that jump, a publisher that reconnects, a process
/// that resumes the recording) starts another. Within an epoch the three times move together:
///
///     recording time t  ↔  media time   origin + (t − recordingOffset)
///                       ↔  wall clock   wallClock + (t − recordingOffset)
///
/// Across epochs, recording time goes on from the end of the last closed segment (no gap),
/// and wall-clock time is taken afresh (live: when the new input's first packet arrived) but
/// never goes back. The same mapping gives every segment its PROGRAM-DATE-TIME and every
/// marker its START-DATE, so each START-DATE falls in the segment that holds its media.
///
/// A restarted input (reconnect, resume) also gets a **shift** of its timestamps, so that the
/// recording's media time stays monotonic across the break: its first packet is placed 100 ms
/// after the latest presentation end written before.
struct Timeline: Sendable, Equatable {
    /// One stretch of continuous media time.
    struct Epoch: Sendable, Equatable {
        /// Media time of the epoch's first segment start (its cut grid's origin).
        var origin: MediaTime
        /// Wall-clock time of `origin`.
        var wallClock: WallClockTime
        /// Recording time of `origin`, in milliseconds.
        var recordingOffsetMilliseconds: Int64

        /// The recording time of media time `media` in this epoch, in milliseconds.
        func recordingTime(of media: MediaTime) -> Int64 {
            recordingOffsetMilliseconds + (media - origin).milliseconds
        }

        /// The media time of recording time `time` (milliseconds) in this epoch.
        func mediaTime(ofRecording time: Int64) -> MediaTime {
            origin + .milliseconds(time - recordingOffsetMilliseconds)
        }

        /// The wall-clock time of a point `offset` milliseconds after the epoch's origin.
        func wallClock(atOffset offset: Int64) -> WallClockTime {
            wallClock.advanced(by: .milliseconds(offset))
        }

        /// The wall clock that recording time 0 has on this epoch's mapping.
        var recordingZero: WallClockTime { wallClock.advanced(by: .milliseconds(-recordingOffsetMilliseconds)) }
    }

    /// Whether the input is live: each epoch's wall clock then comes from its input's arrival.
    let isLive: Bool
    /// For recorded inputs, the wall-clock time of recording time 0 (`input.start_date`, or the
    /// moment the run started); nil for live inputs.
    let startDate: WallClockTime?

    /// Every epoch so far, oldest first (a resumed recording starts with one standing for the
    /// earlier process's last).
    private(set) var epochs: [Epoch] = []
    /// The end of the last closed segment, in recording time (ms): where the next epoch starts.
    private(set) var recordedMilliseconds: Int64 = 0
    /// The latest presentation end of the cut stream, in recording time (ms): how far the media goes.
    private(set) var reachedMilliseconds: Int64 = 0
    /// The latest presentation end written in any stream, in ms of media time; nil before the first.
    private(set) var writtenEndMilliseconds: Int64?
    /// A live input's arrival: the wall clock of its first packet, then that packet's media time.
    private var arrival: Arrival?
    /// The shift of a restarted input's timestamps, in ms; pending until its first packet.
    private var shift = Shift(pending: false, milliseconds: 0)

    private struct Arrival: Sendable, Equatable {
        var wallClock: WallClockTime
        var firstMediaMilliseconds: Int64?
    }

    private struct Shift: Sendable, Equatable {
        var pending: Bool
        var milliseconds: Int64
    }

    init(isLive: Bool, startDate: WallClockTime?) {
        self.isLive = isLive
        self.startDate = startDate
    }

    /// The epoch being recorded; nil before the first.
    var current: Epoch? { epochs.last }

    /// Whether the recording has more than one epoch: the next epoch's first segment is a discontinuity.
    var hasEarlierEpoch: Bool { epochs.count > 1 }

    // MARK: Events

    /// A live input's first packet arrived at `wallClock`, before the demuxer buffered its stream
    /// parameters: the next epoch's PROGRAM-DATE-TIME is derived from it, so "now" on the wall
    /// clock maps to the media a viewer saw at that moment.
    mutating func inputArrived(at wallClock: WallClockTime) {
        arrival = Arrival(wallClock: wallClock)
    }

    /// A new input continues the recording (a publisher reconnected): it arrived at `wallClock`,
    /// and its timestamps will be shifted past what was written.
    mutating func inputRestarted(arrivedAt wallClock: WallClockTime) {
        arrival = Arrival(wallClock: wallClock)
        shift = Shift(pending: writtenEndMilliseconds != nil, milliseconds: 0)
    }

    /// Continues a recording an earlier process left unfinished: recording time goes on from
    /// `recordedMilliseconds`, an epoch stands for the earlier process's last (its last segment's
    /// PROGRAM-DATE-TIME at its recording time), so the next epoch is a discontinuity whose wall
    /// clock never goes back; the new input's timestamps continue after `mediaEndMilliseconds`
    /// (the latest presentation end in the last segment) when it is known.
    mutating func resume(
        recordedMilliseconds: Int64, lastSegment: (programDateTime: WallClockTime, recordingOffsetMilliseconds: Int64),
        mediaEndMilliseconds: Int64?
    ) {
        self.recordedMilliseconds = recordedMilliseconds
        reachedMilliseconds = recordedMilliseconds
        epochs = [
            Epoch(
                origin: .zero(), wallClock: lastSegment.programDateTime,
                recordingOffsetMilliseconds: lastSegment.recordingOffsetMilliseconds)
        ]
        writtenEndMilliseconds = mediaEndMilliseconds
        shift = Shift(pending: mediaEndMilliseconds != nil, milliseconds: 0)
    }

    /// The shift, in milliseconds, to add to the timestamps of a packet of the current input
    /// whose first timestamp is `timestamp` (its dts, or pts); 0 when the input is not shifted.
    /// The first packet of a restarted input fixes the shift for the whole input.
    mutating func shiftMilliseconds(forPacketAt timestamp: MediaTime?) -> Int64 {
        if shift.pending, let timestamp, let end = writtenEndMilliseconds {
            shift = Shift(pending: false, milliseconds: end + 100 - timestamp.milliseconds)
        }
        return shift.milliseconds
    }

    /// A packet of the current input was read at media time `decodingTime` (after any shift):
    /// the first one after an arrival anchors the arrival's wall clock in the media.
    mutating func sawPacket(at decodingTime: MediaTime) {
        if arrival != nil, arrival?.firstMediaMilliseconds == nil { arrival?.firstMediaMilliseconds = decodingTime.milliseconds }
    }

    /// Starts an epoch whose first segment starts at media time `origin`.
    ///
    /// Its recording time continues from the end of the last closed segment. Its wall clock:
    /// the first epoch of a recorded input takes ``startDate``; later epochs of a recorded input
    /// continue from the previous epoch's mapping; a live input's epoch takes the arrival of its
    /// input's first packet, moved by the media time between that packet and `origin` (or `now`
    /// without an arrival). It never goes back before where the previous epoch's mapping puts
    /// the same recording time (a fast publisher, a resumed recording).
    ///
    /// - Parameter now: the wall clock now, used when nothing else fixes the epoch's wall clock.
    mutating func beginEpoch(origin: MediaTime, now: WallClockTime) -> Epoch {
        var wallClock: WallClockTime
        let offset: Int64
        if let previous = epochs.last {
            offset = recordedMilliseconds
            wallClock = isLive ? now : previous.wallClock(atOffset: offset - previous.recordingOffsetMilliseconds)
        } else {
            offset = 0
            wallClock = startDate ?? now
        }
        if isLive, let arrival {
            wallClock = arrival.wallClock.advanced(
                by: .milliseconds(max(0, origin.milliseconds - (arrival.firstMediaMilliseconds ?? origin.milliseconds))))
            self.arrival = nil
        }
        if let previous = epochs.last {
            let continued = previous.wallClock(atOffset: offset - previous.recordingOffsetMilliseconds)
            if wallClock < continued { wallClock = continued }
        }
        let epoch = Epoch(origin: origin, wallClock: wallClock, recordingOffsetMilliseconds: offset)
        epochs.append(epoch)
        return epoch
    }

    /// A segment of the current epoch closed `endOffset` milliseconds after the epoch's origin.
    mutating func segmentClosed(endOffsetMilliseconds endOffset: Int64) {
        guard let epoch = epochs.last else { return }
        recordedMilliseconds = epoch.recordingOffsetMilliseconds + endOffset
    }

    /// A frame of the cut stream that presents until media time `end` was written.
    mutating func reached(_ end: MediaTime) {
        guard let epoch = epochs.last else { return }
        reachedMilliseconds = max(reachedMilliseconds, epoch.recordingTime(of: end))
    }

    /// A packet of any stream that presents until media time `end` was written.
    mutating func wrote(until end: MediaTime) {
        writtenEndMilliseconds = max(writtenEndMilliseconds ?? .min, end.milliseconds)
    }

    // MARK: Mapping

    /// The epoch that holds recording time `time`: the latest that starts at or before it (the
    /// first when none does); nil before any epoch.
    func epoch(holding time: Int64) -> Epoch? {
        epochs.last { $0.recordingOffsetMilliseconds <= time } ?? epochs.first
    }

    /// The wall clock that recording time 0 has on the mapping of the epoch holding `time`, so
    /// that `recordingZero + time` is the PROGRAM-DATE-TIME timeline of the segment holding it;
    /// before any epoch, ``startDate`` (nil for a live input).
    func recordingZero(for time: Int64) -> WallClockTime? {
        epoch(holding: time)?.recordingZero ?? startDate
    }

    /// The wall-clock time of recording time `time` (see ``recordingZero(for:)``).
    func wallClock(ofRecording time: Int64) -> WallClockTime? {
        recordingZero(for: time)?.advanced(by: .milliseconds(time))
    }
}
