public import CuepointTime

/// Watches each stream's decoding timestamps and decides, per packet, whether it continues
/// the current timeline, starts a new one (a discontinuity), or must be dropped. Pure.
///
/// ## The rule
///
/// - On the **cut stream** (video, or audio when there is no video): a timestamp that goes
///   backwards by more than `tolerance`, or forwards by more than `maximumGap` past the end
///   of the previous packet, is a discontinuity: the caller closes the segment and starts a
///   new epoch (a new muxer and an EXT-X-DISCONTINUITY). A repeated or slightly backwards
///   timestamp (within `tolerance`) is dropped.
/// - On **other streams**: a packet is admitted only when its time lies within
///   [epoch start − `tolerance`, latest cut-stream time + `maximumGap`] and after that
///   stream's previous admitted packet. Packets of the old timeline that trail a jump are
///   dropped until the stream itself jumps.
/// - On **every stream**, first: a packet that presents more than `maximumGap` after it is
///   decoded is dropped. Frame reordering delays presentation by a few frames; thousands of
///   seconds come from a damaged table (one flipped byte in an MP4's `ctts` sends a frame 2,048 s
///   ahead while its decoding time stays in place). The decoding-time rules cannot see it, and
///   kept, the frame would stretch its segment (and the cut's grid) over that span.
public struct TimestampGuard: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Write the packet.
        case accept
        /// Drop the packet; the timestamp is unusable here.
        case drop(reason: String)
        /// The cut stream jumped: start a new epoch with this packet.
        case discontinuity(jump: MediaTime)
    }

    /// The longest forward gap treated as continuous.
    public var maximumGap: MediaTime
    /// How far back a timestamp may step before it counts as a jump.
    public var tolerance: MediaTime

    private var lastEnd: [Int: MediaTime] = [:]
    private var lastDTS: [Int: MediaTime] = [:]
    private var epochStart: MediaTime?
    private var latestCutTime: MediaTime?

    public init(maximumGap: MediaTime = .seconds(5), tolerance: MediaTime = .milliseconds(500)) {
        self.maximumGap = maximumGap
        self.tolerance = tolerance
    }

    /// Judges one packet.
    ///
    /// - Parameters:
    ///   - stream: the input stream index.
    ///   - dts: the decoding time.
    ///   - pts: the presentation time; nil to judge the decoding time only.
    ///   - duration: the packet's duration (zero when unknown).
    ///   - isCutStream: whether this stream decides the segment boundaries.
    public mutating func judge(
        stream: Int, dts: MediaTime, pts: MediaTime? = nil, duration: MediaTime, isCutStream: Bool
    ) -> Verdict {
        if let pts, pts > dts + maximumGap { return .drop(reason: "presentation time far from the decoding time") }
        if isCutStream {
            if let previous = lastDTS[stream], let end = lastEnd[stream] {
                if dts < previous - tolerance || dts > end + maximumGap {
                    startEpoch(at: dts, stream: stream, duration: duration)
                    return .discontinuity(jump: dts - end)
                }
                if dts <= previous { return .drop(reason: "repeated or backwards timestamp") }
            } else if epochStart == nil {
                epochStart = dts
            }
            record(stream: stream, dts: dts, duration: duration)
            latestCutTime = max(latestCutTime ?? dts, dts)
            return .accept
        }
        if let start = epochStart, let latest = latestCutTime {
            if dts < start - tolerance || dts > latest + maximumGap {
                return .drop(reason: "timestamp outside the current timeline")
            }
        }
        if let previous = lastDTS[stream], dts <= previous {
            return .drop(reason: "repeated or backwards timestamp")
        }
        record(stream: stream, dts: dts, duration: duration)
        return .accept
    }

    private mutating func startEpoch(at dts: MediaTime, stream: Int, duration: MediaTime) {
        lastDTS = [:]
        lastEnd = [:]
        epochStart = dts
        latestCutTime = dts
        record(stream: stream, dts: dts, duration: duration)
    }

    private mutating func record(stream: Int, dts: MediaTime, duration: MediaTime) {
        lastDTS[stream] = dts
        lastEnd[stream] = dts + duration
    }
}
