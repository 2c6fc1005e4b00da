import Foundation
public import NIOCore
import NIOHTTP1
import XMLCoder

extension S3Client {
    /// Files at least this large go up in parts (``uploadFile(_:path:headers:ifNoneMatch:partSize:multipartThreshold:)``).
    public static let defaultMultipartThreshold = 64 << 20
    /// The size of each part but the last. S3's minimum is 5 MiB; 16 MiB keeps a 2 GB replay
    /// under 130 requests and the memory of one part in flight small.
    public static let defaultPartSize = 16 << 20

    /// ``ObjectStorageClient/putFile(_:path:headers:ifNoneMatch:)``: ``uploadFile(_:path:headers:ifNoneMatch:partSize:multipartThreshold:)``
    /// with the default part size and threshold.
    public func putFile(
        _ key: String, path: String, headers: ObjectHeaders, ifNoneMatch: Bool
    ) async throws(ObjectStorageError) {
        try await uploadFile(key, path: path, headers: headers, ifNoneMatch: ifNoneMatch)
    }

    /// Uploads a local file: one PutObject below `multipartThreshold`, a multipart upload above
    /// (parts of `partSize` read one at a time, so memory stays at one part). A failed
    /// multipart upload is aborted, so no parts are left behind.
    public func uploadFile(
        _ key: String, path: String, headers: ObjectHeaders, ifNoneMatch: Bool = false,
        partSize: Int = S3Client.defaultPartSize, multipartThreshold: Int = S3Client.defaultMultipartThreshold
    ) async throws(ObjectStorageError) {
        precondition(partSize >= 5 << 20, "S3 parts are at least 5 MiB")
        let size = try await LocalFile.size(path)
        if size < multipartThreshold {
            try await putObject(key, body: try await LocalFile.read(path), headers: headers, ifNoneMatch: ifNoneMatch)
            return
        }
        let uploadID = try await createMultipartUpload(key, headers: headers)
        do throws(ObjectStorageError) {
            var parts: [CompletedPart] = []
            var offset = 0
            while offset < size {
                let length = min(partSize, size - offset)
                let body = try await LocalFile.read(path, offset: offset, length: length)
                parts.append(try await uploadPart(key, uploadID: uploadID, number: parts.count + 1, body: body))
                offset += length
            }
            try await completeMultipartUpload(key, uploadID: uploadID, parts: parts, ifNoneMatch: ifNoneMatch)
        } catch {
            try? await abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    /// A part that was stored: its number (from 1) and the ETag the store gave it.
    public struct CompletedPart: Sendable, Equatable {
        public var number: Int
        public var eTag: String
    }

    /// CreateMultipartUpload: starts an upload whose object gets `headers` and the storage
    /// class; returns the upload ID.
    public func createMultipartUpload(_ key: String, headers: ObjectHeaders) async throws(ObjectStorageError) -> String {
        var extra: [(name: String, value: String)] = [
            ("Content-Type", headers.contentType), ("Cache-Control", headers.cacheControl),
        ]
        if let storageClass { extra.append(("x-amz-storage-class", storageClass)) }
        let response = try await send(
            .POST, operation: "CreateMultipartUpload", key: key, query: [("uploads", "")], headers: extra)
        do {
            return try XMLDecoder().decode(
                InitiateMultipartUploadResult.self, from: Data(response.body.readableBytesView)
            ).uploadID
        } catch {
            throw ObjectStorageError(
                kind: .invalidResponse, operation: "CreateMultipartUpload", target: targetDescription, key: key,
                status: response.status, message: "no UploadId in the answer: \(error)")
        }
    }

    /// UploadPart: stores part `number` (1…10000) of an upload.
    public func uploadPart(
        _ key: String, uploadID: String, number: Int, body: ByteBuffer
    ) async throws(ObjectStorageError) -> CompletedPart {
        let response = try await send(
            .PUT, operation: "UploadPart", key: key,
            query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body)
        guard let eTag = response.headers.first(name: "ETag") else {
            throw ObjectStorageError(
                kind: .invalidResponse, operation: "UploadPart", target: targetDescription, key: key,
                status: response.status, message: "no ETag for part \(number)")
        }
        return CompletedPart(number: number, eTag: eTag)
    }

    /// CompleteMultipartUpload: joins the parts into the object. S3 may answer 200 with an
    /// `<Error>` document when the join fails late; that is thrown like any refusal.
    public func completeMultipartUpload(
        _ key: String, uploadID: String, parts: [CompletedPart], ifNoneMatch: Bool = false
    ) async throws(ObjectStorageError) {
        let document = CompleteMultipartUploadDocument(parts: parts.map { .init(partNumber: $0.number, eTag: $0.eTag) })
        let xml: [UInt8]
        do {
            xml = Array(
                try XMLEncoder().encode(
                    document, withRootKey: "CompleteMultipartUpload", rootAttributes: ["xmlns": s3Namespace]))
        } catch {
            throw ObjectStorageError(
                kind: .invalidResponse, operation: "CompleteMultipartUpload", target: targetDescription, key: key,
                message: "cannot encode the request: \(error)")
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/xml")]
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        let response = try await send(
            .POST, operation: "CompleteMultipartUpload", key: key, query: [("uploadId", uploadID)], headers: headers,
            body: ByteBuffer(bytes: xml))
        if String(buffer: response.body).contains("<Error>") {
            throw refusal(
                Response(status: 500, headers: response.headers, body: response.body),
                operation: "CompleteMultipartUpload", key: key)
        }
    }

    /// AbortMultipartUpload: discards an upload and its parts.
    public func abortMultipartUpload(_ key: String, uploadID: String) async throws(ObjectStorageError) {
        _ = try await send(.DELETE, operation: "AbortMultipartUpload", key: key, query: [("uploadId", uploadID)])
    }
}
