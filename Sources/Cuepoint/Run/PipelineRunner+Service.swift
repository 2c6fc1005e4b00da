public import ServiceLifecycle
import NIOConcurrencyHelpers

// MARK: - Process life
//
// A pipeline, a group of pipelines and the HTTP server are `Service`s: a program puts them in one
// `ServiceGroup` with SIGINT and SIGTERM as graceful-shutdown signals, and a graceful shutdown (or
// the cancellation of the task) asks each pipeline to finish its recording: the blocked read
// returns, the open segment closes, final playlists are published. Services shut down in the
// reverse order of the group's list, so a server listed before its pipeline keeps serving until
// the pipeline has published its final playlists.

extension PipelineRunner: Service {
    /// Records until the input ends, a graceful shutdown, or the task's cancellation (both call
    /// ``stop()``), and keeps how it ended in ``outcome``.
    ///
    /// - Throws: the run's `CuepointError` when it failed (an unreadable input, a full disk).
    public func run() async throws {
        let outcome = await withTaskCancellationOrGracefulShutdownHandler {
            await record()
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
        lastOutcome.withLockedValue { $0 = outcome }
        if case .failure(let error) = outcome { throw error }
    }

    /// How the last ``run()`` as a service ended; nil before it ended.
    public var outcome: Result<RunSummary, CuepointError>? { lastOutcome.withLockedValue { $0 } }
}

extension PipelineGroup: Service {
    /// Records every pipeline until each has ended (see ``record(onEnd:)``, with the group's
    /// `onEnd`); a graceful shutdown or the task's cancellation stops them all. One pipeline's
    /// failure does not end the others, and is not thrown: each outcome is in ``outcomes``.
    public func run() async throws {
        let outcomes = await withTaskCancellationOrGracefulShutdownHandler {
            await record(onEnd: onEnd)
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
        lastOutcomes.withLockedValue { $0 = outcomes }
    }

    /// How each pipeline of the last ``run()`` ended, in the order of ``runners``; empty before.
    public var outcomes: [Result<RunSummary, CuepointError>] { lastOutcomes.withLockedValue { $0 } }
}
