import NIOCore
import NIOHTTP1

/// What ``S3Client/checkAccess(prefix:)`` found when the target answered.
public struct AccessReport: Sendable, Equatable {
    /// The store's clock minus this machine's, in seconds, when the store reported a skew
    /// (the client now signs with the store's time); `0` when the clocks agreed.
    public var clockOffsetSeconds: Int64

    public init(clockOffsetSeconds: Int64) {
        self.clockOffsetSeconds = clockOffsetSeconds
    }
}

extension S3Client {
    /// Proves, before a show starts, that the target works: the bucket exists, the key is known,
    /// the signature is accepted, and this key may list, write and delete under `prefix`. A
    /// clock the store finds skewed is corrected (the offset is in the report).
    ///
    /// It lists at most one key under `prefix`, then writes and deletes the empty object
    /// `PREFIX/.cuepoint-access-check`.
    ///
    /// - Throws: ``ObjectStorageError`` naming the target and the fix: `.unknownAccessKey`
    ///   ("check AWS_ACCESS_KEY_ID…"), `.signatureRefused`, `.noSuchBucket`, `.accessDenied`,
    ///   `.transport` (nothing answers at the endpoint), `.clockSkew` if the store still refuses.
    public func checkAccess(prefix: String) async throws(ObjectStorageError) -> AccessReport {
        _ = try await send(
            .GET, operation: "ListObjectsV2", key: nil,
            query: [("list-type", "2"), ("prefix", prefix), ("max-keys", "1")])
        let probe = ObjectKey.join(prefix, ".cuepoint-access-check")
        try await putObject(
            probe, body: ByteBuffer(),
            headers: ObjectHeaders(contentType: "application/octet-stream", cacheControl: "no-store"),
            ifNoneMatch: false)
        try await deleteObject(probe)
        return AccessReport(clockOffsetSeconds: learnedClockOffsetSeconds)
    }
}
