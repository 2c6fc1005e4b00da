/// A WebVTT chapters file (`<track kind="chapters" src="chapters.vtt">`), as a value
/// (hls-reference §5).
///
/// `render()` writes it, `validationProblems()` checks the rules of a "WebVTT file using chapter
/// title text", and `parse(_:)` reads it back strictly, for tests:
///
/// ```
/// WEBVTT
///
/// p-0001
/// 00:00:04.200 --> 00:02:55.600
/// Ceramic Mug
///
/// p-0002
/// 00:02:55.600 --> 00:06:10.000
/// Linen Apron &amp; Oven Mitt
/// ```
public struct WebVTTChapters: Hashable, Sendable {
    /// One chapter: an optional identifier line, the timing line and the title.
    public struct Cue: Hashable, Sendable {
        /// The cue identifier line (Cuepoint writes the marker id, `p-0001`); nil writes none.
        /// `render()` replaces line breaks with spaces and writes `-->` as `-- >`, which WebVTT
        /// identifiers cannot contain; an empty identifier is not written.
        public var identifier: String?
        /// Where the chapter begins, in milliseconds from the start of the media; at least 0.
        public var startMilliseconds: Int64
        /// Where it ends, in milliseconds; after `startMilliseconds`.
        public var endMilliseconds: Int64
        /// The chapter title as plain text; `render()` escapes it (see `render()`).
        public var text: String

        public init(identifier: String? = nil, startMilliseconds: Int64, endMilliseconds: Int64, text: String) {
            self.identifier = identifier
            self.startMilliseconds = startMilliseconds
            self.endMilliseconds = endMilliseconds
            self.text = text
        }
    }

    /// The cues, in the order written: by start time, a chapter before the chapters nested in it.
    public var cues: [Cue]

    public init(cues: [Cue] = []) {
        self.cues = cues
    }

    /// The file's text: `WEBVTT`, then for each cue a blank line, the identifier (when set), the
    /// timing line `hh:mm:ss.ttt --> hh:mm:ss.ttt` (hours have at least two digits) and the text
    /// (when not empty); every line ends with `\n`.
    ///
    /// The text is written as "chapter title text": `&` as `&amp;`, `<` as `&lt;`, `>` as `&gt;`,
    /// and each line break (CR, LF or CRLF), tab or other control character as one space, so the
    /// title stays on one line and can never contain a tag or `-->`. Text with none of these
    /// characters parses back unchanged.
    ///
    /// Rendering does not validate: negative times are written with a `-` that `parse(_:)`
    /// rejects, and the other `validationProblems()` are written as they are.
    public func render() -> String {
        var text = "WEBVTT\n"
        for cue in cues {
            text += "\n"
            if let identifier = cue.identifier.map(WebVTTChapters.sanitizedIdentifier), !identifier.isEmpty {
                text += identifier + "\n"
            }
            text +=
                WebVTTChapters.timestamp(cue.startMilliseconds) + " --> "
                + WebVTTChapters.timestamp(cue.endMilliseconds) + "\n"
            let title = WebVTTChapters.escapedText(cue.text)
            if !title.isEmpty { text += title + "\n" }
        }
        return text
    }

    /// Everything that breaks the rules of a WebVTT file of chapters, as sentences naming the cue by
    /// its 1-based position; empty when the file is valid.
    ///
    /// Checks: start times are at least 0 and never decrease; every end is after its start; any two
    /// cues are nested (one lies within the other) or disjoint, never partly overlapping (WebVTT
    /// §4.5.1, §4.6.2); identifiers are not empty and unique (§4.1).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        var identifiers: [String: Int] = [:]
        for (index, cue) in cues.enumerated() {
            let name = "cue \(index + 1)"
            let start = WebVTTChapters.timestamp(cue.startMilliseconds)
            let end = WebVTTChapters.timestamp(cue.endMilliseconds)
            if cue.startMilliseconds < 0 { problems.append("\(name): start \(start) is negative") }
            if cue.endMilliseconds <= cue.startMilliseconds {
                problems.append("\(name): end \(end) is not after start \(start)")
            }
            if index > 0, cue.startMilliseconds < cues[index - 1].startMilliseconds {
                problems.append(
                    "\(name): start \(start) is before the start "
                        + "\(WebVTTChapters.timestamp(cues[index - 1].startMilliseconds)) of cue \(index); "
                        + "start times must not decrease")
            }
            for earlier in cues[..<index].indices where WebVTTChapters.overlapPartly(cues[earlier], cue) {
                let other = cues[earlier]
                problems.append(
                    "cues \(earlier + 1) and \(index + 1) partly overlap (\(WebVTTChapters.timestamp(other.startMilliseconds))"
                        + "–\(WebVTTChapters.timestamp(other.endMilliseconds)) and \(start)–\(end)); "
                        + "chapters must be nested or disjoint")
            }
            if let identifier = cue.identifier {
                if identifier.isEmpty {
                    problems.append("\(name): identifier is empty; use nil for none")
                } else if let first = identifiers[identifier] {
                    problems.append("\(name): identifier \"\(identifier)\" is already used by cue \(first)")
                } else {
                    identifiers[identifier] = index + 1
                }
            }
        }
        return problems
    }

    /// Whether two cues overlap without one containing the other: one starts strictly inside the
    /// other and ends after it. Cues sharing a start or an end are nested.
    static func overlapPartly(_ first: Cue, _ second: Cue) -> Bool {
        let (a, b) = first.startMilliseconds <= second.startMilliseconds ? (first, second) : (second, first)
        return a.startMilliseconds < b.startMilliseconds && b.startMilliseconds < a.endMilliseconds
            && a.endMilliseconds < b.endMilliseconds
    }

    /// A WebVTT timestamp `hh:mm:ss.ttt` with at least two hour digits: 4200 → `00:00:04.200`,
    /// 360 000 000 → `100:00:00.000`. Negative values get a leading `-`, which is not valid WebVTT.
    static func timestamp(_ milliseconds: Int64) -> String {
        let magnitude = milliseconds.magnitude
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = magnitude % 1000
        let thousandths = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        let seconds = magnitude / 1000
        return (milliseconds < 0 ? "-" : "") + two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":"
            + two(seconds % 60) + "." + thousandths
    }

    /// Title text as chapter title text: `&`, `<`, `>` as character references; CR, LF, CRLF, tab
    /// and other control characters as one space.
    static func escapedText(_ text: String) -> String {
        var result = ""
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\n" where afterCarriageReturn: continue
            case "\r", "\n", "\t": result += " "
            default:
                if PlaylistText.isForbiddenControl(scalar) {
                    result += " "
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// An identifier WebVTT can hold: CR, LF and CRLF become one space, and a space goes between
    /// `--` and `>` so the text never contains `-->`. Identifiers have no character references.
    static func sanitizedIdentifier(_ identifier: String) -> String {
        var result: [Unicode.Scalar] = []
        var afterCarriageReturn = false
        for scalar in identifier.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "\n" where afterCarriageReturn: continue
            case "\r", "\n": result.append(" ")
            case ">" where result.count >= 2 && result[result.count - 1] == "-" && result[result.count - 2] == "-":
                result.append(" ")
                result.append(">")
            default: result.append(scalar)
            }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: result)
        return text
    }
}
