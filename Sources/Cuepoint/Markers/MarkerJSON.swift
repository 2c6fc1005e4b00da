import Foundation

/// JSON as markers use it: a strict parser that keeps each number's text and reports the column
/// of a mistake, a writer with a canonical form, and the bridge from `JSONSerialization` objects.
///
/// Foundation's `JSONSerialization` is not used for reading lines because it keeps the last of two
/// equal keys silently, turns `24.50` into a `Double`, and reports errors without a position.
enum MarkerJSON {
    /// A JSON value.
    indirect enum Value: Equatable, Sendable {
        case null
        case bool(Bool)
        /// A number, as its text: `24.99`, `89.0`, `-1`, `1e2`.
        case number(String)
        case string(String)
        /// Text whose type the field decides: a plain YAML scalar (`start: 4.2` is a number,
        /// `title: 2025` a string).
        case untyped(String)
        case array([Value])
        /// An object, members in the order written.
        case object([Member])
    }

    /// One member of an object.
    struct Member: Equatable, Sendable {
        var key: String
        var value: Value
    }

    /// Why a text is not JSON, and where.
    struct SyntaxError: Error, Equatable {
        /// The column, from 1, counted in Unicode scalars.
        var column: Int
        var message: String
    }

    /// Deepest nesting of arrays and objects accepted.
    static let maximumDepth = 32

    // MARK: - Reading

    /// Parses one JSON value that makes up all of `text` (white space around it allowed).
    static func parse(_ text: String) throws(SyntaxError) -> Value {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        func error(_ message: String, at offset: Int? = nil) -> SyntaxError {
            let end = min(offset ?? index, bytes.count)
            // Columns count scalars: every byte that is not a UTF-8 continuation byte starts one.
            let column = bytes[..<end].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
            return SyntaxError(column: column, message: message)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "the end of the line" }
            let scalar = String(decoding: bytes[index...].prefix(4), as: UTF8.self).unicodeScalars.first
            guard let scalar, scalar.value >= 0x20 else {
                return "the control character U+" + String(format: "%04X", Int(bytes[index]))
            }
            return "`\(Character(scalar))`"
        }

        mutating func value(depth: Int) throws(SyntaxError) -> Value {
            guard let byte = current else { throw error("expected a value, found the end of the line") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "'"): throw error("expected a value, found `'`; JSON strings use double quotes")
            default: throw error("expected a value, found \(describeCurrent())")
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let expected = Array(word.utf8)
            guard bytes[index...].starts(with: expected) else {
                throw error("expected a value, found \(describeCurrent())")
            }
            index += expected.count
        }

        mutating func object(depth: Int) throws(SyntaxError) -> Value {
            guard depth <= MarkerJSON.maximumDepth else { throw error("nested more than 32 levels deep") }
            index += 1
            var members: [Member] = []
            var seen: Set<String> = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object([])
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw error("expected a field name in double quotes, found \(describeCurrent())")
                }
                let keyStart = index
                let key = try string()
                guard seen.insert(key).inserted else {
                    throw error("\"\(key)\" appears twice in the same object", at: keyStart)
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected `:`, found \(describeCurrent())") }
                index += 1
                skipWhitespace()
                members.append(Member(key: key, value: try value(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return .object(members)
                default: throw error("expected `,` or `}`, found \(describeCurrent())")
                }
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> Value {
            guard depth <= MarkerJSON.maximumDepth else { throw error("nested more than 32 levels deep") }
            index += 1
            var elements: [Value] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array([])
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return .array(elements)
                default: throw error("expected `,` or `]`, found \(describeCurrent())")
                }
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            let start = index
            index += 1
            var output: [UInt8] = []
            while true {
                guard let byte = current else { throw error("a string is not closed", at: start) }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: output, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &output)
                case 0..<0x20:
                    throw error(
                        "the control character U+" + String(format: "%04X", Int(byte))
                            + " must be escaped in a string (\\n, \\t, \\u0000)")
                default:
                    output.append(byte)
                    index += 1
                }
            }
        }

        mutating func escape(into output: inout [UInt8]) throws(SyntaxError) {
            guard let byte = current else { throw error("a string is not closed") }
            index += 1
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
                UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
            ]
            if let replacement = simple[byte] {
                output.append(replacement)
                return
            }
            guard byte == UInt8(ascii: "u") else {
                throw error("`\\\(Character(Unicode.Scalar(byte)))` is not a JSON escape", at: index - 2)
            }
            let escapeStart = index - 2
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                guard bytes[index...].starts(with: Array("\\u".utf8)) else {
                    throw error("`\\u` escape of an unpaired surrogate", at: escapeStart)
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("`\\u` escape of an unpaired surrogate", at: escapeStart)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw error("`\\u` escape of an unpaired surrogate", at: escapeStart)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("invalid `\\u` escape", at: escapeStart) }
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard index + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                bytes[index..<index + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
            else { throw error("`\\u` needs four hexadecimal digits") }
            index += 4
            return value
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = index
            func digits() -> Int {
                let from = index
                while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
                return index - from
            }
            if current == UInt8(ascii: "-") { index += 1 }
            let whole = index
            guard digits() > 0 else { throw error("a number needs digits after `-`") }
            if bytes[whole] == UInt8(ascii: "0"), index - whole > 1 {
                throw error("a number must not start with 0 (write 7, not 07)", at: whole)
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw error("a number needs digits after `.`") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error("a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    // MARK: - Writing

    /// The value as compact JSON: no white space; strings escape only `"`, `\` and control
    /// characters (everything else is written as UTF-8). With `sortedKeys`, object members are
    /// ordered by the UTF-8 bytes of their keys: the canonical form.
    static func encode(_ value: Value, sortedKeys: Bool = false) -> String {
        var output = ""
        write(value, sortedKeys: sortedKeys, to: &output)
        return output
    }

    private static func write(_ value: Value, sortedKeys: Bool, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text), .untyped(let text): writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                write(element, sortedKeys: sortedKeys, to: &output)
            }
            output += "]"
        case .object(var members):
            if sortedKeys { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            output += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { output += "," }
                writeString(member.key, to: &output)
                output += ":"
                write(member.value, sortedKeys: sortedKeys, to: &output)
            }
            output += "}"
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
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    // MARK: - Foundation objects

    /// The value of an object made by `JSONSerialization` (or built by hand from `String`,
    /// `Bool`, `Int`, `Int64`, `Double`, `NSNumber`, `NSNull`, arrays and `[String: Any]`);
    /// nil for anything else.
    static func value(from object: Any) -> Value? {
        let type = Swift.type(of: object)
        if let text = object as? String { return .string(text) }
        if object is NSNull { return .null }
        if type == Bool.self, let flag = object as? Bool { return .bool(flag) }
        if type == Int.self, let number = object as? Int { return .number(String(number)) }
        if type == Int64.self, let number = object as? Int64 { return .number(String(number)) }
        if type == Double.self, let number = object as? Double { return number.isFinite ? .number("\(number)") : nil }
        if let number = object as? NSNumber {
            // JSONSerialization's booleans are NSNumbers of Objective-C type `c` (char).
            switch String(cString: number.objCType) {
            case "c": return .bool(number.boolValue)
            case "d", "f": return number.doubleValue.isFinite ? .number("\(number.doubleValue)") : nil
            default: return .number(number.stringValue)
            }
        }
        if let array = object as? [Any] {
            var elements: [Value] = []
            for element in array {
                guard let value = value(from: element) else { return nil }
                elements.append(value)
            }
            return .array(elements)
        }
        if let dictionary = object as? [String: Any] {
            var members: [Member] = []
            for key in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                guard let value = value(from: dictionary[key] as Any) else { return nil }
                members.append(Member(key: key, value: value))
            }
            return .object(members)
        }
        return nil
    }

    // MARK: - Numbers

    /// A JSON number's text as a decimal: sign, digits and the position of the point, with any
    /// exponent applied. `"1.5e2"` → (false, "15", 1 fraction digit removed → 150).
    struct DecimalNumber: Equatable {
        var negative: Bool
        /// The digits without leading zeros ("0" for zero).
        var digits: String
        /// How many of ``digits`` are after the point (0 when the value is whole).
        var fractionDigits: Int
    }

    /// Reads a number's text; nil when it is not a JSON number.
    static func decimal(_ text: String) -> DecimalNumber? {
        guard (try? parse(text)) == .number(text) else { return nil }
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        var exponent = 0
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(rest[rest.index(after: e)...]), abs(value) < 1000 else { return nil }
            exponent = value
            rest = rest[..<e]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var fraction = (parts.count > 1 ? parts[1].count : 0) - exponent
        if fraction < 0 {
            digits += String(repeating: "0", count: -fraction)
            fraction = 0
        }
        // Drop trailing fraction zeros, then leading zeros.
        while fraction > 0, digits.hasSuffix("0") {
            digits.removeLast()
            fraction -= 1
        }
        if digits.count < fraction { digits = String(repeating: "0", count: fraction - digits.count) + digits }
        while digits.count > fraction + 1, digits.hasPrefix("0") { digits.removeFirst() }
        if digits.isEmpty { digits = "0" }
        return DecimalNumber(
            negative: negative && digits.contains { $0 != "0" }, digits: digits, fractionDigits: fraction)
    }

    /// A non-negative number of seconds as whole milliseconds, halves rounded up; nil when the
    /// text is not a number, is negative, or exceeds 10^12 seconds.
    static func milliseconds(fromSeconds text: String) -> Int64? {
        guard let decimal = decimal(text), !decimal.negative else { return nil }
        let digits = Array(decimal.digits.utf8).map { Int64($0 - 0x30) }
        let wholeCount = digits.count - decimal.fractionDigits
        guard wholeCount <= 12 else { return nil }
        var milliseconds: Int64 = 0
        for position in 0..<(wholeCount + 3) {
            milliseconds = milliseconds * 10 + (position < digits.count ? digits[position] : 0)
        }
        if wholeCount + 3 < digits.count, digits[wholeCount + 3] >= 5 { milliseconds += 1 }
        return milliseconds
    }

    /// Milliseconds as a number of seconds: 1500 → `1.5`, 4000 → `4`, 7250 → `7.25`.
    static func seconds(fromMilliseconds milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        var text = sign + String(magnitude / 1000)
        var fraction = String(magnitude % 1000)
        guard fraction != "0" else { return text }
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        text += "." + fraction
        return text
    }
}
