import CuepointTime

/// The replay's timeline: the usable segments of the recording, back to back.
///
/// Replay time 0 is the start of the first usable segment; each usable segment follows the one
/// before it, so a dropped segment leaves no gap (the next one is marked as a discontinuity).
/// Markers are placed by mapping their recording time (the sum of EXTINF before them) into it.
public struct ReplayTimeline: Sendable, Equatable {
    /// One segment of the replay.
    public struct Entry: Sendable, Equatable {
        /// Index into each rendition's playlist segments.
        public var index: Int
        public var recordingStartMilliseconds: Int64
        public var replayStartMilliseconds: Int64
        public var durationMilliseconds: Int64
        /// Whether the segment before it in the replay is not the one before it in the recording
        /// (a dropped segment), or the recording had a discontinuity here.
        public var discontinuity: Bool
        public var replayEndMilliseconds: Int64 { replayStartMilliseconds + durationMilliseconds }
    }

    public private(set) var entries: [Entry] = []

    /// The replay's duration in milliseconds.
    public var durationMilliseconds: Int64 { entries.last?.replayEndMilliseconds ?? 0 }

    /// Builds the timeline from the slots of a source.
    ///
    /// - Parameters:
    ///   - slots: The recording's segment grid.
    ///   - discontinuities: Whether the recording marks a discontinuity before slot `i`.
    public init(slots: [ReplaySource.Slot], discontinuities: [Bool]) {
        var replayTime: Int64 = 0
        var previous: Int?
        for slot in slots where slot.usable {
            let skipped = previous.map { slot.index != $0 + 1 } ?? false
            let marked = slot.index < discontinuities.count && discontinuities[slot.index]
            entries.append(
                Entry(
                    index: slot.index, recordingStartMilliseconds: slot.recordingStartMilliseconds,
                    replayStartMilliseconds: replayTime, durationMilliseconds: slot.durationMilliseconds,
                    discontinuity: previous != nil && (skipped || marked)))
            replayTime += slot.durationMilliseconds
            previous = slot.index
        }
    }

    /// The replay time of recording time `time` (milliseconds).
    ///
    /// A time inside a dropped segment maps to where the next kept segment starts; a time
    /// before the first kept segment or after the last keeps its distance to it, so it stays
    /// outside the replay (and the chapter plan reports it).
    public func replayTime(ofRecording time: Int64) -> Int64 {
        guard let first = entries.first, let last = entries.last else { return time }
        if time < first.recordingStartMilliseconds { return time - first.recordingStartMilliseconds }
        let recordingEnd = last.recordingStartMilliseconds + last.durationMilliseconds
        if time >= recordingEnd { return durationMilliseconds + (time - recordingEnd) }
        for entry in entries where time < entry.recordingStartMilliseconds + entry.durationMilliseconds {
            return entry.replayStartMilliseconds + max(0, time - entry.recordingStartMilliseconds)
        }
        return durationMilliseconds
    }

    /// The entry holding replay time `time` (milliseconds); the last one for the end.
    public func entry(atReplay time: Int64) -> Entry? {
        entries.last { $0.replayStartMilliseconds <= time } ?? entries.first
    }
}
