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

    public var description: String {
        var text = file
        if line > 0 { text += ":\(line):\(column)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        text += message
        if let suggestion { text += "; did you mean `\(suggestion)`?" }
        return text
    }
}
