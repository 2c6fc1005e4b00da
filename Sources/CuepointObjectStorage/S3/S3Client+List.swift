import Foundation
import NIOCore
import NIOHTTP1
import XMLCoder

/// One object of a listing.
public struct ListedObject: Sendable, Equatable {
    /// The full key.
    public var key: String
    /// The size in bytes.
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }
}

extension S3Client {
    /// ListObjectsV2: every object whose key starts with `prefix`, following continuation
    /// tokens until the listing is complete.
    ///
    /// - Parameter pageSize: keys per request (`max-keys`, at most 1000).
    public func listObjects(prefix: String, pageSize: Int = 1000) async throws(ObjectStorageError) -> [ListedObject] {
        var objects: [ListedObject] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [
                ("list-type", "2"), ("prefix", prefix), ("max-keys", String(pageSize)),
            ]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send(
                .GET, operation: "ListObjectsV2", key: nil, query: query, maximumResponseBytes: 16 << 20)
            let page: ListBucketResult
            do {
                page = try XMLDecoder().decode(ListBucketResult.self, from: Data(response.body.readableBytesView))
            } catch {
                throw ObjectStorageError(
                    kind: .invalidResponse, operation: "ListObjectsV2", target: targetDescription,
                    status: response.status, message: "unreadable listing: \(error)")
            }
            objects += (page.contents ?? []).map { ListedObject(key: $0.key, size: $0.size) }
            token = page.isTruncated == true ? page.nextContinuationToken : nil
        } while token != nil
        return objects
    }
}
