/// Expands `${NAME}` references in pipeline-file scalars from an environment.
///
/// The grammar, applied to every scalar value after YAML parsing (so a value can never inject
/// YAML structure, and keys are never expanded):
///
/// - `${NAME}` is the variable's value; a variable that is not set is an error.
/// - `${NAME:-default}` is the value, or `default` when the variable is unset or empty.
/// - `$${` is a literal `${`; any other `$` is kept as it is (`$HOME` is not expanded).
/// - `NAME` is letters, digits and `_`, not starting with a digit.
enum EnvironmentExpansion {
    /// A reference that could not be expanded.
    enum Failure: Equatable, Sendable {
        /// `${NAME}` where `NAME` is not in the environment and no default is given.
        case undefined(name: String)
        /// `${` without a closing `}`.
        case unterminated
        /// `${…}` whose name is not a valid variable name (the text between the braces).
        case invalidName(String)
    }

    /// Expands every reference in `text`.
    ///
    /// - Returns: the expanded text and the references that failed, in order (a failed
    ///   reference expands to nothing).
    static func expand(_ text: String, environment: [String: String]) -> (text: String, failures: [Failure]) {
        guard text.contains("$") else { return (text, []) }
        var result = ""
        var failures: [Failure] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                result.append(character)
                index = next
                continue
            }
            if text[next] == "$", text.index(after: next) < text.endIndex, text[text.index(after: next)] == "{" {
                result += "${"
                index = text.index(next, offsetBy: 2)
                continue
            }
            guard text[next] == "{" else {
                result.append(character)
                index = next
                continue
            }
            let bodyStart = text.index(after: next)
            guard let close = text[bodyStart...].firstIndex(of: "}") else {
                failures.append(.unterminated)
                return (result, failures)
            }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let marker = body.firstRange(of: ":-") {
                name = body[..<marker.lowerBound]
                fallback = body[marker.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            if !isVariableName(name) {
                failures.append(.invalidName(String(body)))
            } else if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                failures.append(.undefined(name: String(name)))
            }
            index = text.index(after: close)
        }
        return (result, failures)
    }

    /// Whether `name` is letters, digits and `_`, not starting with a digit.
    static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
