extension WebVTTChapters {
    /// Reads a WebVTT chapters file, strictly; meant for tests of `render()` output.
    ///
    /// Accepts a byte order mark, LF, CRLF or CR line endings, text after `WEBVTT` on the first
    /// line, several blank lines between blocks, `NOTE` comment blocks, cues without identifier,
    /// timestamps without hours (`mm:ss.ttt`), multi-line text (joined with `\n`), a raw `>`, and
    /// the character references `&amp;`, `&lt;`, `&gt;`, `&#NNN;` and `&#xHHH;`, which it decodes.
    ///
    /// Rejects, with the line number: a first line other than `WEBVTT` (optionally followed by a
    /// space or tab and text); a header not followed by a blank line; STYLE, REGION or any other
    /// block that is neither a cue nor a comment; malformed timestamps (minutes or seconds above 59,
    /// hours of one digit, not exactly three decimals); cue settings after the end time; `<` (tags)
    /// and `-->` in text; `&` that does not start one of the references above; references to
    /// U+0000, surrogates or beyond U+10FFFF.
    ///
    /// Parsing does not call `validationProblems()`. Text produced by `render()` parses back to
    /// the rendered value, with identifiers and text as `render()` cleaned them.
    ///
    /// - Throws: `ChapterParseError` for the first problem found.
    public static func parse(_ text: String) throws(ChapterParseError) -> WebVTTChapters {
        var lines = WebVTTChapters.lines(of: text)
        if let first = lines.first, first.text.unicodeScalars.first == "\u{FEFF}" {
            lines[0].text = String(first.text.unicodeScalars.dropFirst())
        }
        guard let header = lines.first, isSignature(header.text) else {
            throw ChapterParseError(
                line: 1, message: "the first line must be WEBVTT, optionally followed by a space or tab and text")
        }
        if lines.count > 1, !lines[1].text.isEmpty {
            throw ChapterParseError(line: 2, message: "the WEBVTT line must be followed by a blank line")
        }
        var cues: [Cue] = []
        var block: [WebVTTLine] = []
        for line in lines.dropFirst() + [WebVTTLine(number: lines.count + 1, text: "")] {
            if !line.text.isEmpty {
                block.append(line)
                continue
            }
            if !block.isEmpty, let cue = try self.cue(from: block) { cues.append(cue) }
            block = []
        }
        return WebVTTChapters(cues: cues)
    }

    /// The cue a block describes, or nil for a NOTE comment.
    private static func cue(from block: [WebVTTLine]) throws(ChapterParseError) -> Cue? {
        var identifier: String?
        var timingIndex = 0
        if !block[0].text.containsArrow {
            if block.count >= 2, block[1].text.containsArrow {
                identifier = block[0].text
                timingIndex = 1
            } else if isComment(block[0].text) {
                if let arrow = block.first(where: { $0.text.containsArrow }) {
                    throw ChapterParseError(line: arrow.number, message: "a NOTE comment must not contain -->")
                }
                return nil
            } else if block[0].text.unicodeScalars.starts(with: "STYLE".unicodeScalars)
                || block[0].text.unicodeScalars.starts(with: "REGION".unicodeScalars)
            {
                throw ChapterParseError(
                    line: block[0].number, message: "STYLE and REGION blocks are not supported in chapters")
            } else {
                throw ChapterParseError(
                    line: block[0].number, message: "a block must be a cue (with a --> timing line) or a NOTE comment")
            }
        }
        let timing = block[timingIndex]
        let (start, end) = try timings(timing)
        var textLines: [String] = []
        for line in block[(timingIndex + 1)...] {
            if line.text.containsArrow {
                throw ChapterParseError(line: line.number, message: "cue text must not contain -->")
            }
            textLines.append(try unescaped(line))
        }
        return Cue(
            identifier: identifier, startMilliseconds: start, endMilliseconds: end,
            text: textLines.joined(separator: "\n"))
    }

    /// The start and end of a timing line `<start> --> <end>`, in milliseconds.
    private static func timings(_ line: WebVTTLine) throws(ChapterParseError) -> (Int64, Int64) {
        let scalars = Array(line.text.unicodeScalars)
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
        var index = 0
        func field() -> String {
            let start = index
            while index < scalars.count, !isBlank(scalars[index]) { index += 1 }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<index])
            return text
        }
        func blanks() -> Int {
            let start = index
            while index < scalars.count, isBlank(scalars[index]) { index += 1 }
            return index - start
        }
        let startText = field()
        let gapBefore = blanks()
        let arrow = field()
        let gapAfter = blanks()
        let endText = field()
        guard gapBefore > 0, arrow == "-->", gapAfter > 0, !endText.isEmpty else {
            throw ChapterParseError(
                line: line.number, message: "a timing line must be <start> --> <end>, with blanks around -->")
        }
        guard let start = timestamp(startText) else {
            throw ChapterParseError(
                line: line.number, message: "start \(startText) is not a timestamp [hh:]mm:ss.ttt")
        }
        guard let end = timestamp(endText) else {
            throw ChapterParseError(line: line.number, message: "end \(endText) is not a timestamp [hh:]mm:ss.ttt")
        }
        _ = blanks()
        if index < scalars.count {
            throw ChapterParseError(line: line.number, message: "cue settings are not supported in chapters")
        }
        return (start, end)
    }

    /// A WebVTT timestamp `[hh:]mm:ss.ttt` in milliseconds: hours of two or more digits, minutes
    /// and seconds of two digits up to 59, exactly three decimals. Nil for anything else.
    static func timestamp(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var hours: Int64 = 0
        if parts.count == 3 {
            guard parts[0].utf8.count >= 2, let value = DecimalText.integer(parts[0]) else { return nil }
            hours = value
        }
        let minutesText = parts[parts.count - 2]
        let secondsParts = parts[parts.count - 1].split(separator: ".", omittingEmptySubsequences: false)
        guard minutesText.utf8.count == 2, let minutes = DecimalText.integer(minutesText), minutes <= 59,
            secondsParts.count == 2, secondsParts[0].utf8.count == 2,
            let seconds = DecimalText.integer(secondsParts[0]),
            seconds <= 59, secondsParts[1].utf8.count == 3, let thousandths = DecimalText.integer(secondsParts[1])
        else { return nil }
        let (hourMilliseconds, overflow1) = hours.multipliedReportingOverflow(by: 3_600_000)
        let (total, overflow2) = hourMilliseconds.addingReportingOverflow(
            minutes * 60_000 + seconds * 1000 + thousandths)
        guard !overflow1, !overflow2 else { return nil }
        return total
    }

    /// A text line with its character references decoded.
    private static func unescaped(_ line: WebVTTLine) throws(ChapterParseError) -> String {
        var result = ""
        var scalars = Substring(line.text).unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            switch scalar {
            case "<":
                throw ChapterParseError(
                    line: line.number, message: "cue text must not contain < (tags): chapter title text is plain")
            case "&":
                guard let semicolon = scalars.prefix(12).firstIndex(of: ";") else {
                    throw ChapterParseError(
                        line: line.number,
                        message: "& must start &amp;, &lt;, &gt; or a numeric character reference ending in ;")
                }
                var name = ""
                name.unicodeScalars.append(contentsOf: scalars[..<semicolon])
                scalars = scalars[scalars.index(after: semicolon)...]
                result.unicodeScalars.append(try characterReference(name, line: line.number))
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The character a reference stands for, from the text between `&` and `;`.
    private static func characterReference(_ name: String, line: Int) throws(ChapterParseError) -> Unicode.Scalar {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        default: break
        }
        guard name.hasPrefix("#") else {
            throw ChapterParseError(line: line, message: "unsupported character reference &\(name);")
        }
        var digits = name.dropFirst()
        var radix = 10
        if digits.hasPrefix("x") || digits.hasPrefix("X") {
            digits = digits.dropFirst()
            radix = 16
        }
        guard !digits.isEmpty, digits.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit }),
            let value = UInt32(digits, radix: radix), value != 0, let scalar = Unicode.Scalar(value)
        else {
            throw ChapterParseError(
                line: line, message: "&\(name); is not a reference to a character other than U+0000")
        }
        return scalar
    }

    /// Whether a block's first line starts a comment: `NOTE`, alone or followed by a space or tab.
    private static func isComment(_ line: String) -> Bool {
        let scalars = line.unicodeScalars
        guard scalars.starts(with: "NOTE".unicodeScalars) else { return false }
        let next = scalars.dropFirst(4).first
        return next == nil || next == " " || next == "\t"
    }

    /// Whether the first line is the WebVTT signature: `WEBVTT`, or `WEBVTT` followed by a space or
    /// tab and text without `-->`.
    private static func isSignature(_ line: String) -> Bool {
        guard line.unicodeScalars.starts(with: "WEBVTT".unicodeScalars) else { return false }
        let rest = line.unicodeScalars.dropFirst(6)
        guard let next = rest.first else { return true }
        return (next == " " || next == "\t") && !line.containsArrow
    }

    /// The lines of the text, split at LF, CRLF or CR; a final line terminator does not start
    /// another line.
    private static func lines(of text: String) -> [WebVTTLine] {
        var lines: [WebVTTLine] = []
        var current = ""
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            if scalar == "\n" && afterCarriageReturn { continue }
            if scalar == "\r" || scalar == "\n" {
                lines.append(WebVTTLine(number: lines.count + 1, text: current))
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(WebVTTLine(number: lines.count + 1, text: current)) }
        return lines
    }
}

/// One line of a WebVTT file, without its terminator.
private struct WebVTTLine {
    /// The 1-based line number.
    var number: Int
    var text: String
}

extension String {
    /// Whether the text contains `-->`, compared by Unicode scalar as WebVTT does, so a combining
    /// mark after `>` cannot hide it.
    fileprivate var containsArrow: Bool {
        let scalars = Array(unicodeScalars)
        guard scalars.count >= 3 else { return false }
        return (0...(scalars.count - 3)).contains {
            scalars[$0] == "-" && scalars[$0 + 1] == "-" && scalars[$0 + 2] == ">"
        }
    }
}
