import CuepointJSON
import Foundation

/// Reads markers from JSON lines (`*.jsonl`): one JSON object per line.
///
/// ```swift
/// let (markers, problems) = MarkerFile.parse(text, source: "products.jsonl")
/// for problem in problems { print(problem) }   // products.jsonl:3: "price": expected a number ≥ 0, got "abc"
/// ```
///
/// Lines end with LF or CRLF; blank lines are skipped (JSON lines has no comments). A line that
/// is not a marker (malformed JSON, too long, a wrong field) is reported with its number and
/// left out; the other lines are still used. Two lines with the same `id` are reported at the
/// second, which is left out.
public enum MarkerFile {
    /// Parses JSON-lines text.
    ///
    /// - Parameters:
    ///   - text: The file's text.
    ///   - source: The name problems are reported against, e.g. `products.jsonl`.
    ///   - allowNow: Whether `"now"` is a time (a file followed by a live pipeline); false by default.
    /// - Returns: the markers in file order with their line numbers (from 1), and the problems.
    public static func parse(
        _ text: String,
        source: String,
        allowNow: Bool = false
    ) -> (markers: [(line: Int, marker: Marker)], problems: [MarkerProblem]) {
        var markers: [(line: Int, marker: Marker)] = []
        var problems: [MarkerProblem] = []
        var lineOfID: [String: Int] = [:]
        for (offset, rawLine) in lines(of: text).enumerated() {
            let number = offset + 1
            guard let result = parseLine(rawLine, number: number, source: source, allowNow: allowNow) else {
                continue
            }
            switch result {
            case .success(let marker):
                // A repeated generated id is two identical lines; MarkerValidator numbers them apart.
                if !Marker.isGeneratedID(marker.id), let first = lineOfID[marker.id] {
                    problems.append(
                        MarkerProblem(
                            source: source, line: number, id: marker.id, field: "id",
                            message: "\(MarkerDecoder.quote(marker.id)) is already the id of line \(first)"))
                    continue
                }
                lineOfID[marker.id] = lineOfID[marker.id] ?? number
                markers.append((number, marker))
            case .failure(let failure):
                problems += failure.problems
            }
        }
        return (markers, problems)
    }

    /// Reads and parses the file at `path`; a file that cannot be read is one problem without a line.
    public static func load(
        path: String,
        allowNow: Bool = false
    ) -> (markers: [(line: Int, marker: Marker)], problems: [MarkerProblem]) {
        guard let data = FileContents.read(atPath: path) else {
            let message = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            return ([], [MarkerProblem(source: path, message: message)])
        }
        let (text, encodingProblems) = decodeLines(data, source: path)
        let parsed = parse(text, source: path, allowNow: allowNow)
        return (parsed.markers, (encodingProblems + parsed.problems).sorted { ($0.line ?? 0) < ($1.line ?? 0) })
    }

    /// The bytes of a JSON-lines file as text, line by line: a line that is not UTF-8 becomes
    /// blank (so the other lines keep their numbers) and is reported.
    ///
    /// - Parameter firstLine: the number of the first line in `data` (when following a file).
    static func decodeLines(_ data: Data, source: String, firstLine: Int = 1) -> (text: String, problems: [MarkerProblem]) {
        var lines: [String] = []
        var problems: [MarkerProblem] = []
        for (offset, bytes) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if let line = String(data: Data(bytes), encoding: .utf8) {
                lines.append(line)
            } else {
                lines.append("")
                problems.append(MarkerProblem(source: source, line: firstLine + offset, message: "is not UTF-8 text"))
            }
        }
        return (lines.joined(separator: "\n"), problems)
    }

    /// One line: nil when it is blank, otherwise the marker or its problems.
    ///
    /// - Parameters:
    ///   - line: The line without its terminator.
    ///   - number: Its number, from 1.
    static func parseLine(
        _ line: Substring,
        number: Int,
        source: String,
        allowNow: Bool
    ) -> Result<Marker, MarkerProblems>? {
        guard !line.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        func failure(_ message: String) -> Result<Marker, MarkerProblems> {
            .failure(MarkerProblems([MarkerProblem(source: source, line: number, message: message)]))
        }
        let size = line.utf8.count
        guard size <= MarkerDecoder.maximumBytes else {
            return failure("the line is \(size) bytes; a marker takes at most \(MarkerDecoder.maximumBytes)")
        }
        let value: JSONValue
        do {
            value = try Marker.parseJSON(String(line))
        } catch {
            return failure("malformed JSON at column \(error.column): \(error.message)")
        }
        return MarkerDecoder.decode(
            value, options: MarkerDecoder.Options(allowNow: allowNow), source: source, line: number)
    }

    /// The lines of `text`, split at LF with a CR before it removed; a byte order mark at the
    /// start is dropped, and a final line terminator does not start another line. Split by
    /// Unicode scalar, because `"\r\n"` is a single `Character`.
    static func lines(of text: String) -> [Substring] {
        let scalars = text.unicodeScalars
        var lines: [Substring] = []
        var start = scalars.startIndex
        if scalars.first == "\u{FEFF}" { start = scalars.index(after: start) }
        func append(upTo end: String.UnicodeScalarView.Index) {
            var last = end
            if last > start, scalars[scalars.index(before: last)] == "\r" { last = scalars.index(before: last) }
            lines.append(Substring(scalars[start..<last]))
        }
        var index = start
        while index < scalars.endIndex {
            if scalars[index] == "\n" {
                append(upTo: index)
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        if start < scalars.endIndex { append(upTo: scalars.endIndex) }
        return lines
    }
}
