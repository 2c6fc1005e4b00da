import CuepointTime
import Foundation
import NIOConcurrencyHelpers

/// Where markers enter a running pipeline, from any thread: the pipeline file, marker files
/// and the library API all pass through `accept`, which validates (one code path), appends
/// the marker to the recording's `markers.jsonl` and syncs it to disk, and only then queues it
/// for the pipeline thread and acknowledges it.
final class MarkerDesk: Sendable {
    enum Command: Equatable, Sendable {
        case add(PlacedMarker)
        case close(id: String, durationMilliseconds: Int64)
    }

    private struct State {
        var context: MarkerContext
        var placed: [String: PlacedMarker] = [:]
        var inbox: [Command] = []
    }

    private let state: NIOLockedValueBox<State>
    private let log: MarkerLog
    private let clock: any WallClock

    /// - Parameter placed: the markers already in the log, for a resumed recording: they are
    ///   listed, can be closed and keep their ids, as if this desk had accepted them (they are
    ///   not logged or queued again).
    init(log: MarkerLog, context: MarkerContext, clock: any WallClock, placed: [PlacedMarker] = []) {
        self.log = log
        self.clock = clock
        var state = State(context: context)
        for marker in placed { state.placed[marker.id] = marker }
        self.state = NIOLockedValueBox(state)
    }

    /// Validates, logs and queues markers; returns the accepted ones and the problems of the rest.
    func accept(_ markers: [(line: Int, marker: Marker)], source: String) -> (placed: [PlacedMarker], problems: [MarkerProblem]) {
        state.withLockedValue { state in
            state.context.now = clock.now()
            var placed: [PlacedMarker] = []
            var problems: [MarkerProblem] = []
            for (line, marker) in markers {
                switch MarkerValidator.place(marker, in: state.context, source: source, line: line > 0 ? line : nil) {
                case .failure(let failure):
                    problems += failure.problems
                case .success(let result):
                    do {
                        try log.append(result, received: state.context.now)
                    } catch {
                        problems.append(
                            MarkerProblem(source: source, line: line > 0 ? line : nil, id: result.id,
                                message: "could not be recorded in \(log.path): \(error)"))
                        continue
                    }
                    state.context.knownIDs.insert(result.id)
                    state.placed[result.id] = result
                    state.inbox.append(.add(result))
                    placed.append(result)
                }
            }
            return (placed, problems)
        }
    }

    /// Closes an open marker at `end` (default: now); logged before it is acknowledged.
    func close(id: String, end: MarkerEnd?, source: String) throws(MarkerProblems) -> PlacedMarker {
        let result: Result<PlacedMarker, MarkerProblems> = state.withLockedValue { state in
            state.context.now = clock.now()
            guard let marker = state.placed[id] else {
                return .failure(MarkerProblems([MarkerProblem(source: source, id: id, message: "no marker has this id")]))
            }
            switch MarkerValidator.closingDuration(of: marker, end: end ?? .time(.now), in: state.context, source: source) {
            case .failure(let failure):
                return .failure(failure)
            case .success(let duration):
                do {
                    try log.appendClose(id: id, durationMilliseconds: duration, received: state.context.now)
                } catch {
                    return .failure(
                        MarkerProblems([MarkerProblem(source: source, id: id, message: "could not be recorded: \(error)")]))
                }
                let closed = marker.closed(durationMilliseconds: duration)
                state.placed[id] = closed
                state.inbox.append(.close(id: id, durationMilliseconds: duration))
                return .success(closed)
            }
        }
        return try result.get()
    }

    /// Logs a close the pipeline itself decided (open markers end with the recording).
    func recordClose(id: String, durationMilliseconds: Int64) {
        state.withLockedValue { state in
            guard let marker = state.placed[id], marker.isOpen else { return }
            try? log.appendClose(id: id, durationMilliseconds: durationMilliseconds, received: clock.now())
            state.placed[id] = marker.closed(durationMilliseconds: durationMilliseconds)
        }
    }

    /// Every accepted marker, by start.
    var markers: [PlacedMarker] {
        state.withLockedValue { $0.placed.values.sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) } }
    }

    /// Takes the queued commands (called by the pipeline thread).
    func drain() -> [Command] {
        state.withLockedValue { state in
            defer { state.inbox = [] }
            return state.inbox
        }
    }

    /// Records the wall clock of recording time 0 (from the session, at each epoch), so that
    /// ISO 8601 and "now" times map onto the recording as the playlists do.
    func setRecordingStart(_ start: WallClockTime) {
        state.withLockedValue { $0.context.recordingStart = start }
    }

    func closeLog() { log.close() }
}

/// Follows a JSON-lines marker file that grows while a live pipeline runs: each poll parses
/// the complete lines appended since the last one.
final class MarkerFileFollower {
    let path: String
    private var offset: UInt64 = 0
    private var linesRead = 0
    private var partial = Data()

    init(path: String) { self.path = path }

    /// The markers on complete new lines, numbered as lines of the whole file, and the problems.
    func poll() -> (markers: [(line: Int, marker: Marker)], problems: [MarkerProblem]) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], []) }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else { return ([], []) }
        let complete = partial[partial.startIndex...lastNewline]
        partial = Data(partial[(lastNewline + 1)...])
        let base = linesRead
        linesRead += complete.filter { $0 == UInt8(ascii: "\n") }.count
        let (text, encodingProblems) = MarkerFile.decodeLines(Data(complete), source: path, firstLine: base + 1)
        let parsed = MarkerFile.parse(text, source: path, allowNow: true)
        return (
            parsed.markers.map { ($0.line + base, $0.marker) },
            encodingProblems + parsed.problems.map { problem in
                var shifted = problem
                shifted.line = problem.line.map { $0 + base }
                return shifted
            }
        )
    }
}
