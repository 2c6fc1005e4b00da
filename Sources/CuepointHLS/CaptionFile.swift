/// A sidecar caption file from a user (WebVTT or SubRip), read strictly: every cue that is
/// whole is kept, and every problem is reported with its line number, so one bad cue never
/// costs the others.
///
/// ```swift
/// let reading = CaptionFile.read(bytes: Array(data))
/// for problem in reading.problems { print("captions.srt:\(problem)") }   // captions.srt:12: …
/// let track = reading.document                                            // cues as WebVTT
/// ```
///
/// ## What is checked
///
/// - **Encoding.** The file must be UTF-8 (a byte order mark is allowed). UTF-16 (a UTF-16
///   byte order mark, or NUL bytes) is refused as a whole. A line that is not valid UTF-8, or
///   holds control characters, is reported with the offending byte, and its cue is left out.
/// - **Format.** WebVTT when the first line is `WEBVTT`; SubRip when the first block is a cue
///   number or a timing line. Anything else is refused.
/// - **Timing.** A timing line must be `start --> end` with WebVTT timestamps (`[hh:]mm:ss.ttt`)
///   or SubRip ones (`hh:mm:ss,ttt`; a `.` is accepted too). A malformed timestamp, an end not
///   after its start, or a start before the previous cue's start leaves the cue out.
/// - **Overlaps.** A cue that starts before the previous one ends is kept, and the previous one
///   is ended where it starts, so one caption shows at a time.
///
/// SubRip text becomes WebVTT cue text: `<i>`, `<b>` and `<u>` are kept, other tags (`<font>`)
/// and `{\an8}` style codes are dropped, and `&`, `<`, `>` are escaped. WebVTT cue text and
/// settings are kept as written; NOTE, STYLE and REGION blocks are skipped.
public enum CaptionFile {
    /// The two formats read.
    public enum Format: String, Sendable {
        case webVTT = "WebVTT"
        case subRip = "SubRip"
    }

    /// What was read.
    public struct Reading: Sendable, Equatable {
        /// The format found; nil when the file could not be read at all.
        public var format: Format?
        /// The cues that are whole, in order, as WebVTT.
        public var document: WebVTTDocument
        /// Every problem, by line.
        public var problems: [CaptionProblem]
    }

    /// Reads a caption file's bytes.
    public static func read(bytes: [UInt8]) -> Reading {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.contains(0) {
            return Reading(
                format: nil, document: WebVTTDocument(),
                problems: [CaptionProblem(line: 1, message: "the file is UTF-16, not UTF-8; save it as UTF-8")])
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let lines = Self.lines(of: body)
        var reader = Reader()
        guard let first = lines.first(where: { $0.text.map { !$0.isEmpty } ?? true }) else {
            return Reading(format: nil, document: WebVTTDocument(), problems: [CaptionProblem(line: 1, message: "the file is empty")])
        }
        let format: Format
        if let text = first.text, first.number == 1, text.hasPrefix("WEBVTT"),
            text.count == 6 || text.dropFirst(6).first == " " || text.dropFirst(6).first == "\t"
        {
            format = .webVTT
        } else if let text = first.text, Self.isCueNumber(text) || text.contains("-->") {
            format = .subRip
        } else {
            return Reading(
                format: nil, document: WebVTTDocument(),
                problems: [
                    CaptionProblem(
                        line: first.number,
                        message: "neither WebVTT (a first line WEBVTT) nor SubRip (a cue number, then a timing line); "
                            + "save the captions as .vtt or .srt")
                ])
        }
        var blocks: [[Line]] = []
        var block: [Line] = []
        for line in lines {
            if line.text?.allSatisfy({ $0 == " " || $0 == "\t" }) == true {
                if !block.isEmpty { blocks.append(block) }
                block = []
            } else {
                block.append(line)
            }
        }
        if !block.isEmpty { blocks.append(block) }
        if format == .webVTT, !blocks.isEmpty { blocks.removeFirst() }  // the header block
        for block in blocks { reader.read(block, format: format) }
        return Reading(format: format, document: WebVTTDocument(cues: reader.cues), problems: reader.problems)
    }

    /// One line of the file: its number and text, or nil text when it is not valid UTF-8 (the
    /// problem is then in `encodingProblem`).
    struct Line {
        var number: Int
        var text: String?
        var encodingProblem: String?
    }

    /// Builds the cue list block by block.
    private struct Reader {
        var cues: [WebVTTCue] = []
        /// The line of each kept cue's timing, for messages about overlaps.
        var cueLines: [Int] = []
        var problems: [CaptionProblem] = []

        mutating func read(_ block: [Line], format: Format) {
            if let bad = block.first(where: { $0.text == nil }) {
                problems.append(CaptionProblem(line: bad.number, message: "\(bad.encodingProblem ?? "not UTF-8"); the cue is left out"))
                return
            }
            let texts = block.map { $0.text ?? "" }
            if format == .webVTT {
                let first = texts[0]
                if !first.contains("-->"), first == "NOTE" || first.hasPrefix("NOTE ") || first.hasPrefix("NOTE\t")
                    || first == "STYLE" || first == "REGION" || first.hasPrefix("STYLE ") || first.hasPrefix("REGION ")
                {
                    return
                }
            }
            guard let timingIndex = texts.prefix(2).firstIndex(where: { $0.contains("-->") }) else {
                problems.append(
                    CaptionProblem(
                        line: block[0].number,
                        message: "a cue needs a timing line `start --> end` \(timingIndex(format)); the block is left out"))
                return
            }
            var identifier: String?
            if timingIndex == 1 {
                identifier = texts[0]
                if format == .subRip, !CaptionFile.isCueNumber(texts[0]) {
                    problems.append(
                        CaptionProblem(
                            line: block[0].number, message: "expected a cue number before the timing line, got \"\(texts[0])\""))
                }
            }
            let timingLine = block[timingIndex]
            guard let timing = CaptionFile.timing(texts[timingIndex], format: format) else {
                problems.append(
                    CaptionProblem(
                        line: timingLine.number,
                        message: "\"\(texts[timingIndex])\" is not a timing line `start --> end` with timestamps "
                            + (format == .webVTT ? "hh:mm:ss.ttt" : "hh:mm:ss,ttt") + "; the cue is left out"))
                return
            }
            let stamp: (Int64) -> String = WebVTTChapters.timestamp
            guard timing.end > timing.start else {
                problems.append(
                    CaptionProblem(
                        line: timingLine.number,
                        message: "the cue ends (\(stamp(timing.end))) before it starts (\(stamp(timing.start))); the cue is left out"))
                return
            }
            if let previous = cues.last, timing.start < previous.startMilliseconds {
                problems.append(
                    CaptionProblem(
                        line: timingLine.number,
                        message: "the cue starts at \(stamp(timing.start)), before the previous cue (line \(cueLines[cueLines.count - 1])) "
                            + "at \(stamp(previous.startMilliseconds)); cues must be in order; the cue is left out"))
                return
            }
            let payload = Array(texts[(timingIndex + 1)...])
            if let arrow = payload.firstIndex(where: { $0.contains("-->") }) {
                problems.append(
                    CaptionProblem(
                        line: block[timingIndex + 1 + arrow].number,
                        message: "cue text contains --> (a missing blank line before the next cue?); the cue is left out"))
                return
            }
            let text = format == .webVTT ? payload.joined(separator: "\n") : CaptionFile.webVTTText(fromSubRip: payload)
            if text.isEmpty {
                problems.append(CaptionProblem(line: timingLine.number, message: "the cue has no text; it is left out"))
                return
            }
            if let previous = cues.last, timing.start < previous.endMilliseconds {
                problems.append(
                    CaptionProblem(
                        line: timingLine.number,
                        message: "the cue starts at \(stamp(timing.start)), before the previous cue (line \(cueLines[cueLines.count - 1])) "
                            + "ends at \(stamp(previous.endMilliseconds)); the previous cue now ends at \(stamp(timing.start))"))
                cues[cues.count - 1].endMilliseconds = timing.start
            }
            cues.append(
                WebVTTCue(
                    identifier: format == .webVTT ? identifier : nil, startMilliseconds: timing.start,
                    endMilliseconds: timing.end, settings: timing.settings, text: text))
            cueLines.append(timingLine.number)
        }

        private func timingIndex(_ format: Format) -> String {
            format == .subRip ? "after the cue number" : "(after an optional identifier)"
        }
    }

    /// The start, end (milliseconds) and settings of a timing line.
    static func timing(_ line: String, format: Format) -> (start: Int64, end: Int64, settings: String)? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3, fields[1] == "-->" else { return nil }
        let parse: (Substring) -> Int64? =
            format == .webVTT
            ? { WebVTTChapters.timestamp(String($0)) }
            : { subRipTimestamp($0) }
        guard let start = parse(fields[0]), let end = parse(fields[2]) else { return nil }
        if format == .subRip, fields.count > 3 { return nil }
        return (start, end, fields.dropFirst(3).joined(separator: " "))
    }

    /// A SubRip timestamp `hh:mm:ss,ttt` (or with `.`) in milliseconds.
    static func subRipTimestamp(_ text: Substring) -> Int64? {
        let normalized = String(text).replacing(",", with: ".")
        let parts = normalized.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCIIDigit }) else { return nil }
        return WebVTTChapters.timestamp((parts[0].count == 1 ? "0" : "") + normalized)
    }

    static func isCueNumber(_ text: String) -> Bool { !text.isEmpty && text.count < 10 && text.allSatisfy({ $0.isASCIIDigit }) }

    /// SubRip text as WebVTT cue text (see the type's description).
    static func webVTTText(fromSubRip lines: [String]) -> String {
        var result: [String] = []
        for line in lines {
            var output = ""
            var rest = Substring(line)
            while let first = rest.first {
                if first == "{", let close = rest.firstIndex(of: "}"), rest.dropFirst().first == "\\" {
                    rest = rest[rest.index(after: close)...]  // an ASS override such as {\an8}
                } else if first == "<", let close = rest.firstIndex(of: ">") {
                    let tag = rest[rest.index(after: rest.startIndex)..<close].lowercased()
                    if ["i", "/i", "b", "/b", "u", "/u"].contains(tag) { output += "<\(tag)>" }
                    rest = rest[rest.index(after: close)...]
                } else {
                    switch first {
                    case "&": output += "&amp;"
                    case "<": output += "&lt;"
                    case ">": output += "&gt;"
                    default: output.append(first)
                    }
                    rest = rest.dropFirst()
                }
            }
            if !output.allSatisfy({ $0 == " " || $0 == "\t" }) { result.append(output) }
        }
        return result.joined(separator: "\n")
    }

    /// The file's lines (split at LF, CRLF or CR), each decoded as UTF-8 or marked bad.
    static func lines(of bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var index = 0
        func finish(_ end: Int) {
            let number = lines.count + 1
            let slice = bytes[start..<end]
            if let text = String(validating: slice, as: UTF8.self) {
                if let control = text.unicodeScalars.firstIndex(where: { PlaylistText.isForbiddenControl($0) && $0 != "\t" }) {
                    let scalar = text.unicodeScalars[control]
                    let column = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: control) + 1
                    lines.append(
                        Line(
                            number: number, text: nil,
                            encodingProblem: "control character U+\(String(scalar.value, radix: 16, uppercase: true)) at column \(column)"))
                } else {
                    lines.append(Line(number: number, text: text))
                }
            } else {
                let offset = firstInvalidByte(slice)
                let byte = bytes[start + offset]
                lines.append(
                    Line(
                        number: number, text: nil,
                        encodingProblem: "not UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at byte \(offset + 1) of the line); "
                            + "save the file as UTF-8"))
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                finish(index)
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count { finish(bytes.count) }
        return lines
    }

    /// The offset of the first byte of `bytes` that does not belong to a valid UTF-8 sequence.
    private static func firstInvalidByte(_ bytes: ArraySlice<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return max(0, offset - 1)
            case .error: return offset
            }
        }
    }
}

/// A problem in a caption file: its 1-based line and what is wrong, in a sentence that says what
/// happened to the cue. `description` is `12: …`, ready to follow a file name.
public struct CaptionProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "\(line): \(message)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
