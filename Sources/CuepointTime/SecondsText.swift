/// Milliseconds written as seconds, and seconds read back as milliseconds, exactly, with
/// integers only: the one place where a duration becomes text (EXTINF, JSON numbers, metrics,
/// messages) or text becomes a duration.
///
/// | form | 4200 | 1 | 60000 | -1500 |
/// |---|---|---|---|---|
/// | ``fixed(milliseconds:)`` (EXTINF, START) | `4.200` | `0.001` | `60.000` | `-1.500` |
/// | ``shortest(milliseconds:)`` (JSON, metrics) | `4.2` | `0.001` | `60` | `-1.5` |
/// | ``format(milliseconds:)`` (messages) | `4.200 s` | `0.001 s` | `60.000 s` | `-1.500 s` |
public enum SecondsText {
    /// Milliseconds as seconds with exactly three decimals: 6006 → `6.006`, 500 → `0.500`.
    public static func fixed(milliseconds: Int64) -> String {
        let negative = milliseconds < 0
        let magnitude = milliseconds.magnitude
        let fraction = String(magnitude % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (negative ? "-" : "") + "\(magnitude / 1000).\(padded)"
    }

    /// Milliseconds as seconds with as few decimals as needed: 4200 → `4.2`, 0 → `0`, 1 → `0.001`.
    public static func shortest(milliseconds: Int64) -> String {
        var text = Substring(fixed(milliseconds: milliseconds))
        while text.hasSuffix("0") { text = text.dropLast() }
        if text.hasSuffix(".") { text = text.dropLast() }
        return text == "-0" ? "0" : String(text)
    }

    /// Milliseconds for a person to read: `12.345 s`.
    public static func format(milliseconds: Int64) -> String { fixed(milliseconds: milliseconds) + " s" }

    /// A duration for a person to read: `12.345 s`.
    public static func format(_ time: MediaTime) -> String { format(milliseconds: time.milliseconds) }
}
