/// The bit rates declared in EXT-X-STREAM-INF, measured from the segments actually written
/// (hls-reference §3), instead of FFmpeg's guess of 1.1 × the encoder's nominal bit rate.
///
/// A segment's bit rate is its size in bits (container overhead included) divided by its EXTINF
/// duration. Rates are in bits per second and rounded up, so the declared value is never below
/// the measured one.
public enum BitrateMeasurement {
    /// BANDWIDTH: the peak bit rate.
    ///
    /// Algorithm (RFC 8216 §4.3.4.2): for every run of consecutive segments whose total duration
    /// lies between 0.5 × and 1.5 × the target duration (both ends included), compute the run's
    /// bit rate, total bits ÷ total duration; the peak is the highest. Runs are found by starting
    /// at each segment and extending until the total exceeds 1.5 × TD, so the cost is the number
    /// of segments times the segments per window. When no run qualifies (a single segment shorter
    /// than 0.5 × TD, or every segment longer than 1.5 × TD) the peak is the highest single-segment
    /// rate. bis widens the window to 1.5 × TD + 0.5 s; we keep the RFC's.
    ///
    /// - Parameters:
    ///   - segments: sizes in bytes and EXTINF durations in milliseconds, in playback order.
    ///     Segments with a duration ≤ 0 never form a run on their own; negative sizes count as 0.
    ///   - targetDuration: EXT-X-TARGETDURATION, in seconds.
    /// - Returns: bits per second, rounded up; 0 when no segment has a positive duration.
    public static func peak(segments: [(bytes: Int64, durationMilliseconds: Int64)], targetDuration: Int) -> Int {
        let shortest = Int64(targetDuration) * 500
        let longest = Int64(targetDuration) * 1500
        var best: Int?
        for start in segments.indices {
            var bytes: Int64 = 0
            var milliseconds: Int64 = 0
            for segment in segments[start...] {
                bytes += max(0, segment.bytes)
                milliseconds += max(0, segment.durationMilliseconds)
                if milliseconds > longest { break }
                if milliseconds >= shortest, milliseconds > 0 {
                    best = max(best ?? 0, bitsPerSecond(bytes: bytes, milliseconds: milliseconds))
                }
            }
        }
        if let best { return best }
        return segments.filter { $0.durationMilliseconds > 0 }
            .map { bitsPerSecond(bytes: max(0, $0.bytes), milliseconds: $0.durationMilliseconds) }
            .max() ?? 0
    }

    /// AVERAGE-BANDWIDTH: all the segments' bits divided by their total duration.
    ///
    /// - Parameter segments: sizes in bytes and EXTINF durations in milliseconds.
    /// - Returns: bits per second, rounded up; 0 when the total duration is not positive.
    public static func average(segments: [(bytes: Int64, durationMilliseconds: Int64)]) -> Int {
        let bytes = segments.reduce(Int64(0)) { $0 + max(0, $1.bytes) }
        let milliseconds = segments.reduce(Int64(0)) { $0 + max(0, $1.durationMilliseconds) }
        guard milliseconds > 0 else { return 0 }
        return bitsPerSecond(bytes: bytes, milliseconds: milliseconds)
    }

    /// ⌈bytes × 8 × 1000 ÷ milliseconds⌉, computed in 128 bits and clamped to `Int.max`.
    static func bitsPerSecond(bytes: Int64, milliseconds: Int64) -> Int {
        precondition(bytes >= 0 && milliseconds > 0)
        let divisor = UInt64(milliseconds)
        let product = UInt64(bytes).multipliedFullWidth(by: 8000)
        guard product.high < divisor else { return Int.max }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        let rounded = remainder > 0 ? quotient + 1 : quotient
        return rounded > UInt64(Int.max) ? Int.max : Int(rounded)
    }
}
