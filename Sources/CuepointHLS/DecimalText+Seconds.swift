/// Seconds as JSON numbers, converted to and from integer milliseconds without floating point,
/// for the chapter document (`start-time`, `duration`).
extension DecimalText {
    /// Milliseconds as seconds with as few decimals as needed: 4200 → `4.2`, 0 → `0`,
    /// 171400 → `171.4`, 1 → `0.001`, 60000 → `60`, -1500 → `-1.5`.
    static func shortestSeconds(_ milliseconds: Int64) -> String {
        var text = Substring(fixedThree(milliseconds))
        while text.hasSuffix("0") { text = text.dropLast() }
        if text.hasSuffix(".") { text = text.dropLast() }
        return text == "-0" ? "0" : String(text)
    }

    /// A JSON number of seconds (`4.2`, `0`, `1.5e2`, `-0.25`) in milliseconds, rounded to the
    /// nearest millisecond with halves away from zero (`0.0005` → 1, `4.2000000000000002` → 4200).
    /// The text must match the JSON number grammar; nil when it does not or when the result does
    /// not fit in `Int64`.
    ///
    /// The value is exact: the digits are shifted by the exponent as text, so `4.2` is 4200, not
    /// the 4199.999… a `Double` would hold.
    static func milliseconds(fromSeconds text: String) -> Int64? {
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        var exponent = 0
        if let marker = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var exponentText = rest[rest.index(after: marker)...]
            let exponentNegative = exponentText.hasPrefix("-")
            if exponentNegative || exponentText.hasPrefix("+") { exponentText = exponentText.dropFirst() }
            guard !exponentText.isEmpty, exponentText.utf8.allSatisfy(isDigit) else { return nil }
            // Anything beyond ±10 000 is far outside Int64 milliseconds either way; clamping keeps
            // the arithmetic below from overflowing.
            let magnitude = Int(exponentText.prefix(6)).map { min($0, 10_000) } ?? 10_000
            exponent = exponentNegative ? -magnitude : magnitude
            rest = rest[..<marker]
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeDigits = parts.first, !wholeDigits.isEmpty, wholeDigits.utf8.allSatisfy(isDigit) else {
            return nil
        }
        var fractionDigits: Substring = ""
        if parts.count == 2 {
            fractionDigits = parts[1]
            guard !fractionDigits.isEmpty, fractionDigits.utf8.allSatisfy(isDigit) else { return nil }
        }
        // value = digits × 10^(exponent − fraction count) seconds
        //       = digits × 10^(exponent − fraction count + 3) milliseconds.
        var digits = Array((wholeDigits + fractionDigits).utf8).drop { $0 == UInt8(ascii: "0") }
        let shift = exponent - fractionDigits.utf8.count + 3
        var roundUp = false
        if shift < 0 {
            let dropped = -shift
            if dropped > digits.count {
                digits = []
            } else {
                roundUp = digits[digits.endIndex - dropped] >= UInt8(ascii: "5")
                digits = digits.dropLast(dropped)
            }
        }
        var value: Int64 = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        if shift > 0, value != 0 {
            for _ in 0..<shift {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = times10
            }
        }
        if roundUp {
            let (sum, overflow) = value.addingReportingOverflow(1)
            guard !overflow else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
