/// How a rescale rounds when the result is not a whole number of ticks.
public enum Rounding: Sendable {
    /// To the nearest tick, halves away from zero (FFmpeg's `AV_ROUND_NEAR_INF`).
    case nearest
    /// Towards negative infinity.
    case down
    /// Towards positive infinity.
    case up
}

/// A point or span of media time: an integer number of ticks in a time base.
///
/// Timestamps stay integers in their stream's time base until a playlist is rendered;
/// comparisons between different time bases are exact (128-bit cross multiplication).
public struct MediaTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The count of `timeBase` units.
    public var ticks: Int64
    /// The unit of `ticks`, in seconds.
    public var timeBase: Rational

    public init(ticks: Int64, timeBase: Rational) {
        precondition(timeBase.isValid, "a time base must be positive, got \(timeBase)")
        self.ticks = ticks
        self.timeBase = timeBase
    }

    /// Zero in the given time base.
    public static func zero(_ timeBase: Rational = .milliseconds) -> MediaTime {
        MediaTime(ticks: 0, timeBase: timeBase)
    }

    /// A whole number of milliseconds.
    public static func milliseconds(_ value: Int64) -> MediaTime {
        MediaTime(ticks: value, timeBase: .milliseconds)
    }

    /// A whole number of seconds.
    public static func seconds(_ value: Int64) -> MediaTime {
        MediaTime(ticks: value, timeBase: Rational(1, 1))
    }

    /// This time expressed in another time base.
    ///
    /// The corresponding FFmpeg function is `av_rescale_q_rnd`.
    public func rescaled(to target: Rational, rounding: Rounding = .nearest) -> MediaTime {
        if target == timeBase { return self }
        // ticks * (num_a * den_b) / (den_a * num_b), in 128 bits.
        let factor = timeBase.numerator * target.denominator
        let divisor = timeBase.denominator * target.numerator
        return MediaTime(ticks: MediaTime.mulDiv(ticks, factor, divisor, rounding), timeBase: target)
    }

    /// The value in milliseconds, rounded to the nearest one: how playlists print durations.
    public var milliseconds: Int64 { rescaled(to: .milliseconds).ticks }

    /// The value in seconds as a floating-point number, for display and JSON only.
    public var seconds: Double { Double(ticks) * timeBase.doubleValue }

    public var description: String { "\(ticks)×\(timeBase)" }

    public static func < (lhs: MediaTime, rhs: MediaTime) -> Bool { compare(lhs, rhs) < 0 }

    public static func == (lhs: MediaTime, rhs: MediaTime) -> Bool { compare(lhs, rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        // Equal values in different time bases must hash alike: hash the exact reduced fraction.
        let numerator = Rational(ticks * timeBase.numerator, timeBase.denominator)
        if ticks == 0 { hasher.combine(0) } else { hasher.combine(numerator.reduced) }
    }

    /// The sum; the result is in the finer of the two time bases when they differ (exact when one divides the other).
    public static func + (lhs: MediaTime, rhs: MediaTime) -> MediaTime {
        if lhs.timeBase == rhs.timeBase { return MediaTime(ticks: lhs.ticks + rhs.ticks, timeBase: lhs.timeBase) }
        let base = lhs.timeBase.doubleValue <= rhs.timeBase.doubleValue ? lhs.timeBase : rhs.timeBase
        return MediaTime(ticks: lhs.rescaled(to: base).ticks + rhs.rescaled(to: base).ticks, timeBase: base)
    }

    /// The difference; see `+` for the time base of the result.
    public static func - (lhs: MediaTime, rhs: MediaTime) -> MediaTime {
        lhs + MediaTime(ticks: -rhs.ticks, timeBase: rhs.timeBase)
    }

    /// -1, 0 or 1 as `lhs` is before, equal to or after `rhs`, exactly.
    public static func compare(_ lhs: MediaTime, _ rhs: MediaTime) -> Int {
        if lhs.timeBase == rhs.timeBase { return lhs.ticks < rhs.ticks ? -1 : (lhs.ticks == rhs.ticks ? 0 : 1) }
        // lhs.ticks * lhs.num / lhs.den  vs  rhs.ticks * rhs.num / rhs.den
        let left = Int128(lhs.ticks) * Int128(lhs.timeBase.numerator) * Int128(rhs.timeBase.denominator)
        let right = Int128(rhs.ticks) * Int128(rhs.timeBase.numerator) * Int128(lhs.timeBase.denominator)
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// a * b / c with the chosen rounding, computed in 128 bits.
    static func mulDiv(_ a: Int64, _ b: Int64, _ c: Int64, _ rounding: Rounding) -> Int64 {
        precondition(c != 0)
        let product = Int128(a) * Int128(b)
        var divisor = Int128(c)
        var numerator = product
        if divisor < 0 { divisor = -divisor; numerator = -numerator }
        var quotient = numerator / divisor
        let remainder = numerator % divisor
        if remainder != 0 {
            switch rounding {
            case .down:
                if numerator < 0 { quotient -= 1 }
            case .up:
                if numerator > 0 { quotient += 1 }
            case .nearest:
                let twice = (remainder < 0 ? -remainder : remainder) * 2
                if twice >= divisor { quotient += numerator < 0 ? -1 : 1 }
            }
        }
        return Int64(quotient)
    }
}
