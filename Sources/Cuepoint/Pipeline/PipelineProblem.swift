/// One thing wrong with a pipeline file, positioned so an editor can jump to it.
///
/// Its ``description`` is the line `cuepoint` prints, in the `file:line:column: message` form
/// compilers use:
///
///     pipeline.yaml:7:3: output.sgement: unknown key; did you mean `segment`?
public struct PipelineProblem: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file as it was named to ``PipelineFile/load(path:environment:)`` or
    /// ``PipelineFile/decode(_:fileName:environment:)``.
    public var file: String
    /// The line, from 1; 0 when the problem concerns the file as a whole (missing, unreadable).
    public var line: Int
    /// The column, from 1, counted in Unicode scalars; 0 when ``line`` is 0.
    public var column: Int
    /// Where in the document the problem is, e.g. `renditions[1].name`; empty for problems of
    /// the file or of its YAML syntax.
    public var keyPath: String
    /// What is wrong and what was expected, e.g. `unknown key`.
    public var message: String
    /// The likely intended spelling or value, e.g. `segment` for `sgement`; nil when none is close.
    public var suggestion: String?

    public init(file: String, line: Int, column: Int, keyPath: String, message: String, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    /// The line, each part bounded (``EchoedText``): the file's path, the key path and the
    /// message as a last guard (the decoder bounds the values it repeats already), so that no
    /// value of the file, however large, is printed whole.
    public var description: String {
        var text = EchoedText.path(file)
        if line > 0 { text += ":\(line):\(column)" }
        text += ": "
        if !keyPath.isEmpty { text += EchoedText.value(keyPath, limit: Self.keyPathLimit) + ": " }
        text += EchoedText.value(message, limit: Self.messageLimit)
        if let suggestion { text += "; did you mean `\(EchoedText.value(suggestion))`?" }
        return text
    }

    /// Characters of a key path printed (a path through nested keys, each bounded already).
    static let keyPathLimit = 400
    /// Characters of a message printed (the longest lists every valid key).
    static let messageLimit = 2_000
}
