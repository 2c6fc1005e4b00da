import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import XMLCoder

extension S3Client {
    /// DeleteObjects: removes up to 1000 keys in one `POST /BUCKET?delete`, in quiet mode (the
    /// answer lists only failures). S3 requires an integrity header on this request; this
    /// sends `Content-MD5`, which AWS, Ceph RGW and SeaweedFS all accept.
    ///
    /// More than 1000 keys go in several requests, in order.
    ///
    /// - Returns: the keys the store refused to delete, with its codes.
    public func deleteObjects(_ keys: [String]) async throws(ObjectStorageError) -> [DeleteFailure] {
        var failures: [DeleteFailure] = []
        for start in stride(from: 0, to: keys.count, by: maximumDeleteBatch) {
            failures += try await deleteBatch(Array(keys[start..<min(start + maximumDeleteBatch, keys.count)]))
        }
        return failures
    }

    private func deleteBatch(_ keys: [String]) async throws(ObjectStorageError) -> [DeleteFailure] {
        let document = DeleteRequestDocument(objects: keys.map { .init(key: $0) })
        let xml: [UInt8]
        do {
            xml = Array(
                try XMLEncoder().encode(document, withRootKey: "Delete", rootAttributes: ["xmlns": s3Namespace]))
        } catch {
            throw ObjectStorageError(
                kind: .invalidResponse, operation: "DeleteObjects", target: targetDescription,
                message: "cannot encode the request: \(error)")
        }
        let md5 = Data(Insecure.MD5.hash(data: xml)).base64EncodedString()
        let response = try await send(
            .POST, operation: "DeleteObjects", key: nil, query: [("delete", "")],
            headers: [("Content-Type", "application/xml"), ("Content-MD5", md5)], body: ByteBuffer(bytes: xml))
        guard response.body.readableBytes > 0 else { return [] }
        do {
            let result = try XMLDecoder().decode(DeleteResultDocument.self, from: Data(response.body.readableBytesView))
            return (result.errors ?? []).map {
                DeleteFailure(key: $0.key ?? "", code: $0.code ?? "", message: $0.message ?? "")
            }
        } catch {
            throw ObjectStorageError(
                kind: .invalidResponse, operation: "DeleteObjects", target: targetDescription,
                status: response.status, message: "unreadable answer: \(error)")
        }
    }
}
