import Crypto

/// AWS Signature Version 4 for S3, header-based: the `Authorization` header of a request.
///
/// The signature is `HMAC-SHA256(signingKey, stringToSign)` where
///
/// ```
/// signingKey   = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), "s3"), "aws4_request")
/// stringToSign = "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + hex(SHA256(canonical request))
/// scope        = yyyymmdd/region/s3/aws4_request
/// ```
///
/// Every request carries `x-amz-content-sha256`: Ceph RGW refuses a request without it (or with
/// a wrong one), AWS requires it for S3. This client always sends the real hash of the body: the
/// body is in memory anyway, SHA-256 of a 2 MB segment costs a few milliseconds, and a signed
/// payload also protects the bytes on a plain-HTTP endpoint, where `UNSIGNED-PAYLOAD` would let
/// anything on the path change them. (`UNSIGNED-PAYLOAD` is only safe over TLS; nothing here
/// needs it.)
///
/// Pure: the time is passed in, nothing is read from the clock or the environment.
public struct SigV4Signer: Sendable {
    /// The keys to sign with.
    public var credentials: AWSCredentials
    /// The region of the credential scope, e.g. `us-east-1` (any string a custom store accepts).
    public var region: String
    /// The service of the credential scope: `s3`.
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The hash of an empty body (`GET`, `HEAD`, `DELETE`).
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The hex SHA-256 of a body, for `x-amz-content-sha256`.
    public static func payloadHash(_ body: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(body)))
    }

    /// The headers to send with a request: `headers` (which must include `host`) plus
    /// `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (with a session token) and
    /// `Authorization`. Every header returned is signed.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, …
    ///   - encodedPath: the URL path as sent, each key segment encoded once.
    ///   - query: the query parameters, not encoded (they are encoded here and must be sent as
    ///     ``CanonicalRequest/canonicalQuery`` writes them).
    ///   - headers: the headers to sign and send, `host` included.
    ///   - payloadHash: ``payloadHash(_:)`` of the body.
    ///   - date: the signing time (the local clock plus any offset learned from the server).
    public func signedHeaders(
        method: String, encodedPath: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String, date: AmzDate
    ) -> [(name: String, value: String)] {
        var all = headers
        all.append(("x-amz-date", date.timestamp))
        all.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token)) }
        let request = CanonicalRequest(
            method: method, encodedPath: encodedPath, query: query, headers: all, payloadHash: payloadHash)
        all.append(("Authorization", authorization(for: request, date: date)))
        return all
    }

    /// The `Authorization` header value for a canonical request:
    /// `AWS4-HMAC-SHA256 Credential=KEY/SCOPE,SignedHeaders=…,Signature=…`.
    public func authorization(for request: CanonicalRequest, date: AmzDate) -> String {
        "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)),"
            + "SignedHeaders=\(request.signedHeaderNames),Signature=\(signature(for: request, date: date))"
    }

    /// The hex signature of a canonical request.
    public func signature(for request: CanonicalRequest, date: AmzDate) -> String {
        let key = signingKey(day: date.day)
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign(request, date: date).utf8), using: key))
    }

    /// The string to sign (second step of the algorithm), exposed for tests and diagnostics.
    public func stringToSign(_ request: CanonicalRequest, date: AmzDate) -> String {
        "AWS4-HMAC-SHA256\n\(date.timestamp)\n\(scope(date))\n"
            + Self.hex(SHA256.hash(data: Array(request.text.utf8)))
    }

    private func scope(_ date: AmzDate) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for element in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(element.utf8), using: key))
        }
        return key
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
