import Foundation
import NIOConcurrencyHelpers

/// Runs several pipelines in one process, as a streaming server does with many shows: each
/// pipeline on a thread of its own (``PipelineRunner/run()``), all stopped together, each
/// ending on its own.
///
/// A pipeline that fails (a missing input, a full disk) ends with its error while the others go
/// on; ``stop()`` asks every pipeline still running to finish its recording. The pipelines
/// share nothing but the process: each has its own input, recording directory, metrics and
/// threads. Two pipelines writing into the same recording directory are refused before any
/// of them starts.
///
/// ```swift
/// let group = try PipelineGroup([PipelineRunner(spec: a), PipelineRunner(spec: b)])
/// let outcomes = await group.record()   // one Result per runner, in order
/// ```
public final class PipelineGroup: Sendable {
    /// The pipelines, in the order their outcomes are returned.
    public let runners: [PipelineRunner]
    /// Called as each pipeline ends when the group runs as a service (see ``record(onEnd:)``).
    let onEnd: (@Sendable (_ index: Int, _ outcome: Result<RunSummary, CuepointError>) -> Void)?
    let lastOutcomes = NIOLockedValueBox<[Result<RunSummary, CuepointError>]>([])

    /// - Throws: `CuepointError` when two runners would write into the same directory.
    /// - Parameter onEnd: called as each pipeline ends when the group runs as a `Service`, one
    ///   call at a time.
    public init(
        _ runners: [PipelineRunner],
        onEnd: (@Sendable (_ index: Int, _ outcome: Result<RunSummary, CuepointError>) -> Void)? = nil
    ) throws(CuepointError) {
        var seen: [String: String] = [:]
        for runner in runners {
            let path = runner.directory.standardizedFileURL.path
            if let other = seen[path] {
                throw CuepointError(
                    subject: path,
                    message: "pipelines \"\(other)\" and \"\(runner.spec.name)\" would write the same recording directory",
                    fix: "give each pipeline its own name or output.directory")
            }
            seen[path] = runner.spec.name
        }
        self.runners = runners
        self.onEnd = onEnd
    }

    /// Asks every running pipeline to finish: each closes its open segment and publishes its
    /// final playlists. Any thread may call it, also from a signal handler's queue.
    public func stop() {
        for runner in runners { runner.stop() }
    }

    /// Runs every pipeline, each on its own thread, and returns when the last one has ended.
    ///
    /// - Parameter onEnd: Called as each pipeline ends, with its index in ``runners`` and how it
    ///   ended, one call at a time (so it may print without a lock).
    /// - Returns: how each pipeline ended, in the order of ``runners``.
    public func record(onEnd: ((_ index: Int, _ outcome: Result<RunSummary, CuepointError>) -> Void)? = nil) async
        -> [Result<RunSummary, CuepointError>]
    {
        await withTaskGroup(of: (Int, Result<RunSummary, CuepointError>).self) { group in
            for (index, runner) in runners.enumerated() {
                // `record()` does not throw: a typed-throws async call in a child closure is
                // miscompiled at -O by Swift 6.3.1 (see ``PipelineRunner/record()``).
                group.addTask { (index, await runner.record()) }
            }
            var outcomes: [Result<RunSummary, CuepointError>?] = Array(repeating: nil, count: runners.count)
            for await (index, outcome) in group {
                outcomes[index] = outcome
                onEnd?(index, outcome)
            }
            return outcomes.map { $0! }
        }
    }
}
