internal import Yams

/// Turns a composed YAML tree into a ``PipelineSpec``, strictly, collecting every problem.
///
/// The decoder works on Yams' `Node` tree rather than `Codable` so that every problem keeps
/// the line and column of the key or value it is about. It never stops at the first problem:
/// each section is decoded on its own, a bad value is replaced by its default so the rest can
/// still be checked, and the spec is only returned when no problem was found.
///
/// Rules, in the spirit of mediamtx's configuration loader:
/// - Unknown keys are errors, with the closest valid key as a suggestion.
/// - Keys reserved for later versions (``reservedTopLevelKeys`` …) are errors that say so,
///   never silently ignored.
/// - Defaults are applied here, in code; the JSON Schema repeats them for editors and a test
///   keeps the two in step.
/// - `${NAME}` in a scalar value expands from the environment (``EnvironmentExpansion``).
/// - A key given with no value (`format:` or `format: null`) counts as not given.
/// - Integers and booleans must be plain scalars (`live_window: 6`, not `"6"`); string
///   values accept any scalar (`name: 2025` is the name `2025`).
struct PipelineDecoder {
    /// The keys of the top-level mapping, in documentation order.
    static let topLevelKeys = [
        "version", "name", "input", "output", "renditions", "markers", "captions", "replay", "transcode", "server",
        "console",
    ]
    /// The keys of `replay:`.
    static let replayKeys = [
        "directory", "chapters", "mp4", "clips", "thumbnails", "thumbnail_width", "language", "force", "posters",
        "storyboard", "shorts", "reel",
    ]
    /// The keys of `input:`.
    static let inputKeys = [
        "url", "format", "options", "start_date", "live", "listen", "timeout", "passphrase", "reconnect", "rtmp_server",
    ]
    /// The keys of `output:`.
    static let outputKeys = ["directory", "container", "segment", "part", "live_window", "playlists", "publish"]
    /// The keys of each `renditions:` entry.
    static let renditionKeys = ["name", "copy", "video", "audio", "preset"]

    /// Top-level keys of later versions, each rejected with the message given.
    static let reservedTopLevelKeys: [String: String] = [:]
    /// `input:` keys of later versions.
    static let reservedInputKeys: [String: String] = [:]
    /// `output:` keys of later versions.
    static let reservedOutputKeys: [String: String] = [:]
    /// Rendition keys of later versions.
    static let reservedRenditionKeys: [String: String] = [:]

    /// The file name problems are reported against.
    let fileName: String
    /// Where `${NAME}` references are looked up.
    let environment: [String: String]
    /// What a document may leave out when the caller supplies it (the show server).
    var defaults = PipelineDefaults()
    /// What has been found wrong so far, in the order found.
    private(set) var problems: [PipelineProblem] = []

    init(fileName: String, environment: [String: String]) {
        self.fileName = fileName
        self.environment = environment
    }

    // MARK: - Mappings

    /// The known keys of one mapping, each with its key node (for positions) and value node.
    struct Fields {
        /// The key path of the mapping itself; empty for the top level.
        let path: String
        /// Where the mapping starts (where "missing key" problems point).
        let mark: Mark?
        fileprivate(set) var entries: [String: (key: Node, value: Node)] = [:]
    }

    /// Reads a mapping whose keys must be among `known`; reports unknown and reserved keys.
    ///
    /// - Returns: nil (after reporting) when `node` is not a mapping.
    mutating func fields(
        of node: Node,
        path: String,
        known: [String],
        reserved: [String: String] = [:]
    ) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping, got \(describe(node))")
            return nil
        }
        var fields = Fields(path: path, mark: mapping.mark)
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode, !isNull(keyNode) else {
                report(keyNode, path, "expected a key name, got \(describe(keyNode))")
                continue
            }
            let name = key.string
            if known.contains(name) {
                fields.entries[name] = (keyNode, value)
            } else if let message = reserved[name] {
                report(keyNode, join(path, name), message)
            } else if let suggestion = KeySuggestion.closest(to: name, among: known) {
                report(keyNode, join(path, EchoedText.value(name)), "unknown key", suggestion: suggestion)
            } else {
                let list = known.map { "`\($0)`" }.joined(separator: ", ")
                report(keyNode, join(path, EchoedText.value(name)), "unknown key; expected one of \(list)")
            }
        }
        return fields
    }

    /// The value of a required key; reports it (at the mapping, or at the key when it has no
    /// value) and returns nil when it is missing.
    mutating func required(_ key: String, in fields: Fields) -> Node? {
        guard let entry = fields.entries[key] else {
            problems.append(problem(at: fields.mark, join(fields.path, key), "required key is missing"))
            return nil
        }
        guard !isNull(entry.value) else {
            report(entry.key, join(fields.path, key), "required key has no value")
            return nil
        }
        return entry.value
    }

    /// The value of an optional key; nil when it is absent or has no value.
    func optional(_ key: String, in fields: Fields) -> Node? {
        guard let entry = fields.entries[key], !isNull(entry.value) else { return nil }
        return entry.value
    }

    // MARK: - Scalars

    /// The text of a scalar with `${NAME}` references expanded; reports anything else.
    mutating func text(_ node: Node, _ path: String, expected: String = "a string") -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            report(node, path, "expected \(expected), got \(describe(node))")
            return nil
        }
        let (expanded, failures) = EnvironmentExpansion.expand(scalar.string, environment: environment)
        for failure in failures {
            switch failure {
            case .undefined(let name):
                report(
                    node, path,
                    "environment variable `\(EchoedText.value(name))` is not set; set it, or give a default "
                        + "with `${\(EchoedText.value(name)):-default}`")
            case .unterminated:
                report(node, path, "`${` without a closing `}`; write `$${` for a literal `${`")
            case .invalidName(let name):
                report(
                    node, path,
                    "`${\(EchoedText.value(name))}` is not a valid variable reference; names are letters, "
                        + "digits and `_`, not starting with a digit")
            }
        }
        return failures.isEmpty ? expanded : nil
    }

    /// A non-empty string value.
    mutating func nonEmptyText(_ node: Node, _ path: String) -> String? {
        guard let value = text(node, path) else { return nil }
        guard !value.isEmpty else {
            report(node, path, "must not be empty")
            return nil
        }
        return value
    }

    /// A decimal integer written as a plain (unquoted) scalar.
    mutating func integer(_ node: Node, _ path: String) -> Int? {
        guard let value = plainText(node, path, expected: "an integer") else { return nil }
        guard let number = Int(value) else {
            report(node, path, "expected an integer, got \(quote(value))")
            return nil
        }
        return number
    }

    /// `true` or `false` written as a plain (unquoted) scalar.
    mutating func boolean(_ node: Node, _ path: String) -> Bool? {
        guard let value = plainText(node, path, expected: "true or false") else { return nil }
        switch value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(node, path, "expected true or false, got \(quote(value))")
            return nil
        }
    }

    /// One of the raw values of `Value`, with the closest one suggested for anything else.
    mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ node: Node,
        _ path: String,
        of type: Value.Type
    ) -> Value? where Value.RawValue == String {
        let names = Value.allCases.map(\.rawValue)
        let expected =
            names.count == 2
            ? "`\(names[0])` or `\(names[1])`" : "one of " + names.map { "`\($0)`" }.joined(separator: ", ")
        guard let value = text(node, path, expected: expected) else { return nil }
        guard let choice = Value(rawValue: value) else {
            report(
                node, path, "expected \(expected), got \(quote(value))",
                suggestion: KeySuggestion.closest(to: value, among: names))
            return nil
        }
        return choice
    }

    /// The text of a scalar that must not be quoted, because quoting makes it a string.
    private mutating func plainText(_ node: Node, _ path: String, expected: String) -> String? {
        if case .scalar(let scalar) = node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            report(node, path, "expected \(expected), got the string \(quote(scalar.string)); remove the quotes")
            return nil
        }
        return text(node, path, expected: expected)
    }

    // MARK: - Reporting

    /// Records a problem at `node`'s position.
    mutating func report(_ node: Node, _ path: String, _ message: String, suggestion: String? = nil) {
        problems.append(problem(at: node.mark, path, message, suggestion: suggestion))
    }

    /// Records a problem at a position (a mapping's start, for a key that is missing).
    mutating func report(at mark: Mark?, _ path: String, _ message: String, suggestion: String? = nil) {
        problems.append(problem(at: mark, path, message, suggestion: suggestion))
    }

    func problem(at mark: Mark?, _ path: String, _ message: String, suggestion: String? = nil) -> PipelineProblem {
        PipelineProblem(
            file: fileName, line: mark?.line ?? 0, column: mark?.column ?? 0,
            keyPath: path, message: message, suggestion: suggestion)
    }

    /// `path.key`, or `key` at the top level.
    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// Whether a node is YAML's null: an empty plain scalar, `~` or `null`.
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How a value is named in a message: `"6 seconds"`, `a list`, `a mapping`, `nothing`.
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(node) ? "nothing" : quote(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// `text` in double quotes, with `"`, `\` and control characters escaped; past
    /// ``EchoedText/valueLimit`` characters, its start and its size: `"AAAA…" (52428800 bytes)`.
    func quote(_ text: String) -> String {
        let cut = EchoedText.truncated(text, limit: EchoedText.valueLimit)
        var result = "\""
        for scalar in text[..<(cut ?? text.endIndex)].unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + (cut == nil ? "\"" : "…\" (\(text.utf8.count) bytes)")
    }
}
