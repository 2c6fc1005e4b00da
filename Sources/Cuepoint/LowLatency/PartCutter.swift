/// Decides where LL-HLS parts end inside a segment: a pure state machine fed the cut stream's
/// frames, in milliseconds of the epoch (offsets from the epoch's origin, as EXTINF is computed).
///
/// The rule (RFC 8216bis §4.4.4.9: a part lasts at most PART-TARGET; at least 85 % of it unless it
/// is INDEPENDENT or the last of its segment): a part is closed just before the first frame that
/// would make it last longer than the target, so every part lasts at most the target and, with a
/// steady frame rate, more than the target minus one frame. A part may start at any frame; it is
/// INDEPENDENT when it starts with a keyframe (every segment's first part does). The segment cut
/// (`SegmentCutter`) wins: the last part of a segment ends where the segment ends, however short.
///
/// A part's end is the latest presentation end (pts + duration) of the frames in it, so with
/// B-frames a part covers what it presents; durations are differences of these millisecond
/// boundaries, so a segment's parts add up exactly to its EXTINF.
struct PartCutter {
    /// What to do with a cut-stream frame.
    enum Decision: Equatable {
        /// Write it into the open part.
        case append
        /// Close the open part, which ends at `end` (ms of the epoch), then write the frame into a
        /// new part that starts there.
        case cut(end: Int64)
    }

    /// The part target, in milliseconds.
    let targetMilliseconds: Int64
    /// Where the open part starts (ms of the epoch); nil when no segment is open.
    private(set) var partStart: Int64?
    /// The latest presentation end of the frames in the open part; nil while it is empty.
    private var partEnd: Int64?

    init(targetMilliseconds: Int64) {
        self.targetMilliseconds = targetMilliseconds
    }

    /// A segment opened at `start`: its first part starts there.
    mutating func segmentOpened(at start: Int64) {
        partStart = start
        partEnd = nil
    }

    /// A frame of the cut stream that does not open a segment.
    ///
    /// - Parameters:
    ///   - start: its pts, in ms of the epoch.
    ///   - end: its pts + duration, in ms of the epoch.
    ///   - isCandidate: whether a part may start at it (every video frame; for audio-only
    ///     renditions every audio packet).
    mutating func feed(start: Int64, end: Int64, isCandidate: Bool) -> Decision {
        guard let partStart else { return .append }
        let covered = max(partEnd ?? start, end)
        if isCandidate, let currentEnd = partEnd, currentEnd > partStart, covered - partStart > targetMilliseconds {
            self.partStart = currentEnd
            partEnd = max(currentEnd, end)
            return .cut(end: currentEnd)
        }
        partEnd = covered
        return .append
    }

    /// The open segment closes at `end`: its last part ends there. Returns the last part's start.
    mutating func segmentClosing() -> Int64? {
        defer {
            partStart = nil
            partEnd = nil
        }
        return partStart
    }
}
