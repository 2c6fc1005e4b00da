import Cuepoint
import CuepointServer
import CuepointTime
import Foundation
import NIOConcurrencyHelpers

/// A marker endpoint over an in-memory recording: the same validation as a running pipeline
/// (`MarkerValidator` against a recording context), without media. It stands for a recording
/// that started at `start` and is live (no end), so the server's HTTP behaviour can be tested
/// in milliseconds; `MarkerAPIRunnerTests` drives a real `PipelineRunner`.
final class RecordingEndpoint: MarkerEndpoint {
    static let start = WallClockTime(millisecondsSince1970: 1_741_975_200_000)  // 2025-03-14T18:00:00Z

    private struct State {
        var placed: [String: PlacedMarker] = [:]
        var running: Bool
    }

    private let state: NIOLockedValueBox<State>
    /// "Now" is 10 s into the recording.
    private let now = RecordingEndpoint.start.advanced(by: .milliseconds(10_000))

    init(running: Bool = true) { state = NIOLockedValueBox(State(running: running)) }

    var acceptsMarkers: Bool { state.withLockedValue { $0.running } }

    var markers: [PlacedMarker] {
        state.withLockedValue { $0.placed.values.sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) } }
    }

    func addMarker(_ marker: Marker) throws(MarkerProblems) -> PlacedMarker {
        let result: Result<PlacedMarker, MarkerProblems> = state.withLockedValue { state in
            guard state.running else {
                return .failure(MarkerProblems([MarkerProblem(source: "api", message: "the pipeline is not running")]))
            }
            let context = MarkerContext(
                recordingStart: Self.start, now: now, knownIDs: Set(state.placed.keys))
            let placed = MarkerValidator.place(marker, in: context, source: "api")
            if case .success(let marker) = placed { state.placed[marker.id] = marker }
            return placed
        }
        return try result.get()
    }

    func closeMarker(id: String, end: MarkerEnd?) throws(MarkerProblems) -> PlacedMarker {
        let result: Result<PlacedMarker, MarkerProblems> = state.withLockedValue { state in
            guard let marker = state.placed[id] else {
                return .failure(
                    MarkerProblems([MarkerProblem(source: "api", id: id, message: "no marker has this id")]))
            }
            let context = MarkerContext(recordingStart: Self.start, now: now, knownIDs: Set(state.placed.keys))
            switch MarkerValidator.closingDuration(of: marker, end: end ?? .time(.now), in: context, source: "api") {
            case .failure(let problems):
                return .failure(problems)
            case .success(let duration):
                let closed = marker.closed(durationMilliseconds: duration)
                state.placed[id] = closed
                return .success(closed)
            }
        }
        return try result.get()
    }
}
