/// Why a chapter document was rejected by `ChapterDocument.parse(_:)` or `WebVTTChapters.parse(_:)`.
///
/// Its description reads `line 4: entry 2 "start-time" must be a number`.
public struct ChapterParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number of the offending text.
    public var line: Int
    /// What is wrong, naming the entry, key or cue involved.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
