/// Text from the user (a value, a key, a path) as a diagnostic repeats it: whole when short,
/// else its start (or, for a path, its end) and its size, so that a 50 MB value in a pipeline
/// file gives a line of error, not 50 MB of it.
///
///     EchoedText.value(String(repeating: "A", count: 52_428_800))
///     // AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA… (52428800 bytes)
///     EchoedText.path("/very/deep/…/spring-sale.yaml")
///     // …/deep/folders/spring-sale.yaml (4100 bytes)
///
/// Only the first (or last) `limit` characters are looked at, plus one pass over the UTF-8
/// bytes to count them: cheap on any size.
public enum EchoedText {
    /// Characters of a value repeated in a message.
    public static let valueLimit = 80
    /// Characters of a path repeated in a message: more than a value, as paths are longer and
    /// their end names the file.
    public static let pathLimit = 160

    /// `text`, or its first `limit` characters followed by `… (N bytes)`.
    public static func value(_ text: some StringProtocol, limit: Int = valueLimit) -> String {
        guard let cut = truncated(text, limit: limit) else { return String(text) }
        return String(text[..<cut]) + "… (\(text.utf8.count) bytes)"
    }

    /// `text`, or `…` followed by its last `limit` characters and ` (N bytes)`.
    public static func path(_ text: some StringProtocol, limit: Int = pathLimit) -> String {
        guard text.utf8.count > limit else { return String(text) }
        var start = text.endIndex
        var kept = 0
        while start > text.startIndex, kept < limit {
            start = text.index(before: start)
            kept += 1
        }
        guard start > text.startIndex else { return String(text) }
        return "…" + String(text[start...]) + " (\(text.utf8.count) bytes)"
    }

    /// Whether `text` is longer than `limit` characters; the index after the first `limit`
    /// when it is.
    static func truncated<Text: StringProtocol>(_ text: Text, limit: Int) -> Text.Index? {
        guard text.utf8.count > limit else { return nil }
        let cut = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex) ?? text.endIndex
        return cut < text.endIndex ? cut : nil
    }

    /// Whether `text` has more than `limit` characters (without counting them all).
    public static func isLong(_ text: some StringProtocol, limit: Int = valueLimit) -> Bool {
        truncated(text, limit: limit) != nil
    }
}
