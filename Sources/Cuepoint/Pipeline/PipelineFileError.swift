/// Everything wrong with a pipeline file, found in one pass and sorted by position.
///
/// A missing, unreadable or empty file and a YAML syntax error stop the reading and give one
/// problem; otherwise every problem the decoder finds (unknown keys, wrong types, values out
/// of range, missing keys, undefined environment variables) is reported together.
public struct PipelineFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, by line then column; never empty.
    public var problems: [PipelineProblem]

    public init(problems: [PipelineProblem]) {
        self.problems = PipelineFileError.sortedByPosition(problems)
    }

    /// One problem per line, as `cuepoint validate` prints them.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    /// Problems ordered by line and column; problems at the same place keep their order.
    static func sortedByPosition(_ problems: [PipelineProblem]) -> [PipelineProblem] {
        problems.enumerated()
            .sorted { lhs, rhs in
                (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
            }
            .map(\.element)
    }
}
