public import NIOCore
import NIOHTTP1

extension S3Client: ObjectStorageClient {
    /// S3's limit for one DeleteObjects request.
    public var maximumDeleteBatch: Int { 1000 }

    /// S3 (AWS since 2024, Ceph RGW, SeaweedFS) answers 412 to `If-None-Match: *` on an existing key.
    public var honoursIfNoneMatch: Bool { true }

    /// PutObject: stores `body` at `key` in one request with `Content-Length`, `Content-Type`,
    /// `Cache-Control`, the target's storage class and, with `ifNoneMatch`, `If-None-Match: *`.
    ///
    /// - Throws: ``ObjectStorageError``; kind `.alreadyExists` (412) when `ifNoneMatch` is set
    ///   and an object is at `key` — it is not replaced.
    public func putObject(
        _ key: String, body: ByteBuffer, headers: ObjectHeaders, ifNoneMatch: Bool
    ) async throws(ObjectStorageError) {
        var extra: [(name: String, value: String)] = [
            ("Content-Type", headers.contentType), ("Cache-Control", headers.cacheControl),
        ]
        if ifNoneMatch { extra.append(("If-None-Match", "*")) }
        if let storageClass { extra.append(("x-amz-storage-class", storageClass)) }
        _ = try await send(.PUT, operation: "PUT", key: key, headers: extra, body: body)
    }

    /// HeadObject: the size and headers of the object at `key`, or `nil` if there is none.
    public func headObject(_ key: String) async throws(ObjectStorageError) -> ObjectMetadata? {
        do throws(ObjectStorageError) {
            let response = try await send(.HEAD, operation: "HEAD", key: key)
            guard let length = response.headers.first(name: "Content-Length").flatMap({ Int($0) }) else {
                throw ObjectStorageError(
                    kind: .invalidResponse, operation: "HEAD", target: targetDescription, key: key,
                    status: response.status, message: "no Content-Length in the answer")
            }
            return ObjectMetadata(
                size: length, contentType: response.headers.first(name: "Content-Type"),
                cacheControl: response.headers.first(name: "Cache-Control"), eTag: response.headers.first(name: "ETag"),
                storageClass: response.headers.first(name: "x-amz-storage-class"))
        } catch where error.kind == .noSuchKey {
            return nil
        }
    }

    /// GetObject: the whole object at `key` (at most `maximumBytes`).
    public func getObject(_ key: String) async throws(ObjectStorageError) -> ByteBuffer {
        try await getObject(key, maximumBytes: 1 << 30)
    }

    /// GetObject with an explicit size limit.
    public func getObject(_ key: String, maximumBytes: Int) async throws(ObjectStorageError) -> ByteBuffer {
        try await send(.GET, operation: "GET", key: key, maximumResponseBytes: maximumBytes).body
    }

    /// DeleteObject: removes one object; a missing object is not an error (S3 answers 204).
    public func deleteObject(_ key: String) async throws(ObjectStorageError) {
        _ = try await send(.DELETE, operation: "DELETE", key: key)
    }
}
