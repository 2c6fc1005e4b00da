/// Why a text is not JSON, and where.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line of the mistake.
    public var line: Int
    /// The 1-based column of the mistake in its line, counted in Unicode scalars.
    public var column: Int
    /// What is wrong: `expected `,` or `}`, found `]``.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// The strict RFC 8259 reader: exactly one JSON value surrounded by optional white space (space,
/// tab, LF, CR), nothing more.
///
/// Rejected, each with the line and column of the mistake: a byte order mark, comments,
/// trailing commas, single quotes, leading zeros, `NaN` and `Infinity`, unescaped control
/// characters in strings, unknown escapes, unpaired UTF-16 surrogates in `\u` escapes, a key
/// repeated in one object, text after the value, and nesting deeper than `maximumDepth` (input
/// that would otherwise exhaust the stack). Numbers are kept as their text (see ``JSONValue``).
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaximumDepth = 64

    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var index = 0
    private var line = 1
    /// The byte offset where the current line starts.
    private var lineStart = 0

    private init(_ text: String, maximumDepth: Int) {
        bytes = Array(text.utf8)
        self.maximumDepth = maximumDepth
    }

    /// The value of the JSON text.
    ///
    /// - Parameter maximumDepth: the deepest nesting of arrays and objects accepted.
    /// - Throws: ``JSONSyntaxError`` with the position of the first problem.
    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONSyntaxError)
        -> JSONValue
    {
        var parser = JSONParser(text, maximumDepth: maximumDepth)
        if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw parser.error("the text starts with a byte order mark; JSON must not have one")
        }
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("expected a value, found \(describeCurrent())") }
        let startLine = line
        switch byte {
        case UInt8(ascii: "{"): return JSONValue(.object(try object(depth: depth + 1)), line: startLine)
        case UInt8(ascii: "["): return JSONValue(.array(try array(depth: depth + 1)), line: startLine)
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
        case UInt8(ascii: "'"): throw error("expected a value, found `'`; JSON strings use double quotes")
        default: throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        guard bytes[index...].starts(with: word.utf8) else { throw error("expected a value, found \(describeCurrent())") }
        index += word.utf8.count
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> [JSONMember] {
        guard depth <= maximumDepth else { throw error("arrays and objects are nested more than \(maximumDepth) levels deep") }
        index += 1
        var members: [JSONMember] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return []
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error("expected a field name in double quotes, found \(describeCurrent())")
            }
            let keyStart = (index, line, lineStart)
            let key = try string()
            guard seen.insert(key).inserted else {
                throw error("\"\(key)\" appears twice in the same object", at: keyStart)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected `:`, found \(describeCurrent())") }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value(depth: depth), line: keyStart.1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return members
            default: throw error("expected `,` or `}`, found \(describeCurrent())")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        guard depth <= maximumDepth else { throw error("arrays and objects are nested more than \(maximumDepth) levels deep") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return []
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
            default: throw error("expected `,` or `]`, found \(describeCurrent())")
            }
        }
    }

    /// A number's text, checked against `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        let whole = index
        guard skipDigits() > 0 else { throw error("a number needs digits after `-`") }
        if bytes[whole] == UInt8(ascii: "0"), index - whole > 1 {
            throw error("a number must not start with 0 (write 7, not 07)", at: (whole, line, lineStart))
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw error("a number needs digits after `.`") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Skips ASCII digits; returns how many.
    private mutating func skipDigits() -> Int {
        let from = index
        while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
        return index - from
    }

    /// A string literal's content with its escapes decoded. The input came from a `String`, so the
    /// bytes between ASCII delimiters are valid UTF-8.
    private mutating func string() throws(JSONSyntaxError) -> String {
        let start = (index, line, lineStart)
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
                    "the control character U+\(JSONWriter.hex4(UInt32(byte))) must be escaped in a string (\\n, \\t, \\u0000)")
            default:
                output.append(byte)
                index += 1
            }
        }
    }

    private mutating func escape(into output: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = current else { throw error("a string is not closed") }
        let escapeStart = (index - 1, line, lineStart)
        index += 1
        switch byte {
        case UInt8(ascii: "\""): output.append(0x22)
        case UInt8(ascii: "\\"): output.append(0x5C)
        case UInt8(ascii: "/"): output.append(0x2F)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                guard bytes[index...].starts(with: "\\u".utf8) else {
                    throw error("`\\u\(JSONWriter.hex4(code))` is a high surrogate without a low surrogate after it", at: escapeStart)
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(
                        "`\\u\(JSONWriter.hex4(code))` is a high surrogate followed by `\\u\(JSONWriter.hex4(low))`,"
                            + " not a low surrogate", at: escapeStart)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw error("`\\u\(JSONWriter.hex4(code))` is a low surrogate without a high surrogate before it", at: escapeStart)
            }
            // Not a surrogate, or a pair combined above: always a valid scalar.
            output.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
        default:
            throw error("`\\\(describe(byte))` is not a JSON escape", at: escapeStart)
        }
    }

    /// The four hexadecimal digits after `\u`.
    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("`\\u` needs four hexadecimal digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: throw error("`\\u` needs four hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    // MARK: Helpers

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    /// The character at the current position for a message.
    private func describeCurrent() -> String {
        guard index < bytes.count else { return "the end of the text" }
        let scalar = String(decoding: bytes[index...].prefix(4), as: UTF8.self).unicodeScalars.first
        guard let scalar, scalar.value >= 0x20, scalar.value != 0x7F else {
            return "the control character U+" + JSONWriter.hex4(UInt32(bytes[index]))
        }
        return "`\(Character(scalar))`"
    }

    /// A byte for a message: the character when printable ASCII, otherwise its code.
    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "U+" + JSONWriter.hex4(UInt32(byte))
    }

    private func error(_ message: String) -> JSONSyntaxError {
        error(message, at: (index, line, lineStart))
    }

    private func error(_ message: String, at position: (offset: Int, line: Int, lineStart: Int)) -> JSONSyntaxError {
        let end = min(position.offset, bytes.count)
        // Columns count scalars: every byte that is not a UTF-8 continuation byte starts one.
        let column = bytes[min(position.lineStart, end)..<end].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return JSONSyntaxError(line: position.line, column: column, message: message)
    }
}
