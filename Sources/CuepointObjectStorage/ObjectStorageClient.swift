public import NIOCore

// CuepointObjectStorage: the copy of a recording in object storage.
//
// Where it sits in the flow: the pipeline writes a recording to its local directory (the
// durable spool); for each publish target a `Replicator` copies what the pipeline commits —
// segments and init sections (immutable files), playlists and JSON documents (replaced in
// place) and deletions (segments that left the live window) — in order, to an
// `ObjectStorageClient`: an `S3Client` (any S3-compatible store) or an `HTTPOriginClient`
// (a WebDAV-style origin). `PublishTarget` reads the target URLs and the AWS environment;
// `CachePolicy` decides each object's Content-Type and Cache-Control; `RetryPolicy` decides
// which failures are retried and when. It knows nothing of FFmpeg or HLS: keys, bytes, files.

/// The headers an object is stored with; a CDN and the players read them back.
public struct ObjectHeaders: Sendable, Equatable {
    /// `Content-Type`, e.g. `application/vnd.apple.mpegurl`.
    public var contentType: String
    /// `Cache-Control`, e.g. `max-age=1209600, immutable`.
    public var cacheControl: String

    public init(contentType: String, cacheControl: String) {
        self.contentType = contentType
        self.cacheControl = cacheControl
    }
}

/// What an object store answers about an object (HEAD).
public struct ObjectMetadata: Sendable, Equatable {
    /// The size in bytes.
    public var size: Int
    /// The stored `Content-Type`, if any.
    public var contentType: String?
    /// The stored `Cache-Control`, if any.
    public var cacheControl: String?
    /// The ETag as sent (usually quoted), if any.
    public var eTag: String?
    /// The storage class an S3 store reports (`x-amz-storage-class`), if it says one.
    public var storageClass: String?

    public init(
        size: Int, contentType: String? = nil, cacheControl: String? = nil, eTag: String? = nil, storageClass: String? = nil
    ) {
        self.size = size
        self.contentType = contentType
        self.cacheControl = cacheControl
        self.eTag = eTag
        self.storageClass = storageClass
    }
}

/// A key a batch delete could not remove, with the store's reason.
public struct DeleteFailure: Sendable, Equatable {
    public var key: String
    public var code: String
    public var message: String

    public init(key: String, code: String, message: String) {
        self.key = key
        self.code = code
        self.message = message
    }
}

/// The operations a ``Replicator`` needs from a store: S3 (``S3Client``) or an HTTP origin
/// (``HTTPOriginClient``). Keys are full object keys (the target's prefix included).
public protocol ObjectStorageClient: Sendable {
    /// How errors and reports name the target, e.g. `s3://shows/spring`.
    var targetDescription: String { get }
    /// The most keys one ``deleteObjects(_:)`` call takes (1000 on S3).
    var maximumDeleteBatch: Int { get }
    /// Whether a PUT with `If-None-Match: *` is refused (412) when the object exists. S3 stores
    /// do; a plain HTTP origin may ignore the header, so callers check with HEAD first.
    var honoursIfNoneMatch: Bool { get }

    /// Stores `body` at `key` with one PUT.
    ///
    /// - Parameter ifNoneMatch: send `If-None-Match: *`, so an existing object is never
    ///   replaced; the store then answers 412 and this throws ``ObjectStorageError/Kind/alreadyExists``.
    func putObject(
        _ key: String, body: ByteBuffer, headers: ObjectHeaders, ifNoneMatch: Bool
    ) async throws(ObjectStorageError)

    /// Stores the local file at `path` at `key` (S3: one PUT, or a multipart upload for a large
    /// file). The default reads the file and calls ``putObject(_:body:headers:ifNoneMatch:)``.
    func putFile(_ key: String, path: String, headers: ObjectHeaders, ifNoneMatch: Bool) async throws(ObjectStorageError)

    /// The object's metadata, or `nil` when there is no object at `key`.
    func headObject(_ key: String) async throws(ObjectStorageError) -> ObjectMetadata?

    /// The object's bytes.
    func getObject(_ key: String) async throws(ObjectStorageError) -> ByteBuffer

    /// Deletes up to ``maximumDeleteBatch`` keys; a key already gone is not a failure.
    /// Returns the keys the store refused to delete.
    func deleteObjects(_ keys: [String]) async throws(ObjectStorageError) -> [DeleteFailure]

    /// Proves, before a show starts, that this key may write and delete under `prefix` (see
    /// ``S3Client/checkAccess(prefix:)`` and ``HTTPOriginClient/checkAccess(prefix:)``).
    func checkAccess(prefix: String) async throws(ObjectStorageError) -> AccessReport
}

extension ObjectStorageClient {
    public func putFile(
        _ key: String, path: String, headers: ObjectHeaders, ifNoneMatch: Bool
    ) async throws(ObjectStorageError) {
        try await putObject(key, body: try await LocalFile.read(path), headers: headers, ifNoneMatch: ifNoneMatch)
    }
}
