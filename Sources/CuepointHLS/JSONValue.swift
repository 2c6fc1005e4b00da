/// A JSON value (RFC 8259) as the chapter document reads and writes it, without Foundation.
///
/// Numbers keep their text exactly as written, so `89.00` stays `89.00` and no value ever passes
/// through `Double`; objects keep their members in order, so the writer controls key order.
struct JSONValue {
    enum Kind {
        case null
        case bool(Bool)
        /// The number's text, matching the RFC 8259 grammar when parsed (`-1.5e3`, `0`, `89.00`).
        case number(String)
        case string(String)
        case array([JSONValue])
        /// The members in document order; the parser rejects a key that appears twice.
        case object([Member])
    }

    /// One `"key": value` pair of an object.
    struct Member {
        var key: String
        var value: JSONValue
        /// The 1-based line of the key in parsed text; 0 for members built in code.
        var line: Int = 0
    }

    var kind: Kind
    /// The 1-based line where the value begins in parsed text; 0 for values built in code.
    var line: Int = 0

    init(_ kind: Kind, line: Int = 0) {
        self.kind = kind
        self.line = line
    }

    /// An object from members in the order given.
    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        JSONValue(.object(members.map { Member(key: $0.0, value: $0.1) }))
    }

    /// The name of the value's type, for messages: `a string`, `an array`.
    var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    // MARK: Writing

    /// The value as pretty-printed JSON: two spaces of indentation per level, one member or element
    /// per line, `"key": value`, empty arrays and objects as `[]` and `{}`, and a final line feed.
    func prettyPrinted() -> String {
        var text = ""
        write(to: &text, indentation: "")
        return text + "\n"
    }

    private func write(to text: inout String, indentation: String) {
        switch kind {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let number): text += number
        case .string(let string): text += JSONValue.quoted(string)
        case .array(let elements):
            guard !elements.isEmpty else {
                text += "[]"
                return
            }
            let inner = indentation + "  "
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += inner
                element.write(to: &text, indentation: inner)
                text += index == elements.count - 1 ? "\n" : ",\n"
            }
            text += indentation + "]"
        case .object(let members):
            guard !members.isEmpty else {
                text += "{}"
                return
            }
            let inner = indentation + "  "
            text += "{\n"
            for (index, member) in members.enumerated() {
                text += inner + JSONValue.quoted(member.key) + ": "
                member.value.write(to: &text, indentation: inner)
                text += index == members.count - 1 ? "\n" : ",\n"
            }
            text += indentation + "}"
        }
    }

    /// A JSON string literal: `"` and `\` escaped with a backslash; U+0000–001F, U+007F–009F and
    /// U+2028/U+2029 as `\uXXXX` (the last two end a line in JavaScript source older than ES2019,
    /// which breaks JSON pasted into a script); everything else, `/` and non-ASCII included, as is.
    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                    || scalar == "\u{2029}"
                {
                    result += "\\u" + PlaylistText.hex4(scalar)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
