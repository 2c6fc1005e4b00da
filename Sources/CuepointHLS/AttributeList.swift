/// An attribute list, the `NAME=value,NAME=value` text after the colon of tags such as
/// EXT-X-STREAM-INF, EXT-X-MAP and EXT-X-DATERANGE (RFC 8216 §4.2). Both renderers write through
/// it and both parsers read through it, so the syntax lives in one place.
///
/// Writing: `append` attributes in the order they should appear, then take `text`.
///
/// Reading: `init(parsing:tag:line:)` checks the syntax (names of `[A-Z0-9-]`, each at most once,
/// no whitespace, quoted strings closed and non-empty); the typed accessors then take attributes
/// by name, and `finish()` rejects any attribute nobody took, because this model would otherwise
/// drop it silently.
struct AttributeList {
    /// How a value was written.
    enum Value: Hashable {
        /// Between double quotes (quoted-string); the quotes are not part of the text.
        case quoted(String)
        /// Without quotes: decimal-integer, decimal-floating-point, enumerated-string,
        /// hexadecimal-sequence or decimal-resolution.
        case plain(String)
    }

    struct Attribute: Hashable {
        var name: String
        var value: Value
    }

    /// The attributes in order.
    private(set) var attributes: [Attribute] = []
    /// The tag these attributes belong to (for messages), e.g. `EXT-X-MAP`.
    private(set) var tag: String = ""
    /// The line they were read from (for messages).
    private(set) var line: Int = 0
    private var taken: Set<String> = []

    init() {}

    // MARK: Writing

    /// Appends `NAME="text"`.
    mutating func append(_ name: String, quoted text: String) {
        attributes.append(Attribute(name: name, value: .quoted(text)))
    }

    /// Appends `NAME=text` without quotes.
    mutating func append(_ name: String, plain text: String) {
        attributes.append(Attribute(name: name, value: .plain(text)))
    }

    /// The attribute-list text: `BANDWIDTH=800000,CODECS="avc1.64001f,mp4a.40.2"`.
    var text: String {
        attributes.map { attribute in
            switch attribute.value {
            case .quoted(let text): return "\(attribute.name)=\"\(text)\""
            case .plain(let text): return "\(attribute.name)=\(text)"
            }
        }.joined(separator: ",")
    }

    // MARK: Reading

    /// Reads the attribute-list syntax of `text`, the part of the line after `#<tag>:`.
    ///
    /// - Throws: `PlaylistParseError` on `line` for an empty list or attribute, a name outside
    ///   `[A-Z0-9-]`, a missing `=`, a repeated name, an unterminated or empty quoted string, or
    ///   whitespace or a `"` in an unquoted value.
    init(parsing text: Substring, tag: String, line: Int) throws(PlaylistParseError) {
        self.tag = tag
        self.line = line
        // Scalars, not Characters: a combining mark after `"` or `,` must not hide the delimiter.
        var rest = text.unicodeScalars
        var seen: Set<String> = []
        repeat {
            guard let equals = rest.firstIndex(where: { $0 == "=" || $0 == "," }), rest[equals] == "=" else {
                let shown = AttributeList.string(rest.prefix { $0 != "," })
                throw PlaylistParseError(line: line, message: "\(tag) attribute \"\(shown)\" has no value")
            }
            let name = AttributeList.string(rest[..<equals])
            guard !name.isEmpty else {
                throw PlaylistParseError(line: line, message: "\(tag) has an attribute with an empty name")
            }
            guard name.utf8.allSatisfy(AttributeList.isNameByte) else {
                throw PlaylistParseError(
                    line: line, message: "\(tag) attribute name \"\(name)\" may only contain A-Z, 0-9 and -")
            }
            guard seen.insert(name).inserted else {
                throw PlaylistParseError(line: line, message: "\(tag) has attribute \(name) twice")
            }
            rest = rest[rest.index(after: equals)...]
            let value: Value
            if rest.first == "\"" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "\"") else {
                    throw PlaylistParseError(
                        line: line, message: "\(tag) attribute \(name) has an unterminated quoted string")
                }
                guard close > body.startIndex else {
                    throw PlaylistParseError(line: line, message: "\(tag) attribute \(name) is an empty quoted string")
                }
                value = .quoted(AttributeList.string(body[..<close]))
                rest = body[body.index(after: close)...]
                guard rest.isEmpty || rest.first == "," else {
                    throw PlaylistParseError(
                        line: line, message: "\(tag) attribute \(name) has text after its closing quote")
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                let plain = rest[..<end]
                guard !plain.isEmpty else {
                    throw PlaylistParseError(line: line, message: "\(tag) attribute \(name) has an empty value")
                }
                if plain.contains(where: { $0.properties.isWhitespace || $0 == "\"" }) {
                    throw PlaylistParseError(
                        line: line, message: "\(tag) attribute \(name) has whitespace or a quote in an unquoted value")
                }
                value = .plain(AttributeList.string(plain))
                rest = rest[end...]
            }
            attributes.append(Attribute(name: name, value: value))
            if rest.first == "," {
                rest = rest.dropFirst()
                if rest.isEmpty {
                    throw PlaylistParseError(line: line, message: "\(tag) attribute list ends with a comma")
                }
            }
        } while !rest.isEmpty
    }

    /// Takes an attribute's value, marking it as understood; nil when absent.
    mutating func take(_ name: String) -> Value? {
        guard let attribute = attributes.first(where: { $0.name == name }) else { return nil }
        taken.insert(name)
        return attribute.value
    }

    /// The attributes not taken yet, in order, marking them all as taken.
    mutating func takeRemaining() -> [Attribute] {
        let remaining = attributes.filter { !taken.contains($0.name) }
        for attribute in remaining { taken.insert(attribute.name) }
        return remaining
    }

    /// Throws when an attribute was not taken by any accessor.
    func finish() throws(PlaylistParseError) {
        if let unknown = attributes.first(where: { !taken.contains($0.name) }) {
            throw error("\(tag) has an unsupported attribute \(unknown.name)")
        }
    }

    /// A quoted-string attribute; throws if it is written without quotes.
    mutating func quotedString(_ name: String) throws(PlaylistParseError) -> String? {
        switch take(name) {
        case nil: return nil
        case .quoted(let text): return text
        case .plain: throw error("\(tag) attribute \(name) must be a quoted string")
        }
    }

    /// A quoted-string attribute that must be present.
    mutating func requiredQuotedString(_ name: String) throws(PlaylistParseError) -> String {
        guard let text = try quotedString(name) else { throw error("\(tag) needs the \(name) attribute") }
        return text
    }

    /// An unquoted attribute's text; throws if it is quoted.
    mutating func plain(_ name: String) throws(PlaylistParseError) -> String? {
        switch take(name) {
        case nil: return nil
        case .plain(let text): return text
        case .quoted: throw error("\(tag) attribute \(name) must not be quoted")
        }
    }

    /// A decimal-integer attribute that fits in `Int64`.
    mutating func decimalInteger(_ name: String) throws(PlaylistParseError) -> Int64? {
        guard let text = try plain(name) else { return nil }
        guard let value = DecimalText.integer(Substring(text)) else {
            throw error("\(tag) attribute \(name) is not a decimal integer: \(text)")
        }
        return value
    }

    /// A non-negative decimal-floating-point attribute with at most three decimals, in thousandths
    /// (seconds → milliseconds, frames per second → millihertz).
    mutating func thousandths(_ name: String) throws(PlaylistParseError) -> Int64? {
        guard let text = try plain(name) else { return nil }
        guard let value = DecimalText.thousandths(Substring(text)) else {
            throw error("\(tag) attribute \(name) is not a non-negative decimal with at most 3 decimals: \(text)")
        }
        return value
    }

    /// An error on this list's line.
    func error(_ message: String) -> PlaylistParseError {
        PlaylistParseError(line: line, message: message)
    }

    private static func string(_ scalars: Substring.UnicodeScalarView) -> String {
        String(Substring(scalars))
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || DecimalText.isDigit(byte)
            || byte == UInt8(ascii: "-")
    }
}
