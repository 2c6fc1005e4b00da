/// AMF0 bytes that cannot be decoded: what is wrong and at which byte of the message.
public struct AMF0Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offset of the offending byte from the start of the decoded bytes.
    public var offset: Int
    /// What is wrong, in words.
    public var problem: String

    public init(offset: Int, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String { "AMF0 at byte \(offset): \(problem)" }
}
