import CuepointTime

/// The decimal number formats of playlist text, parsed and written exactly with integers.
///
/// Durations are integer milliseconds everywhere in the model; they become text only here, with
/// exactly three decimals, and are read back only when the text has at most three decimals, so a
/// rendered playlist parses back to the same integers.
enum DecimalText {
    /// A decimal-integer (`[0-9]+`) that fits in `Int64`; nil for anything else, including signs.
    static func integer(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// A non-negative decimal with at most three fraction digits (`6`, `6.0`, `6.006`), as
    /// thousandths: `"6.006"` → 6006. Nil for anything else, including more precise values.
    static func thousandths(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = integer(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.utf8.count), let value = integer(digits) else { return nil }
            fraction = value
            for _ in digits.utf8.count..<3 { fraction *= 10 }
        }
        let (scaled, overflow1) = whole.multipliedReportingOverflow(by: 1000)
        let (sum, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow1, !overflow2 else { return nil }
        return sum
    }

    /// Thousandths written with exactly three decimals, as seconds are: 29970 → `29.970`.
    static func fixedThree(_ thousandths: Int64) -> String { SecondsText.fixed(milliseconds: thousandths) }

    /// A rational rounded to the nearest thousandth, halves away from zero: 30000/1001 → 29970.
    /// The denominator must be positive.
    static func thousandths(of value: (numerator: Int64, denominator: Int64)) -> Int64 {
        precondition(value.denominator > 0, "a denominator must be positive")
        let negative = value.numerator < 0
        let product = value.numerator.magnitude.multipliedFullWidth(by: 1000)
        let divisor = UInt64(value.denominator)
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        let rounded = remainder >= divisor - remainder ? quotient + 1 : quotient
        return negative ? -Int64(rounded) : Int64(rounded)
    }

    /// Whether the text is a signed-decimal-floating-point number as this module writes one:
    /// `-?[0-9]+(\.[0-9]+)?`.
    static func isSignedDecimal(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isDigit) }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
