public import AsyncHTTPClient
import Foundation
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
import XMLCoder

/// An S3 client for one bucket, on async-http-client, signed with ``SigV4Signer``.
///
/// Every request has a `Content-Length` (bodies are sent whole, never chunked: Ceph RGW refuses
/// chunked PUTs without a length) and a signed `x-amz-content-sha256`. A `RequestTimeTooSkewed`
/// answer teaches the client the server's clock: it keeps the difference from the answer's
/// `Date` header as an offset and signs the request again, once.
///
/// The operations live in extensions by concern: objects (`+Objects`), listing (`+List`),
/// batch deletes (`+DeleteObjects`), multipart uploads (`+Multipart`) and the start-of-show
/// check (`+Access`).
public final class S3Client: Sendable {
    /// The bucket and how it is addressed.
    public let endpoint: S3Endpoint
    /// The target as the user wrote it, for error messages (`s3://shows/spring`).
    public let targetDescription: String
    /// The storage class sent with every PutObject and multipart upload (`STANDARD_IA`, …), if any.
    public let storageClass: String?

    let signer: SigV4Signer
    let httpClient: HTTPClient
    let requestTimeout: TimeAmount
    let logger: Logger
    private let clock: @Sendable () -> AmzDate
    /// Seconds to add to `clock()` so signatures carry the server's time; learned from a
    /// `RequestTimeTooSkewed` answer, zero until then.
    private let clockOffset = NIOLockedValueBox<Int64>(0)

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoint: the store, bucket and addressing.
    ///   - credentials: the keys to sign with.
    ///   - region: the region of the signatures (`us-east-1` unless the store says otherwise).
    ///   - storageClass: sent as `x-amz-storage-class` on uploads when set.
    ///   - targetDescription: how errors name the target; defaults to `s3://BUCKET`.
    ///   - httpClient: the shared HTTP client (connection pool); ``ObjectStorageHTTP/shared`` by default.
    ///   - requestTimeout: the deadline of one request, body included.
    ///   - clock: the signing clock; the system clock by default (tests pass a wrong one).
    public init(
        endpoint: S3Endpoint, credentials: AWSCredentials, region: String, storageClass: String? = nil,
        targetDescription: String? = nil, httpClient: HTTPClient = ObjectStorageHTTP.shared, requestTimeout: TimeAmount = .seconds(60),
        logger: Logger = Logger(label: "cuepoint.s3"), clock: @escaping @Sendable () -> AmzDate = { .now() }
    ) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(credentials: credentials, region: region)
        self.storageClass = storageClass
        self.targetDescription = targetDescription ?? "s3://\(endpoint.bucket)"
        self.httpClient = httpClient
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.clock = clock
    }

    /// The offset (server time minus local time, in seconds) learned from a skew answer.
    public var learnedClockOffsetSeconds: Int64 { clockOffset.withLockedValue { $0 } }

    /// The time signatures carry: the local clock plus the learned offset.
    var signingDate: AmzDate {
        AmzDate(secondsSince1970: clock().secondsSince1970 + clockOffset.withLockedValue { $0 })
    }

    /// An answer: status, headers and the body read in full.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends one signed request and returns a 2xx answer, or throws the store's refusal.
    ///
    /// - Parameters:
    ///   - operation: the name errors use (`PUT`, `ListObjectsV2`, …).
    ///   - key: the object key, or `nil` for the bucket.
    ///   - query: the query parameters, not encoded.
    ///   - headers: extra headers (Content-Type, If-None-Match, …); all are signed.
    ///   - body: the whole body; PUT and POST always send a `Content-Length`, 0 for none.
    ///   - maximumResponseBytes: the largest body read back.
    func send(
        _ method: HTTPMethod, operation: String, key: String?, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil, maximumResponseBytes: Int = 1 << 20
    ) async throws(ObjectStorageError) -> Response {
        let payloadHash = body.map { SigV4Signer.payloadHash($0.readableBytesView) } ?? SigV4Signer.emptyPayloadHash
        var learnedSkew = false
        while true {
            let response = try await perform(
                method, operation: operation, key: key, query: query, headers: headers, body: body,
                payloadHash: payloadHash, maximumResponseBytes: maximumResponseBytes)
            if (200..<300).contains(response.status) { return response }
            let error = refusal(response, operation: operation, key: key)
            if error.kind == .clockSkew, !learnedSkew, learnClock(from: response) {
                learnedSkew = true
                continue
            }
            throw error
        }
    }

    private func perform(
        _ method: HTTPMethod, operation: String, key: String?, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: ByteBuffer?, payloadHash: String, maximumResponseBytes: Int
    ) async throws(ObjectStorageError) -> Response {
        let encodedPath = endpoint.encodedPath(key: key)
        let canonicalQuery = CanonicalRequest(
            method: "", encodedPath: "", query: query, headers: [], payloadHash: ""
        ).canonicalQuery
        let signed = signer.signedHeaders(
            method: method.rawValue, encodedPath: encodedPath, query: query,
            headers: [("host", endpoint.hostHeader)] + headers, payloadHash: payloadHash, date: signingDate)
        var request = HTTPClientRequest(url: endpoint.url(key: key, canonicalQuery: canonicalQuery))
        request.method = method
        for (name, value) in signed { request.headers.add(name: name == "host" ? "Host" : name, value: value) }
        if let body {
            request.body = .bytes(body)
        } else if method == .PUT || method == .POST {
            request.body = .bytes(ByteBuffer())
        }
        do {
            let response = try await httpClient.execute(request, timeout: requestTimeout, logger: logger)
            let bytes = method == .HEAD ? ByteBuffer() : try await response.body.collect(upTo: maximumResponseBytes)
            return Response(status: Int(response.status.code), headers: response.headers, body: bytes)
        } catch {
            throw ObjectStorageError(
                kind: .transport, operation: operation, target: targetDescription, key: key,
                message: String(describing: error))
        }
    }

    /// The error a non-2xx answer stands for, from its status and S3 error document.
    func refusal(_ response: Response, operation: String, key: String?) -> ObjectStorageError {
        let document = try? XMLDecoder().decode(S3ErrorDocument.self, from: Data(response.body.readableBytesView))
        let code = document?.code ?? S3Client.impliedCode(status: response.status, isObjectRequest: key != nil)
        return ObjectStorageError(
            kind: S3Client.kind(code: code, status: response.status), operation: operation, target: targetDescription,
            key: key, status: response.status, code: code,
            message: document?.message ?? "HTTP \(response.status) without an S3 error document")
    }

    /// Classifies an S3 error code (or, without one, the status).
    static func kind(code: String?, status: Int) -> ObjectStorageError.Kind {
        switch code {
        case "PreconditionFailed": .alreadyExists
        case "InvalidAccessKeyId": .unknownAccessKey
        case "SignatureDoesNotMatch": .signatureRefused
        case "AccessDenied": .accessDenied
        case "NoSuchBucket": .noSuchBucket
        case "NoSuchKey": .noSuchKey
        case "RequestTimeTooSkewed": .clockSkew
        case "SlowDown", "TooManyRequests": .slowDown
        default:
            switch status {
            case 412: .alreadyExists
            case 429: .slowDown
            case 500...599: .serverError
            case 401, 403: .accessDenied
            default: .refused
            }
        }
    }

    /// A HEAD answer has no body: its status stands for the code.
    private static func impliedCode(status: Int, isObjectRequest: Bool) -> String? {
        switch status {
        case 404: isObjectRequest ? "NoSuchKey" : "NoSuchBucket"
        case 412: "PreconditionFailed"
        default: nil
        }
    }

    /// Keeps the server's time from the `Date` header of a skew answer; false without one.
    private func learnClock(from response: Response) -> Bool {
        guard let header = response.headers.first(name: "Date"), let server = AmzDate(httpDate: header) else {
            return false
        }
        let offset = server.secondsSince1970 - clock().secondsSince1970
        clockOffset.withLockedValue { $0 = offset }
        let direction = offset < 0 ? "ahead of" : "behind"
        logger.warning(
            "\(targetDescription): this machine's clock is \(abs(offset)) s \(direction) the store's; signing with the store's time")
        return true
    }
}
