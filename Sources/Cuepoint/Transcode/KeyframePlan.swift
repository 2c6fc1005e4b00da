public import CuepointTime

/// Where every encoder of a ladder puts its IDR pictures: exactly at the segment
/// boundaries, the same media times in every rendition, and nowhere else.
///
/// ## Why forced, and why only there
///
/// The segment cutter ends a segment at the first keyframe at or after each grid line
/// (`origin + k × segmentDuration`, see ``SegmentCutter``). If every rendition has an IDR
/// on the first frame at or after each grid line, and no keyframe elsewhere, every
/// rendition cuts at the same frames: the same segment count and durations across the
/// ladder, which players need to switch renditions at segment boundaries.
///
/// So the encoders do not choose keyframes:
/// - a frame is a *forced* IDR when it is the first frame, or the first frame at or after a
///   boundary (a grid line, or one of ``extraBoundaries``, such as a product marker's start
///   when segments align to markers); `Frame.forceKeyframe()` with x264's `forced-idr`;
/// - x264's scene-cut detection is off (`scenecut=0`), so no I picture appears mid-segment;
/// - x264's own keyframe interval (`keyint`) is twice the frames of a segment. A segment
///   can hold more frames than its nominal count (frame rate jitter, variable frame rate), and
///   x264 must not place a keyframe of its own just before a boundary; a finite interval
///   still gives keyframes should the boundaries stop (a broken clock).
///
/// The decisions are pure: times in, yes/no out, no encoder, no clock. Times are exact
/// (`MediaTime`): a frame at exactly a boundary is forced, one a tick before is not.
public struct KeyframePlan: Sendable, Hashable {
    /// The target segment duration: the spacing of the boundary grid.
    public let segmentDuration: MediaTime
    /// The source's nominal frame rate; nil when unknown (then x264's interval is unlimited).
    public let frameRate: Rational?
    /// The grid's anchor; nil anchors it at the first frame, as the segment cutter does.
    public let origin: MediaTime?
    /// Boundaries off the grid, ascending.
    public let extraBoundaries: [MediaTime]

    /// - Parameters:
    ///   - segmentDuration: positive.
    ///   - frameRate: the nominal frame rate, nil when unknown.
    ///   - origin: where the grid starts; nil for the first frame's time.
    ///   - extraBoundaries: more boundaries, in any order.
    public init(
        segmentDuration: MediaTime, frameRate: Rational?, origin: MediaTime? = nil, extraBoundaries: [MediaTime] = []
    ) {
        precondition(segmentDuration.ticks > 0, "the segment duration must be positive")
        self.segmentDuration = segmentDuration
        self.frameRate = frameRate.flatMap { $0.isValid ? $0 : nil }
        self.origin = origin
        self.extraBoundaries = extraBoundaries.sorted()
    }

    /// Frames in one segment at the nominal frame rate, rounded up: the GOP length (120 for
    /// 4 s at 30 or 29.97 fps). Nil when the frame rate is unknown.
    public var framesPerSegment: Int? {
        guard let frameRate else { return nil }
        let seconds = segmentDuration.timeBase
        // ticks × (num/den) seconds × (rate.num/rate.den) frames per second, rounded up.
        let numerator = Int128(segmentDuration.ticks) * Int128(seconds.numerator) * Int128(frameRate.numerator)
        let denominator = Int128(seconds.denominator) * Int128(frameRate.denominator)
        return max(1, Int((numerator + denominator - 1) / denominator))
    }

    /// x264's largest keyframe interval in frames (`keyint`): twice a segment; nil (unlimited) when
    /// the frame rate is unknown.
    public var maximumKeyframeInterval: Int? { framesPerSegment.map { $0 * 2 } }

    /// The `x264-params` that leave keyframe placement to the forced frames:
    /// `keyint=240:min-keyint=120:scenecut=0` for 4 s at 30 fps, `keyint=infinite:scenecut=0`
    /// without a frame rate.
    public var x264Parameters: String {
        guard let gop = framesPerSegment, let interval = maximumKeyframeInterval else {
            return "keyint=infinite:scenecut=0"
        }
        return "keyint=\(interval):min-keyint=\(gop):scenecut=0"
    }

    /// The libx264 options that carry the plan: `x264-params` and `forced-idr=1` (a forced
    /// keyframe is an IDR, not a mere I picture that B-frames could reference across).
    public var encoderOptions: [String: String] { ["x264-params": x264Parameters, "forced-idr": "1"] }

    /// Whether the frame at `time` must be an IDR picture.
    ///
    /// - Parameters:
    ///   - time: the frame's presentation time.
    ///   - previous: the presentation time of the frame before it; nil for the first frame.
    ///   - firstFrame: the time of the stream's first frame (the grid's anchor when ``origin``
    ///     is nil).
    /// - Returns: true for the first frame, and for a frame with a boundary `b` such that
    ///   `previous < b ≤ time`.
    public func isForcedKeyframe(at time: MediaTime, previous: MediaTime?, firstFrame: MediaTime) -> Bool {
        guard let previous else { return true }
        guard time > previous else { return false }
        if let index = extraBoundaries.firstIndex(where: { $0 > previous }), extraBoundaries[index] <= time {
            return true
        }
        let anchor = origin ?? firstFrame
        guard time >= anchor else { return false }
        // The grid line at or before a time is origin + cell × segmentDuration; a boundary lies
        // in (previous, time] exactly when the two times are in different cells.
        guard previous >= anchor else { return true }
        return cell(of: time, anchor: anchor) > cell(of: previous, anchor: anchor)
    }

    /// floor((time − anchor) / segmentDuration) for time ≥ anchor, computed exactly.
    func cell(of time: MediaTime, anchor: MediaTime) -> Int64 {
        // (t.ticks·t.num/t.den − a.ticks·a.num/a.den) / (s.ticks·s.num/s.den), over one denominator.
        let (t, a, s) = (time.timeBase, anchor.timeBase, segmentDuration.timeBase)
        let elapsed =
            Int128(time.ticks) * Int128(t.numerator) * Int128(a.denominator)
            - Int128(anchor.ticks) * Int128(a.numerator) * Int128(t.denominator)
        let numerator = elapsed * Int128(s.denominator)
        let denominator =
            Int128(t.denominator) * Int128(a.denominator) * Int128(segmentDuration.ticks) * Int128(s.numerator)
        return Int64(numerator / denominator)
    }

    /// Follows one stream's frames through the plan: remembers the first and the previous
    /// frame, so the caller asks only "this frame?".
    public struct Cursor: Sendable {
        public let plan: KeyframePlan
        public private(set) var firstFrame: MediaTime?
        public private(set) var previous: MediaTime?

        public init(plan: KeyframePlan) { self.plan = plan }

        /// Whether the frame at `time` (later than the previous one) must be an IDR picture.
        public mutating func isForcedKeyframe(at time: MediaTime) -> Bool {
            let first = firstFrame ?? time
            firstFrame = first
            defer { previous = time }
            return plan.isForcedKeyframe(at: time, previous: previous, firstFrame: first)
        }
    }
}
