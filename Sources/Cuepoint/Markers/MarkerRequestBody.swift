import CuepointJSON
import CuepointTime

/// The bodies of the live marker API's requests, read by the same parser and decoder as marker
/// files (`docs/markers.md`), so a marker means the same thing wherever it comes from.
///
/// ```swift
/// switch MarkerRequestBody.marker(from: #"{"title":"Mug","url":"https://shop.example/mug"}"#) {
/// case .success(let marker): try runner.addMarker(marker)      // start: "now"
/// case .failure(.malformed(let message)): print(message)        // HTTP 400
/// case .failure(.invalid(let problems)): print(problems)        // HTTP 422
/// }
/// ```
public enum MarkerRequestBody {
    /// Why a body is not a marker (or a close).
    public enum Failure: Error, Sendable, Equatable {
        /// Not JSON (or not UTF-8): the parser's message, with the column of the mistake.
        case malformed(String)
        /// JSON, but the fields are wrong: every problem, each naming its field.
        case invalid(MarkerProblems)
    }

    /// The fields of a close request's body.
    public static let closeFieldNames = ["end", "duration"]

    /// Reads one marker object (the JSON-lines format); `start` may be `"now"` and defaults to it.
    ///
    /// - Parameters:
    ///   - text: The request body.
    ///   - source: What problems name as the marker's source.
    public static func marker(from text: String, source: String = "api") -> Result<Marker, Failure> {
        let value: JSONValue
        do {
            value = try Marker.parseJSON(text)
        } catch {
            return .failure(.malformed("malformed JSON at column \(error.column): \(error.message)"))
        }
        return MarkerDecoder.decode(value, options: MarkerDecoder.Options(allowNow: true), source: source, line: nil)
            .mapError { .invalid($0) }
    }

    /// Reads a close request's body: `{"end": TIME}`, `{"duration": DURATION}`, or nothing
    /// (an empty body or `{}`), which means "now".
    ///
    /// `end` takes the times of a marker's `start` (seconds, a duration text, an ISO 8601
    /// date-time, `"now"`); `duration` takes seconds or a duration text.
    ///
    /// - Parameters:
    ///   - text: The request body.
    ///   - id: The id of the marker being closed (problems name it).
    /// - Returns: how the marker ends; nil for now.
    public static func end(from text: String, closing id: String, source: String = "api") -> Result<MarkerEnd?, Failure>
    {
        if text.allSatisfy(\.isWhitespace) { return .success(nil) }
        let value: JSONValue
        do {
            value = try Marker.parseJSON(text)
        } catch {
            return .failure(.malformed("malformed JSON at column \(error.column): \(error.message)"))
        }
        func problem(_ field: String?, _ message: String, suggestion: String? = nil) -> Result<MarkerEnd?, Failure> {
            .failure(
                .invalid(
                    MarkerProblems([
                        MarkerProblem(source: source, id: id, field: field, message: message, suggestion: suggestion)
                    ])))
        }
        guard case .object(let members) = value.kind else {
            return problem(nil, "expected a JSON object such as {\"end\": \"now\"} or {\"duration\": 30}")
        }
        let given = members.filter { $0.value != .null }
        for member in given where !closeFieldNames.contains(member.key) {
            if let suggestion = KeySuggestion.closest(to: member.key, among: closeFieldNames) {
                return problem(member.key, "unknown field", suggestion: suggestion)
            }
            return problem(member.key, "unknown field; expected \"end\" or \"duration\"")
        }
        guard let member = given.first else { return .success(nil) }
        if given.count > 1 {
            return problem("end", "give either \"duration\" or \"end\", not both")
        }
        // The field's value is read exactly as in a marker object: decode a stand-in marker that
        // starts now and ends as asked, and keep only what concerns that field.
        let standIn = JSONValue.object([
            JSONMember(key: "id", value: .string(Marker.isValidID(id) ? id : "closing")),
            JSONMember(key: "title", value: .string("closing")),
            JSONMember(key: "url", value: .string("https://closing.invalid/")),
            JSONMember(key: "start", value: .string("now")),
            member,
        ])
        switch MarkerDecoder.decode(
            standIn, options: MarkerDecoder.Options(allowNow: true, allowGeneratedIDs: true), source: source, line: nil)
        {
        case .success(let marker):
            return .success(marker.end)
        case .failure(let failure):
            let problems = failure.problems.filter { $0.field == member.key }.map { problem in
                var named = problem
                named.id = id
                return named
            }
            return .failure(
                .invalid(
                    MarkerProblems(
                        problems.isEmpty
                            ? [MarkerProblem(source: source, id: id, field: member.key, message: "invalid")]
                            : problems)))
        }
    }
}

extension PlacedMarker {
    /// The placed marker as one JSON object, as the marker log and the HTTP API write it: every
    /// field it has, `product` always, `start` in seconds from media time 0 and `duration` in
    /// seconds when it is closed (no `duration`: open).
    public var jsonText: String {
        JSONWriter.compact(marker.jsonValue())
    }
}
