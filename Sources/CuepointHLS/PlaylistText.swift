/// One line of playlist text, without its line terminator.
struct PlaylistLine {
    /// The 1-based line number.
    var number: Int
    var text: Substring
}

/// The rules shared by both playlist parsers for turning text into lines (RFC 8216 §4.1).
enum PlaylistText {
    /// Splits playlist text into lines, checking the encoding rules on the way.
    ///
    /// Lines end with LF or CRLF; the last line may lack a terminator. Throws for a byte order mark,
    /// a CR not followed by LF, a control character (U+0000–001F except CR and LF, U+007F–009F), and
    /// a first line other than `#EXTM3U`.
    static func lines(of text: String) throws(PlaylistParseError) -> [PlaylistLine] {
        if text.unicodeScalars.first == "\u{FEFF}" {
            throw PlaylistParseError(
                line: 1, message: "the text starts with a byte order mark; playlists are UTF-8 without a BOM")
        }
        var lines: [PlaylistLine] = []
        let scalars = text.unicodeScalars
        var lineStart = scalars.startIndex
        var index = scalars.startIndex
        var number = 1
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" {
                let end = index
                if scalar == "\r" {
                    let next = scalars.index(after: index)
                    guard next < scalars.endIndex, scalars[next] == "\n" else {
                        throw PlaylistParseError(line: number, message: "a carriage return not followed by a line feed")
                    }
                    index = next
                }
                lines.append(PlaylistLine(number: number, text: Substring(scalars[lineStart..<end])))
                number += 1
                index = scalars.index(after: index)
                lineStart = index
                continue
            }
            if isForbiddenControl(scalar) {
                throw PlaylistParseError(line: number, message: "control character U+\(hex4(scalar)) is not allowed")
            }
            index = scalars.index(after: index)
        }
        if lineStart < scalars.endIndex {
            lines.append(PlaylistLine(number: number, text: Substring(scalars[lineStart..<scalars.endIndex])))
        }
        guard let first = lines.first, first.text == "#EXTM3U" else {
            throw PlaylistParseError(line: 1, message: "the first line must be #EXTM3U")
        }
        return lines
    }

    /// A tag line split into its name and the text after the colon: `#EXTINF:6.006,` → (`EXTINF`, `6.006,`).
    /// Returns nil for lines that are not tags (URIs, comments, blank lines).
    static func tag(_ line: Substring) -> (name: Substring, value: Substring?)? {
        guard line.utf8.starts(with: "#EXT".utf8) else { return nil }
        let body = line.unicodeScalars.dropFirst()
        guard let colon = body.firstIndex(of: ":") else { return (Substring(body), nil) }
        return (Substring(body[..<colon]), Substring(body[body.index(after: colon)...]))
    }

    /// Whether the line is a comment: it starts with `#` but not with `#EXT`.
    static func isComment(_ line: Substring) -> Bool {
        line.utf8.first == UInt8(ascii: "#") && !line.utf8.starts(with: "#EXT".utf8)
    }

    /// The text before and after the first occurrence of `separator`, found by Unicode scalar so
    /// that a combining mark after the separator cannot hide it; nil when it does not occur.
    static func split(_ text: Substring, atFirst separator: Unicode.Scalar) -> (before: Substring, after: Substring)? {
        let scalars = text.unicodeScalars
        guard let index = scalars.firstIndex(of: separator) else { return nil }
        return (Substring(scalars[..<index]), Substring(scalars[scalars.index(after: index)...]))
    }

    /// Control characters playlists may not contain: U+0000–001F except CR and LF, and U+007F–009F.
    static func isForbiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\r" && scalar != "\n") || (0x7F...0x9F).contains(scalar.value)
    }

    /// A scalar's code point as four uppercase hex digits: `0009`.
    static func hex4(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
