import CuepointFFmpeg
public import CuepointObjectStorage
import Foundation
import NIOConcurrencyHelpers

/// The local recording directory with replicas: every call goes to the local ``DirectoryStore``
/// first (the embedded default and the durable spool), then becomes an operation of each
/// target's ``Replicator``, which copies it to an object store or HTTP origin in order.
///
/// | call | locally | on each replica |
/// |---|---|---|
/// | ``openNew(_:)`` then `commit()` (a segment) | written, linked to its name | an immutable upload (`If-None-Match: *`) of the local file |
/// | ``create(_:with:)`` (an init section) | written | an immutable upload |
/// | ``replace(_:with:)`` (a playlist, `master.m3u8`, `recording.json`) | renamed over the old one | a document upload, with `Cache-Control` from the document (``DocumentCaching``) |
/// | ``documentChanged(_:)`` (`markers.jsonl`, appended by its log) | — | a document upload of the local file's content |
/// | ``remove(_:)`` (segments that left the live window) | removed once every replica has it | a delete (batched) |
/// | ``list(_:)``, ``read(_:)``, ``exists(_:)``, ``localPath(of:)`` | answered | — |
///
/// The engine already calls the store in the order players need (segment files before the
/// playlists that list them; segment N of every rendition before any playlist lists it:
/// ``SegmentBarrier``), and each replicator keeps that order on its store while letting files
/// upload in parallel and newer document versions replace waiting ones. Nothing here waits for
/// the network: a replicator call appends to its backlog and returns, so a store that is down
/// or slow never stalls the pipeline.
public final class ReplicatingStore: Store {
    /// The local directory: written first, read from, and kept as the spool.
    public let local: DirectoryStore
    /// One per target.
    public let replicators: [Replicator]
    private let state = NIOLockedValueBox(State())

    private struct State {
        var caching = DocumentCaching()
        /// Local files whose removal waits until every replica has uploaded them.
        var deferredRemovals: [String] = []
    }

    public init(local: DirectoryStore, replicators: [Replicator]) {
        self.local = local
        self.replicators = replicators
    }

    public var location: String { local.location }

    public func prepare(folders: [String]) throws(StorageError) { try local.prepare(folders: folders) }

    public func replace(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        try local.replace(path, with: bytes)
        replicate(document: path, bytes: bytes)
    }

    public func create(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        try local.create(path, with: bytes)
        fileCommitted(path, byteCount: Int64(bytes.count))
    }

    public func openNew(_ path: String) throws(StorageError) -> any StoreFile {
        ReplicatedFile(inner: try local.openNew(path), path: path, store: self)
    }

    public func list(_ folder: String) throws(StorageError) -> [StoreEntry] { try local.list(folder) }

    public func read(_ path: String) throws(StorageError) -> [UInt8]? { try local.read(path) }

    public func exists(_ path: String) -> Bool { local.exists(path) }

    public func localPath(of path: String) -> String? { local.localPath(of: path) }

    /// Deletes `paths` on every replica (after whatever was handed over before), and locally
    /// once no replica still has to upload them: the spool keeps a file until every store has it.
    public func remove(_ paths: [String]) throws(StorageError) {
        for replicator in replicators { replicator.filesRemoved(keys: paths) }
        let removable = state.withLockedValue { state -> [String] in
            // One lookup per key (the backlog counts its pending files), one lock per replicator.
            let candidates = state.deferredRemovals + paths
            let pending = replicators.reduce(into: Set<String>()) { $0.formUnion($1.pendingFiles(among: candidates)) }
            state.deferredRemovals = candidates.filter { pending.contains($0) }
            return candidates.filter { !pending.contains($0) }
        }
        try local.remove(removable)
    }

    /// A document the engine changed in place without ``replace(_:with:)`` (`markers.jsonl`,
    /// appended and synced by its log): its current local content is uploaded.
    public func documentChanged(_ path: String) {
        guard let bytes = try? local.read(path) else { return }
        replicate(document: path, bytes: bytes)
    }

    /// Local files still waiting for a replica before they are removed (for the end of a run).
    public var deferredRemovals: [String] { state.withLockedValue { $0.deferredRemovals } }

    // MARK: - To the replicators

    func fileCommitted(_ path: String, byteCount: Int64) {
        guard let localPath = local.localPath(of: path) else { return }
        for replicator in replicators {
            replicator.fileCommitted(key: path, path: localPath, byteCount: Int(byteCount))
        }
    }

    private func replicate(document path: String, bytes: [UInt8]) {
        // Decided and handed over under one lock, so each replicator gets the versions in order.
        state.withLockedValue { state in
            let decision = state.caching.decide(path: path, bytes: bytes)
            for replicator in replicators {
                replicator.documentReplaced(
                    key: path, bytes: bytes, isFinal: decision.isFinal,
                    targetDurationMilliseconds: decision.targetDurationMilliseconds)
            }
        }
    }
}

/// A segment being written through a ``ReplicatingStore``: written locally, handed to the
/// replicators when it is committed.
final class ReplicatedFile: StoreFile {
    private let inner: any StoreFile
    private let path: String
    private let store: ReplicatingStore

    init(inner: any StoreFile, path: String, store: ReplicatingStore) {
        self.inner = inner
        self.path = path
        self.store = store
    }

    var byteCount: Int64 { inner.byteCount }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try inner.write(bytes) }

    func commit() throws(StorageError) {
        try inner.commit()
        store.fileCommitted(path, byteCount: inner.byteCount)
    }

    func discard() { inner.discard() }
}
