/// A rational number such as a stream's time base (`1/90000`) or a frame rate (`30000/1001`).
///
/// The corresponding FFmpeg type is `AVRational`.
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    /// The numerator.
    public var numerator: Int64
    /// The denominator; a valid rational has a positive denominator.
    public var denominator: Int64

    public init(_ numerator: Int64, _ denominator: Int64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Whether the value can be used as a time base or rate (positive numerator and denominator).
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    /// The value as a floating-point number, for display only.
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// The same value with numerator and denominator divided by their greatest common divisor.
    public var reduced: Rational {
        let divisor = Rational.gcd(Swift.abs(numerator), Swift.abs(denominator))
        guard divisor > 1 else { return self }
        return Rational(numerator / divisor, denominator / divisor)
    }

    public var description: String { "\(numerator)/\(denominator)" }

    /// One millisecond: the time base in which playlists express durations.
    public static let milliseconds = Rational(1, 1000)
    /// The MPEG-TS clock.
    public static let mpegTS = Rational(1, 90_000)
    /// Microseconds, FFmpeg's `AV_TIME_BASE_Q`.
    public static let microseconds = Rational(1, 1_000_000)

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
