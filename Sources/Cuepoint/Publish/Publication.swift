public import CuepointObjectStorage
public import CuepointTime
import Dispatch
import Foundation
public import Logging
import NIOConcurrencyHelpers

// MARK: - Publishing a recording to object stores and HTTP origins
//
// Where it sits in the flow: the pipeline writes its recording through a ``ReplicatingStore``,
// which writes the local directory (the durable spool) and hands every committed segment,
// replaced document and removal to one ``Replicator`` per target. A ``Publication`` is those
// targets for one run:
//
//     open ──► resolve each target (URL, settings, keys) ──► check access ──► replicators run
//                 (before any input is read,                    │
//                  before anything is written locally)          ▼
//     the recording ──► ReplicatingStore ──► backlog ──► the store, in order
//                                              │
//                          lag: /metrics gauges, a warning when behind and when caught up
//                                              │
//     finish ──► wait (bounded) for each backlog; what is left stays in the spool and is reported

/// The publish targets of one run: their clients, replicators and remote views, from the
/// access check before the show to the wait for the backlog after it.
///
/// Blocking: ``open(_:segmentDuration:environment:logger:warnings:metrics:)`` and ``finish()``
/// wait for the network; call them from the pipeline's own thread. The replicators upload in
/// tasks of their own (started by `open`, always awaited by `finish`, so none outlives the run);
/// a store that is down or slow never makes the pipeline wait.
public final class Publication: Sendable {
    /// One target.
    public struct Target: Sendable {
        /// The entry of `output.publish` (or `--publish`) it comes from.
        public let spec: PublishSpec
        /// The target resolved: endpoint, bucket or origin, prefix, keys.
        public let target: PublishTarget
        /// Copies the recording to it.
        public let replicator: Replicator
        /// The target read and written directly (resuming from it, clearing an old recording).
        public let remote: RemoteStore
        /// Whether the target can list its objects (S3 can; an HTTP origin cannot).
        public var lists: Bool { remote.client is any ObjectListing }
        /// The target as written.
        public var url: String { target.url }
    }

    /// How one target ended.
    public struct Outcome: Sendable {
        /// The target as written.
        public var url: String
        /// What was uploaded and what is left.
        public var summary: ReplicationSummary
    }

    public let targets: [Target]
    private let warnings: WarningCollector
    private let metrics: PipelineMetrics?
    private let running = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let monitor = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let lagWarnings: NIOLockedValueBox<[LagWarning]>

    private init(targets: [Target], segmentDuration: MediaTime, warnings: WarningCollector, metrics: PipelineMetrics?) {
        self.targets = targets
        self.warnings = warnings
        self.metrics = metrics
        lagWarnings = NIOLockedValueBox(
            targets.map {
                LagWarning(
                    thresholdMilliseconds: ($0.spec.lagWarning ?? PublishSpec.defaultLagWarning(segmentDuration: segmentDuration))
                        .milliseconds)
            })
    }

    /// The client of a resolved target, on the shared connection pool.
    public static func client(for target: PublishTarget, logger: Logger = Logger(label: "cuepoint.publish"))
        -> any ObjectStorageClient
    {
        switch target {
        case .s3(let s3):
            S3Client(
                endpoint: s3.endpoint, credentials: s3.credentials, region: s3.region, storageClass: s3.storageClass,
                targetDescription: s3.url, logger: logger)
        case .httpOrigin(let origin):
            HTTPOriginClient(
                origin: origin.origin, authorization: origin.authorization, targetDescription: origin.url, logger: logger)
        }
    }

    /// Resolves every target, proves each works, and starts their replicators; nil without targets.
    ///
    /// Runs before any input is read and before anything is written locally: a target that
    /// cannot be used stops the run here.
    ///
    /// - Throws: ``CuepointError`` naming the target and the fix: a URL with no bucket, missing
    ///   keys, an unknown key, a refused signature, a missing bucket, a store that does not answer.
    public static func open(
        _ specs: [PublishSpec], segmentDuration: MediaTime, environment: [String: String], logger: Logger,
        warnings: WarningCollector, metrics: PipelineMetrics?
    ) throws(CuepointError) -> Publication? {
        guard !specs.isEmpty else { return nil }
        var targets: [Target] = []
        for spec in specs {
            let target = try spec.resolve(environment: environment)
            let client = client(for: target, logger: logger)
            let prefix =
                switch target {
                case .s3(let s3): s3.prefix
                case .httpOrigin(let origin): origin.prefix
                }
            try checkAccess(client, prefix: prefix, url: target.url)
            let events = PublishEvents(target: target.url, warnings: warnings, metrics: metrics)
            let replicator = Replicator(client: client, prefix: prefix, onEvent: { events.handle($0) })
            targets.append(
                Target(
                    spec: spec, target: target, replicator: replicator,
                    remote: RemoteStore(client: client, prefix: prefix, location: target.url)))
        }
        let publication = Publication(
            targets: targets, segmentDuration: segmentDuration, warnings: warnings, metrics: metrics)
        publication.start()
        return publication
    }

    /// The access check of one target (``S3Client/checkAccess(prefix:)``): list, write and delete
    /// a probe object under the prefix.
    private static func checkAccess(_ client: any ObjectStorageClient, prefix: String, url: String) throws(CuepointError) {
        // The client logs a clock it had to correct (RequestTimeTooSkewed) as a warning itself.
        switch BlockingCall.result({ () async throws(ObjectStorageError) in try await client.checkAccess(prefix: prefix) }) {
        case .success:
            return
        case .failure(let error):
            // During a show failed requests are retried; before it, the show does not start.
            let fix = error.fix.replacingOccurrences(of: "; requests are retried with backoff", with: "")
            throw CuepointError(
                subject: url, message: "the store refused the access check before the show (\(PublishEvents.summary(error)))",
                fix: fix == error.fix ? fix : fix + ", then start the show again")
        }
    }

    /// The first target that can list its objects: where a show is resumed from when its
    /// local directory has less than the store.
    public var primary: Target? { targets.first { $0.lists } }

    /// The replicators, for a ``ReplicatingStore``.
    public var replicators: [Replicator] { targets.map(\.replicator) }

    // MARK: - Running

    private func start() {
        running.withLockedValue { tasks in
            tasks = targets.map { target in
                Task.detached { await target.replicator.run() }
            }
        }
        // The lag is sampled twice a second (a few lock-protected reads: it never blocks).
        let sampler = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                self?.sampleLag()
            }
        }
        monitor.withLockedValue { $0 = sampler }
    }

    /// Records each target's lag in the metrics and warns when one falls behind or catches up.
    func sampleLag() {
        for (index, target) in targets.enumerated() {
            let lag = target.replicator.lag
            metrics?.publishLag(
                target: target.url, pendingOperations: lag.pendingOperations, pendingBytes: lag.pendingBytes,
                oldestPendingMilliseconds: lag.oldestPendingMilliseconds)
            let change = lagWarnings.withLockedValue { $0[index].observe(oldestPendingMilliseconds: lag.oldestPendingMilliseconds) }
            switch change {
            case .fellBehind:
                warnings.add(
                    "\(target.url): the store is \(SecondsText.format(milliseconds: lag.oldestPendingMilliseconds)) behind"
                        + " the recording (\(lag.pendingOperations) operation(s), \(lag.pendingBytes) bytes waiting); the"
                        + " recording goes on locally and the backlog is uploaded in order")
            case .caughtUp:
                warnings.add("\(target.url): the store has caught up with the recording")
            case nil:
                break
            }
        }
    }

    /// Waits, for each target at most its `finish_timeout`, until the store has everything, then
    /// stops the replicators and says what is left. Blocking; call it once, at the end of the run.
    ///
    /// What could not be uploaded stays in the local directory; the next run of the same show
    /// with the same target uploads it (``RecordingSync``), as does `cuepoint publish`.
    public func finish() -> [Outcome] {
        let summaries = BlockingCall.run { [targets] in
            await withTaskGroup(of: (Int, ReplicationSummary).self) { group in
                for (index, target) in targets.enumerated() {
                    let timeout = Int(clamping: target.spec.finishTimeout.milliseconds)
                    group.addTask { (index, await target.replicator.finish(timeoutMilliseconds: timeout)) }
                }
                var summaries = [ReplicationSummary](repeating: ReplicationSummary(), count: targets.count)
                for await (index, summary) in group { summaries[index] = summary }
                return summaries
            }
        }
        let tasks = running.withLockedValue { tasks in
            defer { tasks = [] }
            return tasks
        }
        BlockingCall.run {
            for task in tasks { await task.value }
        }
        let sampler = monitor.withLockedValue { sampler in
            defer { sampler = nil }
            return sampler
        }
        sampler?.cancel()
        BlockingCall.run { await sampler?.value }
        sampleLag()
        return zip(targets, summaries).map { target, summary in
            if !summary.isComplete {
                let left = summary.left.count
                warnings.add(
                    "\(target.url): \(left) operation(s) did not reach the store before the end"
                        + (summary.haltedBy.map { " (publishing stopped: \(PublishEvents.summary($0)))" } ?? "")
                        + "; they stay in the local recording: run the show again with the same target, or `cuepoint"
                        + " publish RECORDING \(target.url)`, to upload them")
            }
            return Outcome(url: target.url, summary: summary)
        }
    }
}
