import CuepointJSON
public import CuepointTime

/// What a marker is checked against: the recording it is placed on.
public struct MarkerContext: Sendable, Equatable {
    /// The wall-clock time of media time 0 (the first segment's PROGRAM-DATE-TIME).
    public var recordingStart: WallClockTime
    /// How long the recording is; nil while it is live (then nothing is "past the end").
    public var recordingDuration: MediaTime?
    /// The current time, which `"now"` means; passed in so tests can fix it.
    public var now: WallClockTime
    /// The ids already used in the recording; a new marker may not reuse one.
    public var knownIDs: Set<String>

    public init(
        recordingStart: WallClockTime,
        recordingDuration: MediaTime? = nil,
        now: WallClockTime,
        knownIDs: Set<String> = []
    ) {
        self.recordingStart = recordingStart
        self.recordingDuration = recordingDuration
        self.now = now
        self.knownIDs = knownIDs
    }

    /// A marker time in milliseconds from media time 0: an offset as it is, a date through
    /// ``recordingStart``, `"now"` through ``now`` (never before 0: a clock slightly behind the
    /// recording's start means the start).
    public func milliseconds(of time: MarkerTime) -> Int64 {
        switch time {
        case .offset(let milliseconds): return milliseconds
        case .date(let date): return date.millisecondsSince1970 - recordingStart.millisecondsSince1970
        case .now: return max(0, now.millisecondsSince1970 - recordingStart.millisecondsSince1970)
        }
    }
}

/// Places markers on a recording: the checks that need context.
///
/// Every marker, whatever its source, goes through ``place(_:in:source:line:)``, which
/// - runs the marker's fields through ``MarkerDecoder`` again (so a marker built in code meets
///   the same rules as one read from a file);
/// - rejects an id already in ``MarkerContext/knownIDs``, except a generated one, which becomes
///   `m-1a2b3c4d-2`, `-3`, … (two identical lines, or two `"now"` markers with the same body);
/// - maps the start and end to milliseconds from media time 0 and rejects a start before the
///   recording's start, an end before the start, and, when the recording's length is known, a
///   start at or after its end or an end after it.
public enum MarkerValidator {
    /// Places one marker.
    ///
    /// - Parameters:
    ///   - marker: The marker, as decoded or built.
    ///   - context: The recording.
    ///   - source: What problems name as the marker's source.
    ///   - line: The marker's line in its source, if it has one.
    /// - Returns: the placed marker, or every problem found.
    public static func place(
        _ marker: Marker,
        in context: MarkerContext,
        source: String = "api",
        line: Int? = nil
    ) -> Result<PlacedMarker, MarkerProblems> {
        var problems: [MarkerProblem] = []
        func report(_ field: String?, _ message: String) {
            problems.append(MarkerProblem(source: source, line: line, id: marker.id, field: field, message: message))
        }

        var marker = marker
        if case .failure(let failure) = MarkerDecoder.decode(
            marker.jsonValue(),
            options: MarkerDecoder.Options(allowNow: true, allowGeneratedIDs: true, limitSize: false),
            source: source, line: line)
        {
            problems += failure.problems
        }

        if context.knownIDs.contains(marker.id) {
            if Marker.isGeneratedID(marker.id) {
                let base = String(marker.id.prefix(10))
                var counter = 2
                while context.knownIDs.contains("\(base)-\(counter)") { counter += 1 }
                if marker.product == marker.id { marker.product = "\(base)-\(counter)" }
                marker.id = "\(base)-\(counter)"
            } else {
                report("id", "\(MarkerDecoder.quote(marker.id)) is already the id of another marker of this recording")
            }
        }

        let start = context.milliseconds(of: marker.start)
        if start < 0 {
            report(
                "start", "\(describe(marker.start, context)) is before the recording start (\(context.recordingStart))")
        }
        var duration: Int64?
        var endField = "duration"
        switch marker.end {
        case nil:
            break
        case .duration(let milliseconds):
            duration = milliseconds
        case .time(let time):
            endField = "end"
            let end = context.milliseconds(of: time)
            if end >= start {
                duration = end - start
            } else if !problems.contains(where: { $0.field == "end" }) {
                // (The decoder already reported an end before a start written in the same form.)
                report("end", "\(describe(time, context)) is before the start (\(describe(marker.start, context)))")
            }
        }
        if let length = context.recordingDuration?.milliseconds {
            if start >= length, start >= 0 {
                report(
                    "start",
                    "\(describe(marker.start, context)) is at or past the end of the recording "
                        + "(\(seconds(length)) s long)")
            } else if let duration, start + duration > length {
                report(
                    endField,
                    "the marker ends at \(seconds(start + duration)) s, past the end of the recording "
                        + "(\(seconds(length)) s long)")
            }
        }

        guard problems.isEmpty else { return .failure(MarkerProblems(problems)) }
        return .success(PlacedMarker(marker: marker, startMilliseconds: start, durationMilliseconds: duration))
    }

    /// Places markers in order, adding each placed id to `context.knownIDs`.
    ///
    /// - Returns: the placed markers, in order, and the problems of the others.
    public static func place(
        _ markers: [(line: Int, marker: Marker)],
        source: String,
        in context: inout MarkerContext
    ) -> (markers: [PlacedMarker], problems: [MarkerProblem]) {
        var placed: [PlacedMarker] = []
        var problems: [MarkerProblem] = []
        for (line, marker) in markers {
            switch place(marker, in: context, source: source, line: line) {
            case .success(let result):
                context.knownIDs.insert(result.id)
                placed.append(result)
            case .failure(let failure):
                problems += failure.problems
            }
        }
        return (placed, problems)
    }

    /// The duration that closes an open marker at `end` (the API's `close(id)`).
    ///
    /// - Returns: the duration in milliseconds, or the problem: the marker is already closed,
    ///   `end` is before its start, or past the end of a recording of known length.
    public static func closingDuration(
        of placed: PlacedMarker,
        end: MarkerEnd,
        in context: MarkerContext,
        source: String = "api"
    ) -> Result<Int64, MarkerProblems> {
        func failure(_ field: String?, _ message: String) -> Result<Int64, MarkerProblems> {
            .failure(
                MarkerProblems([
                    MarkerProblem(source: source, id: placed.id, field: field, message: message)
                ]))
        }
        if let duration = placed.durationMilliseconds {
            return failure(nil, "the marker is already closed (after \(seconds(duration)) s)")
        }
        let duration: Int64
        switch end {
        case .duration(let milliseconds):
            duration = milliseconds
        case .time(let time):
            let milliseconds = context.milliseconds(of: time)
            guard milliseconds >= placed.startMilliseconds else {
                return failure(
                    "end",
                    "\(describe(time, context)) is before the start (\(seconds(placed.startMilliseconds)) s)")
            }
            duration = milliseconds - placed.startMilliseconds
        }
        if let length = context.recordingDuration?.milliseconds, placed.startMilliseconds + duration > length {
            return failure(
                "end",
                "the marker would end at \(seconds(placed.startMilliseconds + duration)) s, past the end of the "
                    + "recording (\(seconds(length)) s long)")
        }
        return .success(duration)
    }

    private static func seconds(_ milliseconds: Int64) -> String {
        SecondsText.shortest(milliseconds: milliseconds)
    }

    private static func describe(_ time: MarkerTime, _ context: MarkerContext) -> String {
        switch time {
        case .offset(let milliseconds): return "\(seconds(milliseconds)) s"
        case .date(let date): return date.iso8601
        case .now: return "now (\(context.now))"
        }
    }
}
