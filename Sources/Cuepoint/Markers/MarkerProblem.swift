/// One thing wrong with a marker, positioned so a person can find it.
///
/// Its ``description`` is the line `cuepoint` prints:
///
///     products.jsonl:3: "price": expected a number ≥ 0, got "abc"
///     api: marker "p-7": "start": 2025-03-14T17:59:00.000Z is before the recording start …
public struct MarkerProblem: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Where the marker came from: a file as it was named, `api`, or the pipeline file.
    public var source: String
    /// The line of a JSON-lines file, from 1; nil when the source has no lines (the API).
    public var line: Int?
    /// The marker's id when it is known (given, or generated); nil when the line could not be read.
    public var id: String?
    /// The field concerned, as a path (`price`, `attributes.Color`); nil for the marker as a
    /// whole (malformed JSON, a line too long).
    public var field: String?
    /// What is wrong and what was expected.
    public var message: String
    /// The likely intended field or value (`title` for `tilte`); nil when none is close.
    public var suggestion: String?

    public init(
        source: String,
        line: Int? = nil,
        id: String? = nil,
        field: String? = nil,
        message: String,
        suggestion: String? = nil
    ) {
        self.source = source
        self.line = line
        self.id = id
        self.field = field
        self.message = message
        self.suggestion = suggestion
    }

    /// `SOURCE[:LINE]: ["FIELD": ]MESSAGE[; did you mean `SUGGESTION`?]`; without a line, the
    /// marker's id (when known) tells which marker it is.
    public var description: String {
        var text = source
        if let line {
            text += ":\(line)"
        }
        text += ": "
        if line == nil, let id { text += "marker \"\(id)\": " }
        if let field { text += "\"\(field)\": " }
        text += message
        if let suggestion { text += "; did you mean `\(suggestion)`?" }
        return text
    }
}

/// Every problem found in one marker (never empty).
public struct MarkerProblems: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in the order found.
    public var problems: [MarkerProblem]

    public init(_ problems: [MarkerProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
