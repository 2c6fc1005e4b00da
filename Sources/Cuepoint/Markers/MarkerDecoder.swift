import CuepointJSON
import CuepointTime
import Foundation

// One file on purpose (it is longer than most): every rule a marker field follows lives here,
// beside the others, because the rules refer to each other (an end after the start, a price
// with a currency, generated ids hashed from the canonical form) and `docs/markers.md` mirrors
// this file's table of rules; split across files, a change to one rule would hide its neighbours.

/// Turns a marker's JSON object into a ``Marker``, or into every problem it has.
///
/// This is the one place marker fields are checked: JSON lines (``MarkerFile``), the pipeline
/// file's `markers.from[].list` (converted from YAML), the HTTP API's bodies and the durable log
/// all come through here. Checks that need the recording (unique ids, times inside it) are
/// ``MarkerValidator``'s.
///
/// Rules (`docs/markers.md` has the full table):
/// - fields are those of ``fieldNames``; any other is an error naming the closest valid one;
/// - `title`, `url` and `start` are required (`start` defaults to `"now"` where `"now"` is
///   allowed); a field whose value is `null` counts as not given;
/// - the marker, as compact JSON, takes at most ``maximumBytes`` bytes;
/// - `duration` and `end` exclude each other.
public enum MarkerDecoder {
    /// The fields of a marker object, in documentation order.
    public static let fieldNames = [
        "id", "product", "title", "url", "price", "currency", "image", "attributes", "start", "duration", "end",
    ]
    /// The most bytes a marker may take: its JSON line, or its object written as compact JSON.
    public static let maximumBytes = 4096

    /// Decodes a marker from an object made by `JSONSerialization` (an API body).
    ///
    /// - Parameters:
    ///   - jsonObject: The object; values are `String`, `NSNumber`, `NSNull`, arrays and
    ///     dictionaries as `JSONSerialization` makes them (Swift `Bool`, `Int` and `Double` work too).
    ///   - allowNow: Whether `start` and `end` may be `"now"`, and `start` may be left out to
    ///     mean `"now"`: true for the live API only.
    ///   - source: What problems name as the marker's source.
    ///   - line: The line problems name, if the object came from one.
    /// - Returns: the marker, or all its problems.
    public static func decode(
        jsonObject: [String: Any],
        allowNow: Bool,
        source: String = "api",
        line: Int? = nil
    ) -> Result<Marker, MarkerProblems> {
        guard let value = JSONValue(foundationObject: jsonObject) else {
            return .failure(
                MarkerProblems([
                    MarkerProblem(
                        source: source, line: line, message: "the object holds a value that is not JSON")
                ]))
        }
        return decode(value, options: Options(allowNow: allowNow), source: source, line: line)
    }

    /// What a source may do beyond the rules for files.
    struct Options {
        /// `"now"` is a time, and a missing `start` means `"now"` (the live API).
        var allowNow = false
        /// Ids of the generated form (`m-1a2b3c4d`) are accepted: the log holds generated ids.
        var allowGeneratedIDs = false
        /// The size limit applies (not to the log, whose records add the placed times).
        var limitSize = true
    }

    /// Decodes a marker from a parsed JSON (or converted YAML) value.
    static func decode(
        _ value: JSONValue,
        options: Options,
        source: String,
        line: Int?
    ) -> Result<Marker, MarkerProblems> {
        var reader = FieldReader(source: source, line: line, options: options)
        let marker = reader.marker(value)
        if let marker, reader.problems.isEmpty { return .success(marker) }
        return .failure(MarkerProblems(reader.problems))
    }

    /// The id generated for a marker the source gave none: `m-` and 8 hexadecimal digits of the
    /// FNV-1a hash of the object in canonical JSON (sorted keys, no white space). The same
    /// object always gets the same id; ``MarkerValidator`` suffixes `-2`, `-3`, … when two
    /// markers of one recording get the same one.
    static func generatedID(for members: [JSONMember]) -> String {
        let canonical = JSONWriter.compact(.object(members), sortedKeys: true)
        var hash: UInt32 = 0x811C_9DC5
        for byte in canonical.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return "m-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Why `text` is not an `http` or `https` URL a playlist can carry, or nil when it is one.
    static func urlProblem(_ text: String) -> String? {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return "expected an http or https URL such as \"https://shop.example/p/1\", got \(quote(text))"
        }
        let afterScheme = text[text.index(text.startIndex, offsetBy: lower.hasPrefix("https") ? 8 : 7)...]
        let host = afterScheme.prefix { !"/?#".contains($0) }
        guard !host.isEmpty else { return "the URL \(quote(text)) has no host" }
        guard text.utf8.count <= Marker.maximumURLLength else {
            return "the URL is \(text.utf8.count) bytes; at most \(Marker.maximumURLLength)"
        }
        let forbidden: Set<Unicode.Scalar> = ["\"", "<", ">", "\\", "^", "`", "{", "|", "}"]
        for scalar in text.unicodeScalars
        where scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || forbidden.contains(scalar)
        {
            return "the URL contains \(describe(scalar)); percent-encode it (a space is %20, `\"` is %22)"
        }
        return nil
    }

    /// A character as messages name it: `a space`, `U+000A`, `` `"` ``.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar == " " { return "a space" }
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace {
            return "U+" + String(format: "%04X", scalar.value)
        }
        return "`\(scalar)`"
    }

    /// `text` in double quotes, with `"`, `\` and control characters escaped as JSON does;
    /// past ``EchoedText/valueLimit`` characters, its start and its size (a marker line may be
    /// huge, and every message repeats the id).
    static func quote(_ text: String) -> String {
        guard let cut = EchoedText.truncated(text, limit: EchoedText.valueLimit) else {
            return JSONWriter.compact(.string(text))
        }
        return JSONWriter.compact(.string(String(text[..<cut]) + "…")) + " (\(text.utf8.count) bytes)"
    }
}

/// Reads the fields of one marker object, collecting problems.
private struct FieldReader {
    let source: String
    let line: Int?
    let options: MarkerDecoder.Options
    private(set) var problems: [MarkerProblem] = []
    /// The marker's id once known, so every problem can name it.
    private var id: String?

    init(source: String, line: Int?, options: MarkerDecoder.Options) {
        self.source = source
        self.line = line
        self.options = options
    }

    mutating func report(_ field: String?, _ message: String, suggestion: String? = nil) {
        problems.append(
            MarkerProblem(
                source: source, line: line, id: id, field: field, message: message, suggestion: suggestion))
    }

    mutating func marker(_ value: JSONValue) -> Marker? {
        guard case .object(let members) = value.kind else {
            report(nil, "expected a JSON object of marker fields, got \(describe(value))")
            return nil
        }
        var fields: [String: JSONValue] = [:]
        for member in members {
            if MarkerDecoder.fieldNames.contains(member.key) {
                if member.value != .null { fields[member.key] = member.value }
            } else if let suggestion = KeySuggestion.closest(to: member.key, among: MarkerDecoder.fieldNames) {
                report(member.key, "unknown field", suggestion: suggestion)
            } else {
                let list = MarkerDecoder.fieldNames.map { "\"\($0)\"" }.joined(separator: ", ")
                report(member.key, "unknown field; expected one of \(list)")
            }
        }
        if options.limitSize {
            let size = JSONWriter.compact(value).utf8.count
            if size > MarkerDecoder.maximumBytes {
                report(nil, "the marker is \(size) bytes as compact JSON; at most \(MarkerDecoder.maximumBytes)")
            }
        }

        let givenID = fields["id"].flatMap { identifier($0) }
        let id = givenID ?? MarkerDecoder.generatedID(for: members)
        if fields["id"] == nil || givenID != nil {
            self.id = id
            for index in problems.indices { problems[index].id = id }
        }
        let product = fields["product"].flatMap {
            limitedText("product", $0, maximum: Marker.maximumProductLength)
        }
        let title = required("title", in: fields).flatMap {
            limitedText("title", $0, maximum: Marker.maximumTitleLength)
        }
        let url = required("url", in: fields).flatMap { link("url", $0) }
        let image = fields["image"].flatMap { link("image", $0) }
        let price = fields["price"].flatMap { decimalPrice($0) }
        let currency = fields["currency"].flatMap { currencyCode($0) }
        let attributes = fields["attributes"].map { attributeMap($0) } ?? [:]

        var start: MarkerTime?
        if let value = fields["start"] {
            start = time("start", value)
        } else if options.allowNow {
            start = .now
        } else {
            report("start", "required field is missing")
        }
        var end: MarkerEnd?
        if let value = fields["duration"] {
            end = duration(value).map { .duration(milliseconds: $0) }
        }
        if let value = fields["end"] {
            if fields["duration"] != nil {
                report("end", "give either \"duration\" or \"end\", not both")
            } else if let time = time("end", value) {
                end = .time(time)
                if let start, let problem = Self.endProblem(start: start, end: time) { report("end", problem) }
            }
        }

        guard let title, let url, let start else { return nil }
        return Marker(
            id: id, product: product, title: title, url: url, price: price, currency: currency, image: image,
            attributes: attributes, start: start, end: end)
    }

    /// Why `end` is before `start` when both are in the same form; nil otherwise (mixed forms are
    /// compared once placed).
    static func endProblem(start: MarkerTime, end: MarkerTime) -> String? {
        switch (start, end) {
        case (.offset(let from), .offset(let to)) where to < from:
            return "\(SecondsText.shortest(milliseconds: to)) s is before the start "
                + "(\(SecondsText.shortest(milliseconds: from)) s)"
        case (.date(let from), .date(let to)) where to < from:
            return "\(to.iso8601) is before the start (\(from.iso8601))"
        default:
            return nil
        }
    }

    // MARK: - Fields

    mutating func required(_ field: String, in fields: [String: JSONValue]) -> JSONValue? {
        guard let value = fields[field] else {
            report(field, "required field is missing")
            return nil
        }
        return value
    }

    mutating func text(_ field: String, _ value: JSONValue, expected: String = "a string") -> String? {
        switch value.kind {
        case .string(let text), .untyped(let text): return text
        default:
            report(field, "expected \(expected), got \(describe(value))")
            return nil
        }
    }

    mutating func identifier(_ value: JSONValue) -> String? {
        guard let id = text("id", value) else { return nil }
        guard Marker.isValidID(id) else {
            report(
                "id", "expected 1 to 64 letters, digits, \".\", \"_\", \":\" or \"-\", got \(MarkerDecoder.quote(id))")
            return nil
        }
        if !options.allowGeneratedIDs, Marker.isGeneratedID(id) {
            report(
                "id",
                "\(MarkerDecoder.quote(id)) has the form of a generated id (\"m-\" and 8 hexadecimal digits); "
                    + "choose another, or leave \"id\" out to have one generated")
            return nil
        }
        return id
    }

    mutating func limitedText(_ field: String, _ value: JSONValue, maximum: Int) -> String? {
        guard let text = text(field, value) else { return nil }
        if text.allSatisfy({ $0.isWhitespace }) {
            report(field, text.isEmpty ? "must not be empty" : "must not be only white space")
            return nil
        }
        if text.count > maximum {
            report(field, "is \(text.count) characters long; at most \(maximum)")
            return nil
        }
        return text
    }

    mutating func link(_ field: String, _ value: JSONValue) -> String? {
        guard let url = text(field, value, expected: "an http or https URL") else { return nil }
        if let problem = MarkerDecoder.urlProblem(url) {
            report(field, problem)
            return nil
        }
        return url
    }

    /// A price: a number, or a string holding one, matching `[0-9]+(\.[0-9]{1,4})?`.
    mutating func decimalPrice(_ value: JSONValue) -> String? {
        let text: String
        switch value.kind {
        case .number(let number): text = number
        case .string(let string), .untyped(let string): text = string.trimmingCharacters(in: .whitespaces)
        default:
            report("price", "expected a number ≥ 0, got \(describe(value))")
            return nil
        }
        guard let decimal = JSONNumber(text) else {
            report("price", "expected a number ≥ 0, got \(describe(value))")
            return nil
        }
        if decimal.negative {
            report("price", "expected a number ≥ 0, got \(text)")
            return nil
        }
        if text.contains(where: { $0 == "e" || $0 == "E" }) {
            report("price", "write the price as a plain decimal such as 24.99, got \(text)")
            return nil
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[1].count > 4 {
            report("price", "expected at most 4 decimals, got \(text)")
            return nil
        }
        if parts[0].count > 12 {
            report("price", "expected at most 12 digits before the point, got \(text)")
            return nil
        }
        return text
    }

    mutating func currencyCode(_ value: JSONValue) -> String? {
        guard let code = text("currency", value) else { return nil }
        func isCode(_ text: String) -> Bool {
            text.utf8.count == 3 && text.utf8.allSatisfy { (0x41...0x5A).contains($0) }
        }
        guard isCode(code) else {
            report(
                "currency",
                "expected an ISO 4217 code, three uppercase letters such as \"USD\", got \(MarkerDecoder.quote(code))",
                suggestion: isCode(code.uppercased()) ? code.uppercased() : nil)
            return nil
        }
        return code
    }

    mutating func attributeMap(_ value: JSONValue) -> [String: String] {
        guard case .object(let members) = value.kind else {
            report("attributes", "expected an object of string values, got \(describe(value))")
            return [:]
        }
        var attributes: [String: String] = [:]
        for member in members {
            let field = "attributes." + member.key
            let validKey =
                (1...32).contains(member.key.utf8.count)
                && member.key.utf8.allSatisfy {
                    (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D
                }
            guard validKey else {
                let lower = member.key.lowercased()
                report(
                    field, "expected a key of 1 to 32 lowercase letters, digits, \"_\" and \"-\"",
                    suggestion: lower != member.key && lower.utf8.count <= 32 ? lower : nil)
                continue
            }
            if let text = text(field, member.value) {
                attributes[member.key] = text
            }
        }
        return attributes
    }

    // MARK: - Times

    /// `start` or `end`: seconds (a number), a duration text, an ISO 8601 date-time, or `"now"`.
    mutating func time(_ field: String, _ value: JSONValue) -> MarkerTime? {
        let expected =
            "expected seconds from the recording start (12.5 or \"12.5s\") or an ISO 8601 date-time with a "
            + "time zone (\"2025-03-14T18:00:04Z\")"
        switch value.kind {
        case .number(let number):
            return seconds(field, number).map { .offset(milliseconds: $0) }
        case .untyped(let text) where JSONNumber(text) != nil:
            return seconds(field, text).map { .offset(milliseconds: $0) }
        case .string(let raw), .untyped(let raw):
            let text = raw.trimmingCharacters(in: .whitespaces)
            if text == "now" {
                if options.allowNow { return .now }
                report(field, "\"now\" is only accepted by the live API; \(expected)")
                return nil
            }
            if let date = WallClockTime(iso8601: text) { return .date(date) }
            if let duration = DurationText.parse(text) { return .offset(milliseconds: duration.milliseconds) }
            report(field, "\(expected), got \(MarkerDecoder.quote(raw))")
            return nil
        default:
            report(field, "\(expected), got \(describe(value))")
            return nil
        }
    }

    /// `duration`: seconds (a number) or a duration text; in milliseconds.
    mutating func duration(_ value: JSONValue) -> Int64? {
        let expected = "expected a duration in seconds (30 or \"30s\")"
        switch value.kind {
        case .number(let number):
            return seconds("duration", number)
        case .untyped(let text) where JSONNumber(text) != nil:
            return seconds("duration", text)
        case .string(let raw), .untyped(let raw):
            let text = raw.trimmingCharacters(in: .whitespaces)
            if let duration = DurationText.parse(text) { return duration.milliseconds }
            if WallClockTime(iso8601: text) != nil {
                report("duration", "\(expected), got the date \(MarkerDecoder.quote(raw)); use \"end\" for a date")
            } else {
                report("duration", "\(expected), got \(MarkerDecoder.quote(raw))")
            }
            return nil
        default:
            report("duration", "\(expected), got \(describe(value))")
            return nil
        }
    }

    /// A number of seconds ≥ 0 as milliseconds.
    mutating func seconds(_ field: String, _ text: String) -> Int64? {
        if let milliseconds = Marker.milliseconds(fromSeconds: text) { return milliseconds }
        if JSONNumber(text)?.negative == true {
            report(field, "expected a number of seconds ≥ 0, got \(text)")
        } else {
            report(field, "expected a number of seconds below 10^12, got \(text)")
        }
        return nil
    }

    func describe(_ value: JSONValue) -> String {
        switch value.kind {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text), .untyped(let text): return MarkerDecoder.quote(text)
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
