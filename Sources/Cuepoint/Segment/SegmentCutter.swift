public import CuepointTime

/// Decides where segments begin: a pure state machine fed the packets of the *cut stream*
/// (the video stream, or the audio stream of an audio-only rendition). No I/O, no clock.
///
/// ## The rule
///
/// Target boundaries lie on a fixed grid anchored at the epoch's origin (the first cut
/// candidate of the epoch): `origin + k × target` for k = 1, 2, …. The segment that started at
/// time `s` lies in grid cell `floor((s − origin) / target)`; it ends at the first cut
/// candidate (a keyframe; any audio packet for audio-only) whose time is at or after the
/// next grid line, `origin + (cell(s) + 1) × target`.
///
/// Because the grid depends only on the origin and the target, never on where earlier cuts
/// happened to land, renditions whose keyframes sit at the same media times cut at the same
/// times without talking to each other (as Shaka Packager's chunking handler does), and a
/// late keyframe in one segment does not push every later boundary back.
///
/// ## Requested boundaries
///
/// `requestBoundary(at:)` adds a boundary off the grid (a product marker's start with
/// `markers.align`): the segment also ends at the first cut candidate at or after it. The
/// grid is unaffected, so the next grid line still ends the following segment.
public struct SegmentCutter: Sendable {
    /// What to do with the packet that was just fed.
    public enum Action: Equatable, Sendable {
        /// Drop it: no segment is open yet and it cannot start one (a leading non-keyframe).
        case drop
        /// Start the first segment of the epoch with this packet.
        case open
        /// Append it to the open segment.
        case append
        /// Close the open segment and start a new one with this packet.
        case cut
    }

    /// The target segment duration.
    public let target: MediaTime
    /// The grid's anchor: the time of the epoch's first cut candidate; nil before it.
    public private(set) var origin: MediaTime?
    /// The start time of the open segment; nil before the first.
    public private(set) var segmentStart: MediaTime?
    /// Requested boundaries not reached yet, in ascending order.
    public private(set) var requestedBoundaries: [MediaTime] = []

    public init(target: MediaTime) {
        precondition(target.ticks > 0, "the target segment duration must be positive")
        self.target = target
    }

    /// Feeds one packet of the cut stream.
    ///
    /// - Parameters:
    ///   - time: the packet's presentation time.
    ///   - isCutCandidate: whether a segment may start at this packet (a keyframe).
    public mutating func feed(time: MediaTime, isCutCandidate: Bool) -> Action {
        guard let start = segmentStart, let origin else {
            guard isCutCandidate else { return .drop }
            origin = time
            segmentStart = time
            return .open
        }
        guard isCutCandidate, time > start else { return .append }
        if let first = requestedBoundaries.first, first <= start { requestedBoundaries.removeAll { $0 <= start } }
        let requested = requestedBoundaries.first.map { $0 <= time } ?? false
        guard requested || time >= nextBoundary(after: start, origin: origin) else { return .append }
        requestedBoundaries.removeAll { $0 <= time }
        segmentStart = time
        return .cut
    }

    /// Asks for a segment boundary at the first cut candidate at or after `time`.
    public mutating func requestBoundary(at time: MediaTime) {
        let index = requestedBoundaries.firstIndex { $0 > time } ?? requestedBoundaries.endIndex
        requestedBoundaries.insert(time, at: index)
    }

    /// Forgets the epoch: the next cut candidate opens a new first segment on a new grid
    /// (after a discontinuity, when timestamps restart).
    public mutating func startNewEpoch() {
        origin = nil
        segmentStart = nil
        requestedBoundaries = []
    }

    /// The grid line after the cell that holds `start`.
    func nextBoundary(after start: MediaTime, origin: MediaTime) -> MediaTime {
        let base = target.timeBase
        let elapsed = (start - origin).rescaled(to: base, rounding: .down).ticks
        let cell = elapsed >= 0 ? elapsed / target.ticks : (elapsed - target.ticks + 1) / target.ticks
        return origin + MediaTime(ticks: (cell + 1) * target.ticks, timeBase: base)
    }
}
