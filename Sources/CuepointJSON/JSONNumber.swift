/// A JSON number's text read as an exact decimal: sign, digits and the position of the point,
/// with any exponent applied. `"1.5e2"` → 150; `"24.50"` → 24.5. No `Double` involved.
public struct JSONNumber: Hashable, Sendable {
    public var negative: Bool
    /// The digits without leading zeros (`"0"` for zero) and without trailing fraction zeros.
    public var digits: String
    /// How many of ``digits`` are after the point (0 when the value is whole).
    public var fractionDigits: Int

    /// Reads a number's text; nil when it is not a JSON number.
    public init?(_ text: String) {
        guard (try? JSONParser.parse(text))?.kind == .number(text) else { return nil }
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        var exponent = 0
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var exponentText = rest[rest.index(after: e)...]
            let exponentNegative = exponentText.hasPrefix("-")
            if exponentNegative || exponentText.hasPrefix("+") { exponentText = exponentText.dropFirst() }
            // Beyond ±10 000 a value is 0 or far outside any integer a caller scales to; clamping
            // keeps the digit strings below short.
            let magnitude = Int(exponentText.prefix(6)).map { min($0, 10_000) } ?? 10_000
            exponent = exponentNegative ? -magnitude : magnitude
            rest = rest[..<e]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var fraction = (parts.count > 1 ? parts[1].count : 0) - exponent
        if fraction < 0 {
            digits += String(repeating: "0", count: -fraction)
            fraction = 0
        }
        // Drop trailing fraction zeros, then leading zeros.
        while fraction > 0, digits.hasSuffix("0") {
            digits.removeLast()
            fraction -= 1
        }
        if digits.count < fraction { digits = String(repeating: "0", count: fraction - digits.count) + digits }
        while digits.count > fraction + 1, digits.hasPrefix("0") { digits.removeFirst() }
        if digits.isEmpty { digits = "0" }
        self.negative = negative && digits.contains { $0 != "0" }
        self.digits = digits
        self.fractionDigits = fraction
    }

    /// The value scaled by 10^`places` and rounded to an integer, halves away from zero; nil when
    /// it does not fit in `Int64`. Milliseconds from seconds: `scaled(by: 3)`.
    public func scaled(by places: Int) -> Int64? {
        let bytes = Array(digits.utf8).map { Int64($0 - 0x30) }
        let kept = bytes.count - fractionDigits + places
        guard kept <= 19 else { return nil }
        var value: Int64 = 0
        for position in 0..<max(kept, 0) {
            let digit = position < bytes.count ? bytes[position] : 0
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        if kept >= 0, kept < bytes.count, bytes[kept] >= 5 {
            let (sum, overflow) = value.addingReportingOverflow(1)
            guard !overflow else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
