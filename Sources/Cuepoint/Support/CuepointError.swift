/// A failure a user can act on: what it concerns (an input URL, an output path, a pipeline
/// file), what went wrong, and what to do about it. Rendered as one line.
public struct CuepointError: Error, CustomStringConvertible, Sendable {
    /// What failed: the input, file or directory the message is about.
    public var subject: String
    /// The cause, in words.
    public var message: String
    /// What the user can do, when there is something to suggest.
    public var fix: String?

    public init(subject: String, message: String, fix: String? = nil) {
        self.subject = subject
        self.message = message
        self.fix = fix
    }

    public var description: String {
        guard let fix else { return "\(subject): \(message)" }
        return "\(subject): \(message); \(fix)"
    }
}
