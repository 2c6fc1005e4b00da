/// A JSON value (RFC 8259) as Cuepoint reads and writes it: marker lines, the marker HTTP body,
/// Apple's chapter document, `products.json`, `replay.json`.
///
/// Two properties matter more than convenience, which is why Foundation's `JSONSerialization`
/// is not used: numbers keep their text exactly as written (`24.50` stays `24.50` and no value
/// ever passes through `Double`), and objects keep their members in order (so a writer controls
/// key order and a reader can refuse a key that appears twice).
///
/// A parsed value remembers the line where it began, for messages; the line is not part of its
/// identity: two values are equal when their content is.
public struct JSONValue: Hashable, Sendable, CustomStringConvertible {
    /// What the value is.
    public indirect enum Kind: Hashable, Sendable {
        case null
        case bool(Bool)
        /// The number's text, matching the RFC 8259 grammar when parsed (`-1.5e3`, `0`, `89.00`).
        case number(String)
        case string(String)
        /// Text whose type the reader decides: a plain YAML scalar of the pipeline file
        /// (`start: 4.2` is a number to a time field, `title: 2025` a string to a title). Never
        /// produced by the JSON parser; written as a string.
        case untyped(String)
        case array([JSONValue])
        /// The members in document order; the parser rejects a key that appears twice.
        case object([JSONMember])
    }

    public var kind: Kind
    /// The 1-based line where the value begins in parsed text; 0 for values built in code.
    public var line: Int

    public init(_ kind: Kind, line: Int = 0) {
        self.kind = kind
        self.line = line
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    public static let null = JSONValue(.null)
    public static func bool(_ value: Bool) -> JSONValue { JSONValue(.bool(value)) }
    public static func number(_ text: String) -> JSONValue { JSONValue(.number(text)) }
    public static func string(_ text: String) -> JSONValue { JSONValue(.string(text)) }
    public static func untyped(_ text: String) -> JSONValue { JSONValue(.untyped(text)) }
    public static func array(_ elements: [JSONValue]) -> JSONValue { JSONValue(.array(elements)) }
    public static func object(_ members: [JSONMember]) -> JSONValue { JSONValue(.object(members)) }

    /// An object from `(key, value)` pairs in the order given.
    public static func object(pairs members: [(String, JSONValue)]) -> JSONValue {
        JSONValue(.object(members.map { JSONMember(key: $0.0, value: $0.1) }))
    }

    /// The name of the value's type, for messages: `a string`, `an array`.
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string, .untyped: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The members of an object; nil for any other value.
    public var members: [JSONMember]? {
        if case .object(let members) = kind { return members }
        return nil
    }

    /// The text of a string (or an untyped scalar); nil for any other value.
    public var text: String? {
        switch kind {
        case .string(let text), .untyped(let text): text
        default: nil
        }
    }

    /// The value as compact JSON (``JSONWriter/compact(_:sortedKeys:)``).
    public var description: String { JSONWriter.compact(self) }
}

/// One `"key": value` pair of an object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSONValue
    /// The 1-based line of the key in parsed text; 0 for members built in code.
    public var line: Int

    public init(key: String, value: JSONValue, line: Int = 0) {
        self.key = key
        self.value = value
        self.line = line
    }

    public static func == (lhs: JSONMember, rhs: JSONMember) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value)
    }
}
