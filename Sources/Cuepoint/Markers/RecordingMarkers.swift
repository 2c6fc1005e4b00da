import CuepointTime
import Foundation

/// Markers of a recording directory that is not running (`cuepoint markers list|add|close`):
/// reads and appends to its `markers.jsonl`, validating against its `recording.json`, so a
/// replay made later includes the changes.
public enum RecordingMarkers {
    /// The markers in the log (closes folded in) and the problems of unreadable lines.
    public static func list(directory: String) throws(CuepointError) -> (markers: [PlacedMarker], problems: [MarkerProblem]) {
        _ = try recordingState(directory)  // only to refuse a directory that is not a recording
        return MarkerLog.read(path: logPath(directory))
    }

    /// Validates one JSON object (the JSON-lines format) and appends it to the log.
    public static func add(json: String, directory: String, clock: any WallClock = SystemWallClock())
        throws(CuepointError) -> PlacedMarker
    {
        let state = try recordingState(directory)
        let existing = MarkerLog.read(path: logPath(directory)).markers
        let parsed = MarkerFile.parse(json, source: "marker")
        if let problem = parsed.problems.first { throw CuepointError(subject: "marker", message: problem.description) }
        guard let (line, marker) = parsed.markers.first, parsed.markers.count == 1 else {
            throw CuepointError(subject: "marker", message: "expected one JSON object", fix: "pass the marker as one JSON line")
        }
        let context = try context(state, existing: existing, clock: clock)
        switch MarkerValidator.place(marker, in: context, source: "marker", line: line) {
        case .failure(let failure):
            throw CuepointError(subject: "marker", message: failure.problems.map(\.description).joined(separator: "; "))
        case .success(let placed):
            try withLog(directory) { log in try log.append(placed, received: clock.now()) }
            return placed
        }
    }

    /// Closes an open marker of the log at `end`.
    public static func close(id: String, end: MarkerEnd, directory: String, clock: any WallClock = SystemWallClock())
        throws(CuepointError) -> PlacedMarker
    {
        let state = try recordingState(directory)
        let existing = MarkerLog.read(path: logPath(directory)).markers
        guard let marker = existing.first(where: { $0.id == id }) else {
            throw CuepointError(subject: id, message: "no marker has this id in \(logPath(directory))")
        }
        switch MarkerValidator.closingDuration(
            of: marker, end: end, in: try context(state, existing: existing, clock: clock), source: "marker")
        {
        case .failure(let failure):
            throw CuepointError(subject: id, message: failure.problems.map(\.description).joined(separator: "; "))
        case .success(let duration):
            try withLog(directory) { log in try log.appendClose(id: id, durationMilliseconds: duration, received: clock.now()) }
            return marker.closed(durationMilliseconds: duration)
        }
    }

    static func logPath(_ directory: String) -> String {
        DirectoryStore(root: URL(fileURLWithPath: directory)).absolute(RecordingLayout.markerLog)
    }

    private static func recordingState(_ directory: String) throws(CuepointError) -> RecordingState {
        let store = DirectoryStore(root: URL(fileURLWithPath: directory))
        switch RecordingState.load(from: store) {
        case .missing:
            throw CuepointError(
                subject: directory, message: "is not a recording (no \(RecordingLayout.state))",
                fix: "name a directory written by cuepoint")
        case .unreadable:
            throw CuepointError(
                subject: store.absolute(RecordingLayout.state), message: "cannot be read as a recording state")
        case .state(let state):
            return state
        }
    }

    private static func context(_ state: RecordingState, existing: [PlacedMarker], clock: any WallClock)
        throws(CuepointError) -> MarkerContext
    {
        guard let start = state.startDate.flatMap(WallClockTime.init(iso8601:)) else {
            throw CuepointError(subject: state.name, message: "the recording has no start date yet (no segment was written)")
        }
        let duration = state.renditions.map(\.durationMilliseconds).max()
        return MarkerContext(
            recordingStart: start, recordingDuration: state.complete || !state.live ? duration.map { .milliseconds($0) } : nil,
            now: clock.now(), knownIDs: Set(existing.map(\.id)))
    }

    private static func withLog(_ directory: String, _ body: (MarkerLog) throws -> Void) throws(CuepointError) {
        do {
            let log = try MarkerLog(path: logPath(directory))
            defer { log.close() }
            try body(log)
        } catch {
            throw CuepointError(subject: logPath(directory), message: "cannot append: \(error)")
        }
    }
}
