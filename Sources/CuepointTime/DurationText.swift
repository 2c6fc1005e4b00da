/// Human-written durations as the pipeline file and the command line take them:
/// `6s`, `1.5s`, `500ms`, `2m`, `1h30m`, `90` (seconds). Parsed exactly into milliseconds.
public enum DurationText {
    /// Parses a duration; nil when the text is not one.
    public static func parse(_ text: String) -> MediaTime? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        var total: Int64 = 0
        var rest = Substring(trimmed)
        var sawUnit = false
        while !rest.isEmpty {
            let numberPart = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !numberPart.isEmpty, numberPart.filter({ $0 == "." }).count <= 1 else { return nil }
            rest = rest.dropFirst(numberPart.count)
            let unitPart = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unitPart.count)
            let perUnit: Int64
            switch unitPart {
            case "": guard !sawUnit, rest.isEmpty else { return nil }; perUnit = 1000
            case "ms": perUnit = 1
            case "s": perUnit = 1000
            case "m", "min": perUnit = 60_000
            case "h": perUnit = 3_600_000
            default: return nil
            }
            sawUnit = sawUnit || !unitPart.isEmpty
            guard let millis = millisecondsOf(numberPart, perUnit: perUnit) else { return nil }
            total += millis
        }
        return .milliseconds(total)
    }

    /// Renders milliseconds the way a person would write them back: `6s`, `1.5s`, `250ms`.
    public static func format(_ time: MediaTime) -> String {
        let millis = time.milliseconds
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        if millis < 1000 { return "\(millis)ms" }
        var fraction = String(millis % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(millis / 1000).\(fraction)s"
    }

    private static func millisecondsOf(_ number: Substring, perUnit: Int64) -> Int64? {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = parts.first, whole.count <= 12 else { return nil }
        let wholeValue = whole.isEmpty ? 0 : Int64(whole) ?? -1
        guard wholeValue >= 0 else { return nil }
        var result = wholeValue * perUnit
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, let fractionValue = Int64(fraction) else { return nil }
            var scale: Int64 = 1
            for _ in 0..<fraction.count { scale *= 10 }
            let value = fractionValue * perUnit
            result += (value + scale / 2) / scale
        }
        return result
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
