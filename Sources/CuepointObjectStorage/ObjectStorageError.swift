/// A request to an object store (S3 or an HTTP origin) that failed: what was asked, of which
/// target and key, what the store answered (HTTP status and S3 error code) and what to do.
///
/// ```
/// PUT s3://shows/spring/source/seg_000004.m4s: 403 SignatureDoesNotMatch (The request signature
/// we calculated does not match the signature you provided.) — check AWS_SECRET_ACCESS_KEY …
/// ```
public struct ObjectStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; decides whether it is retried (``RetryPolicy``).
    public enum Kind: String, Sendable, Equatable {
        /// `If-None-Match: *` found an object at the key (412 `PreconditionFailed`): it already
        /// exists and was not overwritten.
        case alreadyExists
        /// The store does not know the access key (`InvalidAccessKeyId`, 403).
        case unknownAccessKey
        /// The store refused the signature (`SignatureDoesNotMatch`, 403): a wrong secret or region.
        case signatureRefused
        /// The key may not do this (`AccessDenied`, 403; 401/403 from an HTTP origin).
        case accessDenied
        /// The bucket does not exist (`NoSuchBucket`, 404).
        case noSuchBucket
        /// The object does not exist (`NoSuchKey`, 404 on GET or HEAD).
        case noSuchKey
        /// The signing time is too far from the server's (`RequestTimeTooSkewed`, 403).
        case clockSkew
        /// The store asks to slow down (503 `SlowDown`, 429).
        case slowDown
        /// The store failed (5xx).
        case serverError
        /// No answer: connection refused or reset, a timeout, a DNS failure.
        case transport
        /// An answer this client cannot read (bad XML, a missing header).
        case invalidResponse
        /// Any other refusal (4xx) with the store's code.
        case refused
        /// A local file to upload could not be read (the target is then the file's path).
        case localFile
    }

    /// The kind of failure.
    public var kind: Kind
    /// The request: `PUT`, `GET`, `HEAD`, `DELETE`, `DeleteObjects`, `ListObjectsV2`, ….
    public var operation: String
    /// The target as the user wrote it, e.g. `s3://shows/spring` or `http://origin:8080/live`.
    public var target: String
    /// The object key (relative to the bucket), or `nil` for bucket-level requests.
    public var key: String?
    /// The HTTP status, or `nil` when there was no answer.
    public var status: Int?
    /// S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch`, …) when the store sent one.
    public var code: String?
    /// The store's message, or the transport error's text.
    public var message: String

    public init(
        kind: Kind, operation: String, target: String, key: String? = nil, status: Int? = nil, code: String? = nil,
        message: String
    ) {
        self.kind = kind
        self.operation = operation
        self.target = target
        self.key = key
        self.status = status
        self.code = code
        self.message = message
    }

    /// What the user should do about it.
    public var fix: String {
        switch kind {
        case .alreadyExists:
            "the object already exists and is never overwritten; if another machine publishes to this prefix, give"
                + " each show its own prefix, or move the old objects away"
        case .unknownAccessKey:
            "check AWS_ACCESS_KEY_ID (or the target's access key): the store at \(target) does not know this key"
        case .signatureRefused:
            "check AWS_SECRET_ACCESS_KEY (or the target's secret) and the region (AWS_REGION): the store refused the"
                + " signature made with them"
        case .accessDenied:
            "give this key the right to read, write, list and delete under \(target) (s3:GetObject, s3:PutObject,"
                + " s3:ListBucket, s3:DeleteObject), or check the origin's Authorization value"
        case .noSuchBucket:
            "create the bucket, or correct the bucket name in \(target)"
        case .noSuchKey:
            "the object is not in the store; check the key and the target prefix"
        case .clockSkew:
            "set this machine's clock right (enable NTP); the client also corrects itself from the server's Date"
        case .slowDown, .serverError:
            "the store is overloaded or failing; requests are retried with backoff"
        case .transport:
            "check that the store at \(target) is running and that its endpoint (AWS_ENDPOINT_URL or the target's"
                + " endpoint) is right; requests are retried with backoff"
        case .invalidResponse:
            "check that the endpoint of \(target) is an S3-compatible store"
        case .refused:
            "see the store's message"
        case .localFile:
            "the file to upload is missing or unreadable; check the recording directory"
        }
    }

    public var description: String {
        var text = "\(operation) \(target)"
        if let key { text += " key \(key)" }
        text += ": "
        if let status { text += "\(status) " }
        if let code { text += "\(code) " }
        text += "(\(message)) — \(fix)"
        return text
    }
}
