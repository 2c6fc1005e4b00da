public import AsyncHTTPClient
public import Logging
public import NIOCore
import NIOHTTP1

/// A WebDAV-style HTTP origin (nginx with `dav_methods PUT DELETE; create_full_put_path on;`,
/// a CDN's ingest point): PUT writes an object, DELETE removes it, GET and HEAD read it back.
///
/// Every request carries the ``authorization`` value when the target has one (taken from an
/// environment variable by ``PublishTarget``). Bodies are sent whole with a `Content-Length`.
/// `If-None-Match: *` is sent on PUTs that must not replace an object; origins that ignore it
/// (nginx's dav module does) simply overwrite, so the ``Replicator`` checks with HEAD first.
public final class HTTPOriginClient: ObjectStorageClient {
    /// `scheme://host[:port]`.
    public let origin: String
    /// The target as written, for messages.
    public let targetDescription: String
    /// The `Authorization` header value, if any.
    let authorization: String?
    let httpClient: HTTPClient
    let requestTimeout: TimeAmount
    let logger: Logger

    public init(
        origin: String, authorization: String? = nil, targetDescription: String? = nil,
        httpClient: HTTPClient = ObjectStorageHTTP.shared, requestTimeout: TimeAmount = .seconds(60),
        logger: Logger = Logger(label: "cuepoint.origin")
    ) {
        self.origin = origin.hasSuffix("/") ? String(origin.dropLast()) : origin
        self.authorization = authorization
        self.targetDescription = targetDescription ?? origin
        self.httpClient = httpClient
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    /// Deletes go one request per key; a batch is only how many the replicator hands over at once.
    public var maximumDeleteBatch: Int { 100 }

    /// Origins do not all honour `If-None-Match` on PUT (nginx's dav module ignores it).
    public var honoursIfNoneMatch: Bool { false }

    public func putObject(
        _ key: String, body: ByteBuffer, headers: ObjectHeaders, ifNoneMatch: Bool
    ) async throws(ObjectStorageError) {
        var extra = [("Content-Type", headers.contentType), ("Cache-Control", headers.cacheControl)]
        if ifNoneMatch { extra.append(("If-None-Match", "*")) }
        _ = try await send(.PUT, key: key, headers: extra, body: body)
    }

    public func headObject(_ key: String) async throws(ObjectStorageError) -> ObjectMetadata? {
        let response = try await send(.HEAD, key: key, accepting: [404])
        guard response.status != 404 else { return nil }
        return ObjectMetadata(
            size: response.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0,
            contentType: response.headers.first(name: "Content-Type"),
            cacheControl: response.headers.first(name: "Cache-Control"), eTag: response.headers.first(name: "ETag"))
    }

    public func getObject(_ key: String) async throws(ObjectStorageError) -> ByteBuffer {
        try await send(.GET, key: key, maximumResponseBytes: 1 << 30).body
    }

    /// Deletes each key with its own DELETE; a key already gone (404) is not a failure.
    public func deleteObjects(_ keys: [String]) async throws(ObjectStorageError) -> [DeleteFailure] {
        var failures: [DeleteFailure] = []
        for key in keys {
            do throws(ObjectStorageError) {
                _ = try await send(.DELETE, key: key, accepting: [404])
            } catch where !RetryPolicy.isTransient(error) {
                failures.append(DeleteFailure(key: key, code: String(error.status ?? 0), message: error.message))
            }
        }
        return failures
    }

    /// Proves, before a show starts, that the origin takes this target's writes: PUTs and
    /// DELETEs the empty object `PREFIX/.cuepoint-access-check`.
    ///
    /// - Throws: ``ObjectStorageError``: `.accessDenied` (401/403: check the Authorization
    ///   value), `.transport` (nothing answers), `.refused` (the origin does not take PUT, as a
    ///   server without `dav_methods PUT DELETE` answers 405).
    public func checkAccess(prefix: String) async throws(ObjectStorageError) -> AccessReport {
        let probe = ObjectKey.join(prefix, ".cuepoint-access-check")
        try await putObject(
            probe, body: ByteBuffer(), headers: ObjectHeaders(contentType: "application/octet-stream", cacheControl: "no-store"),
            ifNoneMatch: false)
        _ = try await send(.DELETE, key: probe, accepting: [404])
        return AccessReport(clockOffsetSeconds: 0)
    }

    private struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    private func send(
        _ method: HTTPMethod, key: String, headers: [(String, String)] = [], body: ByteBuffer? = nil,
        accepting extraStatuses: Set<Int> = [], maximumResponseBytes: Int = 1 << 20
    ) async throws(ObjectStorageError) -> Response {
        var request = HTTPClientRequest(url: origin + "/" + URIEncoding.encodePath(key))
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body { request.body = .bytes(body) }
        let response: Response
        do {
            let answer = try await httpClient.execute(request, timeout: requestTimeout, logger: logger)
            let bytes = method == .HEAD ? ByteBuffer() : try await answer.body.collect(upTo: maximumResponseBytes)
            response = Response(status: Int(answer.status.code), headers: answer.headers, body: bytes)
        } catch {
            throw ObjectStorageError(
                kind: .transport, operation: method.rawValue, target: targetDescription, key: key,
                message: String(describing: error))
        }
        if (200..<300).contains(response.status) || extraStatuses.contains(response.status) { return response }
        let kind: ObjectStorageError.Kind =
            switch response.status {
            case 401, 403: .accessDenied
            case 404: .noSuchKey
            case 412: .alreadyExists
            case 429: .slowDown
            case 500...599: .serverError
            default: .refused
            }
        throw ObjectStorageError(
            kind: kind, operation: method.rawValue, target: targetDescription, key: key, status: response.status,
            message: "HTTP \(response.status) from the origin")
    }
}
