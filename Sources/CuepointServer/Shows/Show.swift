import Cuepoint
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// One show of the server: its pipeline, its secrets, its run (when it has one) and how it
/// ended. Thread-safe: everything that changes is behind one lock.
final class Show: Sendable {
    let id: String
    /// The pipeline as decoded; a show that takes its publisher has the server's input in it
    /// (the RTMP port), or a stand-in until a publish hook names the source.
    let spec: PipelineSpec
    /// The pipeline document as received (kept in the show's folder).
    let document: String
    /// The products its console lists: the document's `console.products`, replaced by
    /// `PUT /shows/{id}/v1/products` and kept beside the recording, so a restart takes back the
    /// last one accepted.
    let products: ProductCatalogueStore
    private let state: NIOLockedValueBox<Inner>

    private struct Inner {
        var record: ShowRecord
        var runner: PipelineRunner?
        var progress: RunProgress?
        /// Why the run was asked to stop, when it was (what its end then means).
        var stopReason: StopReason?
        /// When the show last started waiting for a publisher (monotonic ns).
        var waitingSince: UInt64
        var warnings: [String] = []
    }

    /// Why a show's run was stopped by the server.
    enum StopReason: Sendable, Equatable {
        /// `POST /v1/shows/{id}/end`.
        case ended
        /// The server's graceful stop: a show that read nothing since it started stays unfinished
        /// (the next start resumes it); any other is finalised and finished.
        case shutdown
        /// No publisher within the publisher wait: the show fails with this reason.
        case failed(String)
        /// The show's pipeline file changed before it went live: it is started again.
        case replaced
    }

    /// The most warnings a show keeps for `GET /v1/shows/{id}`.
    static let keptWarnings = 20

    init(record: ShowRecord, spec: PipelineSpec, document: String, products: ProductCatalogueStore) {
        self.id = record.id
        self.spec = spec
        self.document = document
        self.products = products
        self.state = NIOLockedValueBox(Inner(record: record, waitingSince: DispatchTime.now().uptimeNanoseconds))
    }

    var record: ShowRecord { state.withLockedValue { $0.record } }
    var runner: PipelineRunner? { state.withLockedValue { $0.runner } }
    var progress: RunProgress? { state.withLockedValue { $0.progress } }
    var warnings: [String] { state.withLockedValue { $0.warnings } }
    var stopReason: StopReason? { state.withLockedValue { $0.stopReason } }

    /// The state now: as kept once over, `finalising` once asked to stop, else from the running
    /// pipeline's phase; a show without a run waits for its publisher (a hook).
    var current: ShowState {
        state.withLockedValue { inner in
            if let kept = inner.record.keptState { return kept }
            guard let runner = inner.runner else { return .waitingForPublisher }
            // Asked to stop (ended, or its wait is over): it finalises, whatever the input does.
            if inner.stopReason != nil, inner.stopReason != .replaced { return .finalising }
            return ShowState.of(runner.phase)
        }
    }

    /// Takes `runner` as the show's run.
    func attach(_ runner: PipelineRunner) {
        state.withLockedValue {
            $0.runner = runner
            $0.stopReason = nil
            $0.waitingSince = DispatchTime.now().uptimeNanoseconds
        }
    }

    func update(_ change: (inout ShowRecord) -> Void) -> ShowRecord {
        state.withLockedValue { inner in
            change(&inner.record)
            return inner.record
        }
    }

    func report(_ progress: RunProgress) { state.withLockedValue { $0.progress = progress } }

    func warn(_ message: String) {
        state.withLockedValue { inner in
            inner.warnings.append(message)
            if inner.warnings.count > Self.keptWarnings { inner.warnings.removeFirst() }
        }
    }

    /// Asks the run to stop (the open segment closes, final playlists are written); the first
    /// reason given is kept. At the server's shutdown a show resumed after a restart and still
    /// waiting for its publisher stays unfinished, for the next start to resume.
    func stop(_ reason: StopReason) {
        let runner = state.withLockedValue { inner in
            if inner.stopReason == nil { inner.stopReason = reason }
            return inner.runner
        }
        if reason == .shutdown { runner?.stopForRestart() } else { runner?.stop() }
    }

    /// How long the show has waited for a publisher, in milliseconds; nil when it does not wait.
    func waitedMilliseconds(now: UInt64) -> Int64? {
        guard current == .waitingForPublisher else { return nil }
        let since = state.withLockedValue { $0.waitingSince }
        return Int64((now - min(now, since)) / 1_000_000)
    }

    /// The show's state once its run ended with `outcome`.
    func stateAfter(_ outcome: Result<RunSummary, CuepointError>) -> ShowState {
        switch (outcome, stopReason) {
        case (_, .failed(let reason)?): .failed(reason)
        case (.failure(let error), _): .failed(error.description)
        case (.success, _): .finished
        }
    }
}

/// The marker endpoint of a show that has no run (waiting for a publish hook, or over): takes
/// no markers, says why.
struct IdleShowEndpoint: MarkerEndpoint {
    let reason: String
    var acceptsMarkers: Bool { false }
    var markers: [PlacedMarker] { [] }

    func addMarker(_ marker: Marker) throws(MarkerProblems) -> PlacedMarker { throw problems }
    func closeMarker(id: String, end: MarkerEnd?) throws(MarkerProblems) -> PlacedMarker { throw problems }

    private var problems: MarkerProblems { MarkerProblems([MarkerProblem(source: "api", message: reason)]) }
}
