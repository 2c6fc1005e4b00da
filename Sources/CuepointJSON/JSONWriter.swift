/// Writes ``JSONValue``s as text, in two layouts of one escaping.
///
/// Strings escape `"` and `\` with a backslash, the common control characters with their short
/// escapes (`\n`, `\r`, `\t`, `\b`, `\f`), and as `\uXXXX` the other control characters, U+007F–009F
/// and U+2028/U+2029 (the last two end a line in JavaScript source older than ES2019, which breaks
/// JSON pasted into a page's script). Everything else, `/` and non-ASCII included, is written as is.
/// Numbers are written as their text; ``JSONValue/Kind/untyped(_:)`` scalars as strings.
public enum JSONWriter {
    /// The value as compact JSON: no white space. With `sortedKeys`, object members are ordered
    /// by the UTF-8 bytes of their keys: the canonical form (marker ids hash it).
    public static func compact(_ value: JSONValue, sortedKeys: Bool = false) -> String {
        var output = ""
        writeCompact(value, sortedKeys: sortedKeys, to: &output)
        return output
    }

    /// The value as pretty-printed JSON: two spaces of indentation per level, one member or element
    /// per line, `"key": value`, empty arrays and objects as `[]` and `{}`, and a final line feed.
    public static func prettyPrinted(_ value: JSONValue) -> String {
        var output = ""
        writePretty(value, indentation: "", to: &output)
        return output + "\n"
    }

    /// A JSON string literal (see the type's escaping rules).
    public static func quoted(_ string: String) -> String {
        var output = ""
        writeString(string, to: &output)
        return output
    }

    /// A code unit as four uppercase hexadecimal digits: `001F`, `D83D`.
    public static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func writeCompact(_ value: JSONValue, sortedKeys: Bool, to output: inout String) {
        switch value.kind {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text), .untyped(let text): writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                writeCompact(element, sortedKeys: sortedKeys, to: &output)
            }
            output += "]"
        case .object(var members):
            if sortedKeys { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            output += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { output += "," }
                writeString(member.key, to: &output)
                output += ":"
                writeCompact(member.value, sortedKeys: sortedKeys, to: &output)
            }
            output += "}"
        }
    }

    private static func writePretty(_ value: JSONValue, indentation: String, to output: inout String) {
        switch value.kind {
        case .array(let elements) where !elements.isEmpty:
            let inner = indentation + "  "
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += inner
                writePretty(element, indentation: inner, to: &output)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += indentation + "]"
        case .object(let members) where !members.isEmpty:
            let inner = indentation + "  "
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += inner
                writeString(member.key, to: &output)
                output += ": "
                writePretty(member.value, indentation: inner, to: &output)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indentation + "}"
        default:
            writeCompact(value, sortedKeys: false, to: &output)
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    output += "\\u" + hex4(scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
