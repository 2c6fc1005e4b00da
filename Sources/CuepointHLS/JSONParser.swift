/// A strict RFC 8259 JSON reader for `ChapterDocument.parse(_:)`, written here because this module
/// does not use Foundation.
///
/// Accepts exactly the JSON grammar: one value surrounded by optional whitespace (space, tab, LF,
/// CR). Rejects, with the line number: a byte order mark, comments, trailing commas, single
/// quotes, leading zeros, `NaN` and friends, unescaped control characters in strings, unknown
/// escapes, unpaired UTF-16 surrogates in `\u` escapes, a key repeated in one object, text after
/// the value, and nesting deeper than `maximumDepth`. Numbers are kept as text (see `JSONValue`).
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted; deeper input is rejected instead of
    /// exhausting the stack. The chapter format needs 4.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var depth = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The value of the JSON text.
    ///
    /// - Throws: `ChapterParseError` with the line of the first problem.
    static func parse(_ text: String) throws(ChapterParseError) -> JSONValue {
        var parser = JSONParser(text)
        if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw ChapterParseError(line: 1, message: "the text starts with a byte order mark; JSON must not have one")
        }
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        if parser.index < parser.bytes.count {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func value() throws(ChapterParseError) -> JSONValue {
        guard let byte = peek() else { throw error("the text ends where a value should be") }
        let startLine = line
        switch byte {
        case UInt8(ascii: "{"): return JSONValue(.object(try object()), line: startLine)
        case UInt8(ascii: "["): return JSONValue(.array(try array()), line: startLine)
        case UInt8(ascii: "\""): return JSONValue(.string(try string()), line: startLine)
        case UInt8(ascii: "t"):
            try literal("true")
            return JSONValue(.bool(true), line: startLine)
        case UInt8(ascii: "f"):
            try literal("false")
            return JSONValue(.bool(false), line: startLine)
        case UInt8(ascii: "n"):
            try literal("null")
            return JSONValue(.null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try number()), line: startLine)
        default:
            throw error("unexpected character \(describe(byte)) where a value should be")
        }
    }

    private mutating func object() throws(ChapterParseError) -> [JSONValue.Member] {
        try enter()
        index += 1  // {
        var members: [JSONValue.Member] = []
        var keys: Set<String> = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return members
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
            let keyLine = line
            let key = try string()
            guard keys.insert(key).inserted else {
                throw ChapterParseError(
                    line: keyLine, message: "key \(JSONValue.quoted(key)) appears twice in an object")
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected : after key \(JSONValue.quoted(key))") }
            index += 1
            skipWhitespace()
            members.append(JSONValue.Member(key: key, value: try value(), line: keyLine))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return members
            default:
                throw error("expected , or } in an object")
            }
        }
    }

    private mutating func array() throws(ChapterParseError) -> [JSONValue] {
        try enter()
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return elements
            default:
                throw error("expected , or ] in an array")
            }
        }
    }

    private mutating func enter() throws(ChapterParseError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw error("arrays and objects are nested deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    private mutating func literal(_ word: String) throws(ChapterParseError) {
        guard bytes[index...].starts(with: word.utf8) else {
            throw error("unexpected character \(describe(bytes[index])) where a value should be")
        }
        index += word.utf8.count
    }

    /// A number's text, checked against `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(ChapterParseError) -> String {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), DecimalText.isDigit(first) else { throw error("a number needs a digit after -") }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek(), DecimalText.isDigit(next) {
            throw error("a number must not have a leading zero")
        }
        skipDigits()
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), DecimalText.isDigit(digit) else {
                throw error("a number needs a digit after the decimal point")
            }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), DecimalText.isDigit(digit) else {
                throw error("a number needs a digit in its exponent")
            }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipDigits() {
        while let byte = peek(), DecimalText.isDigit(byte) { index += 1 }
    }

    /// A string literal's content with its escapes decoded. The input came from a `String`, so the
    /// bytes between ASCII delimiters are valid UTF-8.
    private mutating func string() throws(ChapterParseError) -> String {
        index += 1  // "
        var result: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("a string is not closed") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &result)
            case 0x00..<0x20:
                index -= 1
                throw error(
                    "control character U+\(PlaylistText.hex4(Unicode.Scalar(byte))) in a string must be escaped")
            default:
                result.append(byte)
            }
        }
    }

    private mutating func escape(into result: inout [UInt8]) throws(ChapterParseError) {
        guard let byte = peek() else { throw error("a string is not closed") }
        index += 1
        let simple: UInt8
        switch byte {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            var value = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard bytes[index...].starts(with: "\\u".utf8) else {
                    throw error("\\u\(hex(unit)) is a high surrogate without a low surrogate after it")
                }
                index += 2
                let low = try hexUnit()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("\\u\(hex(unit)) is a high surrogate followed by \\u\(hex(low)), not a low surrogate")
                }
                value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw error("\\u\(hex(unit)) is a low surrogate without a high surrogate before it")
            }
            // Not a surrogate, or a pair combined above: always a valid scalar.
            result.append(contentsOf: String(Character(Unicode.Scalar(value)!)).utf8)
            return
        default:
            index -= 1
            throw error("unknown escape \\\(describe(byte)) in a string")
        }
        result.append(simple)
    }

    /// The four hexadecimal digits after `\u`.
    private mutating func hexUnit() throws(ChapterParseError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("\\u needs four hexadecimal digits") }
        var unit: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = JSONParser.hexDigitValue(byte) else { throw error("\\u needs four hexadecimal digits") }
            unit = unit << 4 | UInt16(digit)
        }
        index += 4
        return unit
    }

    // MARK: Helpers

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
            default: return
            }
        }
    }

    /// A UTF-16 code unit as four uppercase hexadecimal digits: `D83D`.
    private func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The value of a hexadecimal digit in either case; nil for anything else.
    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// A byte for a message: the character when printable ASCII, otherwise its code.
    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + HexText.uppercase([byte])
    }

    private func error(_ message: String) -> ChapterParseError {
        ChapterParseError(line: line, message: message)
    }
}
