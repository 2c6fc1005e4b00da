import NIOConcurrencyHelpers
import NIOCore

/// Copies a recording to one publish target, in order, without ever making the pipeline wait.
///
/// The pipeline's thread calls ``fileCommitted(key:path:byteCount:)``,
/// ``documentReplaced(key:bytes:isFinal:targetDurationMilliseconds:)`` and
/// ``filesRemoved(keys:)``: each takes a lock for a few microseconds, appends to the
/// ``ReplicationBacklog`` and rings a bell; nothing there touches the network or waits. The
/// uploads happen in ``run()``, on the caller's task (its own task beside the pipeline), with up
/// to `concurrency` requests at once under the backlog's ordering rules:
///
/// - a segment or init section is acknowledged (2xx) before any later document is PUT, and a
///   document waiting behind it is replaced, never reordered, by a newer version;
/// - files are PUT with `If-None-Match: *` (HEAD first where the store ignores it): an object
///   already at the key is never overwritten; the same bytes (size, then MD5: ``ObjectDigest``) are
///   reported as ``ReplicationEvent/alreadyPresent(key:size:)``, other bytes as
///   ``ReplicationEvent/conflict(key:storedSize:localSize:)``, which halts the
///   replicator (the playlists that follow list that key: none of them may reach the store);
/// - deletes go in batches (DeleteObjects on S3);
/// - transient failures (5xx, SlowDown, no connection, timeouts) are retried with
///   ``RetryPolicy``, forever while the pipeline runs: a store that is down for minutes gets
///   the whole backlog, in order, when it comes back. A final failure (wrong keys, missing
///   bucket) halts the replicator and is reported; nothing is dropped from the backlog.
///
/// ``lag`` (pending operations, bytes, age of the oldest) is for `/metrics` and the lag warning.
/// ``finish(timeoutMilliseconds:)`` waits for the backlog to drain and says what is left.
public final class Replicator: Sendable {
    /// The store.
    public let client: any ObjectStorageClient
    /// Prepended to every relative key.
    public let prefix: String
    /// Requests in flight at most.
    public let concurrency: Int
    let retryPolicy: RetryPolicy
    private let onEvent: @Sendable (ReplicationEvent) -> Void
    private let clock: @Sendable () -> Int64
    private let state: NIOLockedValueBox<State>
    private let bell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    private struct State {
        var backlog: ReplicationBacklog
        var random: SeededRandom
        var summary = ReplicationSummary()
        var finishing = false
        var expired = false
        var running = false
        var stopped = false
        var halted: ObjectStorageError?
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates a replicator for one target.
    ///
    /// - Parameters:
    ///   - client: the store (``S3Client`` or ``HTTPOriginClient``).
    ///   - prefix: the target's key prefix.
    ///   - retryPolicy: backoff and what is retried; retries forever by default.
    ///   - concurrency: requests in flight at most (files upload in parallel between documents).
    ///   - seed: the jitter's random seed (fixed in tests).
    ///   - clock: milliseconds on a monotonic clock, for the lag figures.
    ///   - onEvent: called for retries, recoveries, conflicts, refused deletes and a halt; on the
    ///     replicator's task, so it must return quickly.
    public init(
        client: any ObjectStorageClient, prefix: String, retryPolicy: RetryPolicy = RetryPolicy(), concurrency: Int = 4,
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        clock: @escaping @Sendable () -> Int64 = Replicator.monotonicMilliseconds,
        onEvent: @escaping @Sendable (ReplicationEvent) -> Void = { _ in }
    ) {
        precondition(concurrency > 0)
        self.client = client
        self.prefix = prefix
        self.retryPolicy = retryPolicy
        self.concurrency = concurrency
        self.onEvent = onEvent
        self.clock = clock
        self.state = NIOLockedValueBox(
            State(backlog: ReplicationBacklog(deleteBatch: client.maximumDeleteBatch), random: SeededRandom(seed: seed)))
        let stream = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        bell = stream.stream
        ring = stream.continuation
    }

    /// Milliseconds since an arbitrary start, on the monotonic clock.
    public static func monotonicMilliseconds() -> Int64 {
        let elapsed = ContinuousClock.now - processStart
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    private static let processStart = ContinuousClock.now

    // MARK: - Called by the pipeline (never blocks on the network)

    /// A segment or init section was committed at `path`: upload it to `key` (relative).
    public func fileCommitted(key: String, path: String, byteCount: Int) {
        enqueue(.file(key: key, path: path, byteCount: byteCount))
    }

    /// A document (playlist, `recording.json`, …) was replaced: upload this version.
    public func documentReplaced(key: String, bytes: [UInt8], isFinal: Bool, targetDurationMilliseconds: Int?) {
        enqueue(.document(key: key, bytes: bytes, isFinal: isFinal, targetDurationMilliseconds: targetDurationMilliseconds))
    }

    /// Files were removed locally: delete them on the store.
    public func filesRemoved(keys: [String]) {
        guard !keys.isEmpty else { return }
        enqueue(.removal(keys: keys))
    }

    /// Adds any operation.
    public func enqueue(_ operation: ReplicationOperation) {
        let now = clock()
        state.withLockedValue { $0.backlog.enqueue(operation, now: now) }
        ring.yield()
    }

    /// Whether the file at `key` (relative) is still to be uploaded: its local copy must stay
    /// until then (the spool keeps what a replica has not acknowledged).
    public func hasPendingFile(key: String) -> Bool {
        state.withLockedValue { $0.backlog.hasPendingFile(key: key) }
    }

    /// Those of `keys` (relative) whose files are still to be uploaded, under one lock.
    public func pendingFiles(among keys: [String]) -> Set<String> {
        state.withLockedValue { state in Set(keys.filter { state.backlog.hasPendingFile(key: $0) }) }
    }

    /// How far the store is behind.
    public var lag: ReplicationLag {
        let now = clock()
        return state.withLockedValue { $0.backlog.lag(now: now) }
    }

    // MARK: - The uploading task

    /// Uploads the backlog until ``finish(timeoutMilliseconds:)`` has drained it or timed out, or
    /// the task is cancelled. Run it on its own task for the life of the pipeline.
    public func run() async {
        state.withLockedValue { $0.running = true }
        await withDiscardingTaskGroup { group in
            for await _ in bell {
                let (started, stop) = state.withLockedValue { state -> ([ReplicationBacklog.Entry], Bool) in
                    if state.expired || (state.finishing && (state.backlog.entries.isEmpty || state.halted != nil)) {
                        return ([], true)
                    }
                    if state.halted != nil { return ([], false) }
                    return (state.backlog.startable(limit: concurrency), false)
                }
                if stop || Task.isCancelled { break }
                for entry in started {
                    group.addTask {
                        await self.perform(entry)
                        self.ring.yield()
                    }
                }
            }
            group.cancelAll()
        }
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.backlog.returnInFlight()
            state.running = false
            state.stopped = true
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Asks ``run()`` to stop once the backlog is empty, waits at most `timeoutMilliseconds`,
    /// and reports what was done and what is left (transient failures are retried until then).
    public func finish(timeoutMilliseconds: Int) async -> ReplicationSummary {
        state.withLockedValue { $0.finishing = true }
        ring.yield()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
                guard !Task.isCancelled else { return }
                self.expire()
            }
            await self.waitUntilStopped()
            group.cancelAll()
        }
        return state.withLockedValue { state in
            var summary = state.summary
            summary.droppedDocumentVersions = state.backlog.droppedDocumentVersions
            summary.left = state.backlog.entries.map(\.operation)
            summary.haltedBy = state.halted
            return summary
        }
    }

    private func expire() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.expired = true
            guard !state.running else { return [] }
            state.stopped = true
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        ring.yield()
        for waiter in waiters { waiter.resume() }
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let stopped = state.withLockedValue { state -> Bool in
                if state.stopped { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    // MARK: - One operation, with retries

    private func perform(_ entry: ReplicationBacklog.Entry) async {
        var failures = 0
        let key = entry.operation.keys.first ?? ""
        while !Task.isCancelled {
            do throws(ObjectStorageError) {
                try await attempt(entry.operation)
                if failures > 0 { onEvent(.recovered(key: key, failedAttempts: failures)) }
                complete(entry)
                return
            } catch {
                // Stopped (finish timed out): whatever failed because of that is not a verdict on
                // the operation; it stays in the backlog and is reported as left.
                if Task.isCancelled { return }
                failures += 1
                let decision = state.withLockedValue {
                    retryPolicy.decision(after: error, failedAttempts: failures, random: &$0.random)
                }
                switch decision {
                case .retry(let delay):
                    onEvent(.retrying(key: key, failedAttempts: failures, error: error, delayMilliseconds: delay))
                    try? await Task.sleep(for: .milliseconds(delay))
                case .giveUp:
                    giveUp(entry, key: key, error: error)
                    return
                }
            }
        }
    }

    /// A final failure: a missing local file skips that file; anything else halts the replicator.
    private func giveUp(_ entry: ReplicationBacklog.Entry, key: String, error: ObjectStorageError) {
        if error.kind == .localFile {
            onEvent(.skipped(key: key, error: error))
            state.withLockedValue { $0.backlog.complete(entry.id) }
            return
        }
        state.withLockedValue { state in
            if state.halted == nil { state.halted = error }
        }
        onEvent(.halted(error))
    }

    private func complete(_ entry: ReplicationBacklog.Entry) {
        state.withLockedValue { state in
            state.backlog.complete(entry.id)
            switch entry.operation {
            case .file: state.summary.files += 1
            case .document: state.summary.documents += 1
            case .removal(let keys): state.summary.deletedKeys += keys.count
            }
        }
    }

    private func attempt(_ operation: ReplicationOperation) async throws(ObjectStorageError) {
        switch operation {
        case .file(let key, let path, _):
            try await upload(file: key, path: path)
        case .document(let key, let bytes, let isFinal, let targetDuration):
            let headers = CachePolicy.headersForDocument(
                key: key, isFinal: isFinal, targetDurationMilliseconds: targetDuration)
            try await client.putObject(
                ObjectKey.join(prefix, key), body: ByteBuffer(bytes: bytes), headers: headers, ifNoneMatch: false)
        case .removal(let keys):
            for failure in try await client.deleteObjects(keys.map { ObjectKey.join(prefix, $0) }) {
                onEvent(.deleteRefused(failure))
            }
        }
    }

    /// Uploads an immutable file without ever replacing an object at its key.
    private func upload(file key: String, path: String) async throws(ObjectStorageError) {
        let fullKey = ObjectKey.join(prefix, key)
        if !client.honoursIfNoneMatch, let existing = try await client.headObject(fullKey) {
            try await reportExisting(key: key, stored: existing, path: path)
            return
        }
        do throws(ObjectStorageError) {
            try await client.putFile(fullKey, path: path, headers: CachePolicy.headersForFile(key: key), ifNoneMatch: true)
        } catch where error.kind == .alreadyExists {
            guard let existing = try await client.headObject(fullKey) else { throw error }
            try await reportExisting(key: key, stored: existing, path: path)
        }
    }

    /// An object is already at a file's key. If it holds this recording's bytes (a resumed show,
    /// a PUT whose answer was lost), the file is done. Otherwise it is someone else's object: it
    /// is reported and left as it is, and the replicator halts, since every playlist after this
    /// point lists the key and the store's bytes there are not this recording's. The spool keeps
    /// the file and everything after it (reported as left at the end).
    ///
    /// The same bytes means the same size and then the same MD5: the store's `ETag` where it is
    /// a single-part MD5 (S3), else the MD5 of the object read back (``ObjectDigest``).
    private func reportExisting(key: String, stored: ObjectMetadata, path: String) async throws(ObjectStorageError) {
        let fullKey = ObjectKey.join(prefix, key)
        let localSize = try await LocalFile.size(path)
        var difference = "\(stored.size) bytes, \(localSize) here"
        if stored.size == localSize {
            let localMD5 = ObjectDigest.md5(of: try await LocalFile.read(path).readableBytesView)
            let storedMD5: String
            if let stated = ObjectDigest.md5(fromETag: stored.eTag) {
                storedMD5 = stated
            } else {
                storedMD5 = ObjectDigest.md5(of: try await client.getObject(fullKey).readableBytesView)
            }
            if storedMD5 == localMD5 {
                onEvent(.alreadyPresent(key: key, size: localSize))
                return
            }
            difference = "the same size, \(localSize) bytes, but MD5 \(storedMD5) there and \(localMD5) here"
        }
        onEvent(.conflict(key: key, storedSize: stored.size, localSize: localSize))
        throw ObjectStorageError(
            kind: .alreadyExists, operation: "PUT", target: client.targetDescription, key: fullKey,
            message: "another object (\(difference)) is at the key of \(key); nothing more is published to this"
                + " target, so that no playlist there lists it")
    }
}
