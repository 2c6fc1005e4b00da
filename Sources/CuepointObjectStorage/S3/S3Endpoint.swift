/// Where a bucket's objects are reached: the store's scheme, host and port, the bucket, and the
/// addressing style.
///
/// - *Path style* (`http://127.0.0.1:8333/BUCKET/KEY`): the default for a custom endpoint
///   (SeaweedFS, Ceph RGW, MinIO), which rarely has a DNS name per bucket.
/// - *Virtual host* (`https://BUCKET.s3.eu-west-1.amazonaws.com/KEY`): AWS's default and the only
///   style for buckets created since 2020 there.
public struct S3Endpoint: Sendable, Equatable {
    /// How the bucket appears in a request's URL.
    public enum Addressing: String, Sendable, Equatable, CaseIterable {
        /// `/BUCKET/KEY` on the endpoint's host.
        case path
        /// `/KEY` on the host `BUCKET.endpoint-host`.
        case virtualHost = "virtual-host"
    }

    /// `http` or `https`.
    public var scheme: String
    /// The endpoint's host name or address (an IPv6 address in brackets), without the bucket.
    public var host: String
    /// The port, or `nil` for the scheme's default (80, 443).
    public var port: Int?
    /// The bucket name.
    public var bucket: String
    /// Path style or virtual host.
    public var addressing: Addressing
    /// The address to connect to instead of resolving the host name, as curl's `--connect-to`:
    /// the `Host` header and the signature keep the name. `nil` (resolve the name) for every
    /// target read by ``PublishTarget``; the tests use it to reach `BUCKET.localhost`, which
    /// glibc does not resolve without an `/etc/hosts` line.
    public var connectAddress: String?

    public init(
        scheme: String, host: String, port: Int?, bucket: String, addressing: Addressing, connectAddress: String? = nil
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.bucket = bucket
        self.addressing = addressing
        self.connectAddress = connectAddress
    }

    /// AWS's own endpoint for a region, virtual-host addressed.
    public static func aws(region: String, bucket: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil, bucket: bucket, addressing: .virtualHost)
    }

    /// The `Host` header: the host (with the bucket in front for virtual-host addressing) and
    /// the port unless it is the scheme's default.
    public var hostHeader: String { withPort(addressing == .virtualHost ? "\(bucket).\(host)" : host) }

    private func withPort(_ name: String) -> String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    /// The URL path of an object (or of the bucket when `key` is `nil`), each key segment
    /// encoded once, exactly as signed.
    public func encodedPath(key: String?) -> String {
        switch addressing {
        case .path:
            "/" + URIEncoding.encode(bucket) + (key.map { "/" + URIEncoding.encodePath($0) } ?? "")
        case .virtualHost:
            "/" + (key.map { URIEncoding.encodePath($0) } ?? "")
        }
    }

    /// The full URL of a request: scheme, host (or ``connectAddress``), path and the
    /// already-encoded query.
    public func url(key: String?, canonicalQuery: String) -> String {
        let authority = connectAddress.map(withPort) ?? hostHeader
        return "\(scheme)://\(authority)\(encodedPath(key: key))" + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery)
    }
}
