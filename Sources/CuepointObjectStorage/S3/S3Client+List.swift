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

/// A listing of one level under a prefix: the objects directly in it and its "folders" (the
/// keys that continue past a delimiter, grouped by S3 as common prefixes).
public struct ObjectFolderListing: Sendable, Equatable {
    /// The objects whose key has no delimiter after the prefix.
    public var objects: [ListedObject]
    /// The common prefixes, each ending with the delimiter (`shows/spring/source/`).
    public var folders: [String]

    public init(objects: [ListedObject], folders: [String]) {
        self.objects = objects
        self.folders = folders
    }
}

/// A store that can list its keys (S3). An HTTP origin that takes PUT and DELETE has no
/// listing, so what needs one (resuming a show from the store, clearing an old recording) works
/// on S3 targets only.
public protocol ObjectListing: Sendable {
    /// The objects and folders one level under `prefix` (which should end with `/`, or be empty).
    func listFolder(prefix: String) async throws(ObjectStorageError) -> ObjectFolderListing
    /// Every object whose key starts with `prefix`.
    func listObjects(prefix: String, pageSize: Int) async throws(ObjectStorageError) -> [ListedObject]
}

extension S3Client: ObjectListing {
    /// ListObjectsV2: every object whose key starts with `prefix`, following continuation
    /// tokens until the listing is complete.
    ///
    /// - Parameter pageSize: keys per request (`max-keys`, at most 1000).
    public func listObjects(prefix: String, pageSize: Int = 1000) async throws(ObjectStorageError) -> [ListedObject] {
        try await listPages(prefix: prefix, delimiter: nil, pageSize: pageSize).objects
    }

    /// ListObjectsV2 with `delimiter=/`: one level under `prefix`, as a directory listing.
    public func listFolder(prefix: String) async throws(ObjectStorageError) -> ObjectFolderListing {
        try await listPages(prefix: prefix, delimiter: "/", pageSize: 1000)
    }

    private func listPages(
        prefix: String, delimiter: String?, pageSize: Int
    ) async throws(ObjectStorageError) -> ObjectFolderListing {
        var listing = ObjectFolderListing(objects: [], folders: [])
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [
                ("list-type", "2"), ("prefix", prefix), ("max-keys", String(pageSize)),
            ]
            if let delimiter { query.append(("delimiter", delimiter)) }
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
            listing.objects += (page.contents ?? []).map { ListedObject(key: $0.key, size: $0.size) }
            listing.folders += (page.commonPrefixes ?? []).map(\.prefix)
            token = page.isTruncated == true ? page.nextContinuationToken : nil
        } while token != nil
        return listing
    }
}
