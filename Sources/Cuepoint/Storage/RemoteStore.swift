import CuepointFFmpeg
public import CuepointObjectStorage
import Foundation
import NIOCore
import NIOConcurrencyHelpers

/// A recording kept in an object store (S3) or an HTTP origin, read and written through the
/// blocking ``Store`` calls: what a restarted show resumes from when its machine is gone
/// (``RecordingResume``), what a replay reads from the store (``RecordingTransfer``), and where
/// a replay package is written.
///
/// Paths are relative to the target's prefix (`source/seg_000004.ts` is the object
/// `PREFIX/source/seg_000004.ts`). Each call runs on the caller's thread and waits for the
/// asynchronous client (``BlockingCall``): call it from a pipeline's or a replay's own thread,
/// never from Swift's cooperative pool.
///
/// The ``Store`` promises hold on a store too:
/// - **Whole files only.** An object appears when its one PUT (or its multipart upload) is
///   complete; a file opened with ``openNew(_:)`` is buffered in a temporary local file and
///   uploaded on ``StoreFile/commit()``, in parts when it is large (`replay.mp4`).
/// - **Media is never replaced.** ``create(_:with:)`` and committed files are PUT with
///   `If-None-Match: *` (an origin that ignores it is asked with HEAD first); an object already
///   at the key is reported as ``StorageError/replaceSegment`` and left untouched.
/// - **Errors name the target and key**, with the store's answer and the fix.
///
/// ``list(_:)`` needs a store that lists (S3): an HTTP origin has no listing, so it throws.
/// There are no folders in an object store: ``prepare(folders:)`` does nothing, and a folder is
/// listed when some key continues under it. ``localPath(of:)`` is always nil.
public final class RemoteStore: Store {
    /// The store.
    public let client: any ObjectStorageClient
    /// Put in front of every path (no leading or trailing slash; may be empty).
    public let prefix: String
    /// The target as written (`s3://shows/spring`), for messages.
    public let location: String
    /// Remembers what the media playlists said, for the multivariant playlist's caching.
    private let caching = NIOLockedValueBox(DocumentCaching())

    /// - Parameters:
    ///   - client: the store's client (``S3Client`` or ``HTTPOriginClient``).
    ///   - prefix: the target's key prefix.
    ///   - location: the target as the user wrote it.
    public init(client: any ObjectStorageClient, prefix: String, location: String) {
        self.client = client
        self.prefix = prefix
        self.location = location
    }

    /// A store for a resolved publish target, with a client of its own.
    public convenience init(target: PublishTarget) {
        let client = Publication.client(for: target)
        switch target {
        case .s3(let s3): self.init(client: client, prefix: s3.prefix, location: target.url)
        case .httpOrigin(let origin): self.init(client: client, prefix: origin.prefix, location: target.url)
        }
    }

    /// The object key of a relative path.
    public func key(_ path: String) -> String { ObjectKey.join(prefix, path) }

    public func prepare(folders: [String]) throws(StorageError) {}

    public func replace(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        let decision = caching.withLockedValue { $0.decide(path: path, bytes: bytes) }
        let headers = CachePolicy.headersForDocument(
            key: path, isFinal: decision.isFinal, targetDurationMilliseconds: decision.targetDurationMilliseconds)
        let (client, key) = (client, key(path))
        try wait(path, "upload") { () async throws(ObjectStorageError) in
            try await client.putObject(key, body: ByteBuffer(bytes: bytes), headers: headers, ifNoneMatch: false)
        }
    }

    public func create(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        let (client, key) = (client, key(path))
        try refuseExisting(path)
        try wait(path, "upload") { () async throws(ObjectStorageError) in
            try await client.putObject(
                key, body: ByteBuffer(bytes: bytes), headers: CachePolicy.headersForFile(key: key), ifNoneMatch: true)
        }
    }

    public func openNew(_ path: String) throws(StorageError) -> any StoreFile {
        try refuseExisting(path)
        return try RemoteFile(store: self, path: path)
    }

    /// Uploads the local file at `localPath` to `path`: one PUT, or a multipart upload for a large
    /// file on S3 (``S3Client/uploadFile(_:path:headers:ifNoneMatch:partSize:multipartThreshold:)``).
    ///
    /// - Parameter replacing: replace an object already at `path` (a document, or a replay
    ///   package exported again with `force`); otherwise it is never overwritten.
    public func upload(file localPath: String, to path: String, replacing: Bool = false) throws(StorageError) {
        if !replacing { try refuseExisting(path) }
        let (client, key) = (client, key(path))
        let headers = CachePolicy.headersForFile(key: key)
        try wait(path, "upload") { () async throws(ObjectStorageError) in
            try await client.putFile(key, path: localPath, headers: headers, ifNoneMatch: !replacing)
        }
    }

    public func list(_ folder: String) throws(StorageError) -> [StoreEntry] {
        guard let listing = client as? any ObjectListing else {
            throw StorageError(
                path: location, operation: "list", code: ENOTSUP,
                detail: "an HTTP origin has no listing",
                advice: "resuming a show from the store and clearing an old recording need an s3:// target")
        }
        let folderPrefix = folder.isEmpty ? (prefix.isEmpty ? "" : prefix + "/") : key(folder) + "/"
        let result = try wait(folder, "list") { () async throws(ObjectStorageError) in
            try await listing.listFolder(prefix: folderPrefix)
        }
        var entries = result.objects.compactMap { object -> StoreEntry? in
            let name = String(object.key.dropFirst(folderPrefix.count))
            guard !name.isEmpty, !name.hasPrefix(".") else { return nil }  // the access check's probe
            return StoreEntry(name: name, byteCount: Int64(object.size))
        }
        entries += result.folders.compactMap { folderKey in
            let name = String(folderKey.dropFirst(folderPrefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            return name.isEmpty ? nil : StoreEntry(name: name, byteCount: nil)
        }
        return entries.sorted { $0.name < $1.name }
    }

    public func read(_ path: String) throws(StorageError) -> [UInt8]? {
        let (client, key) = (client, key(path))
        let outcome = BlockingCall.result { () async throws(ObjectStorageError) -> ByteBuffer in
            try await client.getObject(key)
        }
        switch outcome {
        case .success(let buffer): return Array(buffer.readableBytesView)
        case .failure(let error) where error.kind == .noSuchKey: return nil
        case .failure(let error): throw storageError(error, path: path, operation: "read")
        }
    }

    /// Writes the object at `path` into the local file `localPath` (created or replaced); false
    /// when there is no such object.
    public func download(_ path: String, to localPath: String) throws(StorageError) -> Bool {
        guard let bytes = try read(path) else { return false }
        guard FileManager.default.createFile(atPath: localPath, contents: Data(bytes)) else {
            throw StorageError(path: localPath, operation: "write", code: errno == 0 ? EIO : errno)
        }
        return true
    }

    public func exists(_ path: String) -> Bool {
        (try? metadata(path)) != nil
    }

    /// The object's size and headers; nil when there is none.
    public func metadata(_ path: String) throws(StorageError) -> ObjectMetadata? {
        let (client, key) = (client, key(path))
        return try wait(path, "look up") { () async throws(ObjectStorageError) in try await client.headObject(key) }
    }

    public func remove(_ paths: [String]) throws(StorageError) {
        let batch = max(1, client.maximumDeleteBatch)
        for start in stride(from: 0, to: paths.count, by: batch) {
            let keys = paths[start..<min(paths.count, start + batch)].map(key)
            let client = client
            let failures = try wait(paths[start], "remove") { () async throws(ObjectStorageError) in
                try await client.deleteObjects(keys)
            }
            if let failure = failures.first {
                throw StorageError(
                    path: "\(location) key \(failure.key)", operation: "remove", code: EACCES,
                    detail: "\(failure.code) (\(failure.message))", advice: "give this key the right to delete under \(location)")
            }
        }
    }

    public func localPath(of path: String) -> String? { nil }

    // MARK: - Errors and waiting

    /// Refuses a path that already holds an object, as ``DirectoryStore`` refuses an existing file.
    private func refuseExisting(_ path: String) throws(StorageError) {
        // S3 refuses the PUT itself (If-None-Match); asking first spares the upload of a large file.
        guard !client.honoursIfNoneMatch || path.hasSuffix(".mp4") else { return }
        if try metadata(path) != nil { throw alreadyThere(path) }
    }

    private func alreadyThere(_ path: String) -> StorageError {
        StorageError(
            path: "\(location)/\(path)", operation: StorageError.replaceSegment, code: EEXIST,
            detail: "an object is already at this key",
            advice: "objects are never overwritten; if another machine publishes to this prefix, give each show its own"
                + " prefix, or move the old objects away")
    }

    /// Runs a request and waits for it; its failure becomes a ``StorageError`` naming the target and path.
    private func wait<T: Sendable>(
        _ path: String, _ operation: String, _ work: @escaping @Sendable () async throws(ObjectStorageError) -> T
    ) throws(StorageError) -> T {
        switch BlockingCall.result(work) {
        case .success(let value): return value
        case .failure(let error): throw storageError(error, path: path, operation: operation)
        }
    }

    func storageError(_ error: ObjectStorageError, path: String, operation: String) -> StorageError {
        if error.kind == .alreadyExists { return alreadyThere(path) }
        let code: Int32 =
            switch error.kind {
            case .accessDenied, .signatureRefused, .unknownAccessKey: EACCES
            case .noSuchBucket, .noSuchKey: ENOENT
            case .transport: EHOSTUNREACH
            default: EIO
            }
        var detail = [error.status.map(String.init), error.code].compactMap { $0 }.joined(separator: " ")
        detail += (detail.isEmpty ? "" : " ") + "(\(error.message))"
        return StorageError(path: "\(location)/\(path)", operation: operation, code: code, detail: detail, advice: error.fix)
    }
}

/// A file being written for a ``RemoteStore``: buffered in a temporary local file, uploaded
/// when committed.
final class RemoteFile: StoreFile {
    private let store: RemoteStore
    private let path: String
    private let scratch: URL
    private let sink: FileSink

    init(store: RemoteStore, path: String) throws(StorageError) {
        self.store = store
        self.path = path
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cuepoint-upload-\(UUID().uuidString)")
        let local = DirectoryStore(root: scratch)
        try local.prepare(folders: [])
        sink = try FileSink(store: local, relativePath: "file", replacing: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    var byteCount: Int64 { sink.byteCount }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try sink.write(bytes) }

    func commit() throws(StorageError) {
        try sink.commit()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try store.upload(file: sink.finalPath, to: path)
    }

    func discard() {
        sink.discard()
        try? FileManager.default.removeItem(at: scratch)
    }
}
