internal import CCuepointFFmpeg
import CuepointTime

extension AVRational {
    /// The FFmpeg spelling of a `Rational` (whose parts must fit in 32 bits, as time bases do).
    init(_ rational: Rational) {
        self.init(
            num: Int32(truncatingIfNeeded: rational.numerator), den: Int32(truncatingIfNeeded: rational.denominator))
    }
}

extension Rational {
    init(_ rational: AVRational) { self.init(Int64(rational.num), Int64(rational.den)) }
}
