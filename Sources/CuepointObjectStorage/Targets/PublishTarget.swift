import Foundation

/// Where a recording is published, read from a target URL, its options and the environment.
///
/// - `s3://BUCKET/PREFIX`: an S3-compatible store (AWS S3, Ceph RGW, SeaweedFS, MinIO, R2, …).
///   Endpoint, region and keys come from ``PublishOptions``, else from the variables every AWS
///   SDK reads (`AWS_ENDPOINT_URL`, `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`,
///   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
/// - `http(s)://HOST[:PORT]/PREFIX`: an origin that takes PUT and DELETE (nginx's WebDAV
///   module, a CDN's ingest point), with an optional `Authorization` header from an
///   environment variable.
///
/// The recording's relative paths (`source/seg_000001.m4s`, `master.m3u8`) go under PREFIX.
public enum PublishTarget: Sendable, Equatable {
    case s3(S3Target)
    case httpOrigin(HTTPOriginTarget)

    /// The target as written.
    public var url: String {
        switch self {
        case .s3(let target): target.url
        case .httpOrigin(let target): target.url
        }
    }

    /// An S3 target, resolved.
    public struct S3Target: Sendable, Equatable {
        /// The target as written.
        public var url: String
        /// The store, bucket and addressing.
        public var endpoint: S3Endpoint
        /// The key prefix (no leading or trailing slash), possibly empty.
        public var prefix: String
        /// The signing region.
        public var region: String
        /// The storage class of uploads, if set.
        public var storageClass: String?
        /// The keys.
        public var credentials: AWSCredentials

        public init(
            url: String, endpoint: S3Endpoint, prefix: String, region: String, storageClass: String?,
            credentials: AWSCredentials
        ) {
            self.url = url
            self.endpoint = endpoint
            self.prefix = prefix
            self.region = region
            self.storageClass = storageClass
            self.credentials = credentials
        }
    }

    /// An HTTP origin, resolved.
    public struct HTTPOriginTarget: Sendable, Equatable {
        /// The target as written.
        public var url: String
        /// `scheme://host[:port]`.
        public var origin: String
        /// The path prefix (no leading or trailing slash), possibly empty.
        public var prefix: String
        /// The `Authorization` header value, if the target names a variable for it.
        public var authorization: String?

        public init(url: String, origin: String, prefix: String, authorization: String?) {
            self.url = url
            self.origin = origin
            self.prefix = prefix
            self.authorization = authorization
        }
    }

    /// Reads a target.
    ///
    /// - Parameters:
    ///   - text: `s3://BUCKET/PREFIX[?options]` or `http(s)://HOST[:PORT]/PREFIX[?authorization-env=NAME]`.
    ///   - options: settings from the pipeline file; the same option in the URL must agree.
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    /// - Throws: ``PublishTargetError`` naming the target and the fix.
    public static func parse(
        _ text: String, options: PublishOptions = PublishOptions(), environment: [String: String]
    ) throws(PublishTargetError) -> PublishTarget {
        func fail(_ problem: PublishTargetError.Problem) -> PublishTargetError {
            PublishTargetError(target: text, problem: problem)
        }
        guard let schemeEnd = text.range(of: "://") else { throw fail(.notAURL) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard let components = URLComponents(string: text) else { throw fail(.notAURL) }
        let merged = try merge(options, query: components.queryItems ?? [], target: text)
        let prefix = components.percentEncodedPath.removingPercentEncoding.map(trimSlashes) ?? ""
        switch scheme {
        case "s3":
            return .s3(try s3Target(text, components: components, prefix: prefix, options: merged, environment: environment))
        case "http", "https":
            for (name, value) in [("endpoint", merged.endpoint), ("region", merged.region), ("storage-class", merged.storageClass)]
            where value != nil {
                throw fail(.optionNotApplicable(name))
            }
            guard let host = components.host, !host.isEmpty else { throw fail(.noHost) }
            var authorization: String?
            if let variable = merged.authorizationVariable {
                guard let value = environment[variable], !value.isEmpty else {
                    throw fail(.missingAuthorization(variable: variable))
                }
                authorization = value
            }
            let port = components.port.map { ":\($0)" } ?? ""
            let hostText = host.contains(":") ? "[\(host)]" : host
            return .httpOrigin(
                HTTPOriginTarget(url: text, origin: "\(scheme)://\(hostText)\(port)", prefix: prefix, authorization: authorization))
        default:
            throw fail(.unknownScheme(scheme))
        }
    }

    private static func s3Target(
        _ text: String, components: URLComponents, prefix: String, options: PublishOptions,
        environment: [String: String]
    ) throws(PublishTargetError) -> S3Target {
        func fail(_ problem: PublishTargetError.Problem) -> PublishTargetError {
            PublishTargetError(target: text, problem: problem)
        }
        guard let bucket = components.host, !bucket.isEmpty else { throw fail(.noBucket) }
        guard isBucketName(bucket) else { throw fail(.invalidBucket(bucket)) }
        if options.authorizationVariable != nil { throw fail(.optionNotApplicable("authorization-env")) }
        let region = options.region ?? nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
            ?? "us-east-1"

        var endpoint: S3Endpoint
        let endpointSource: (value: String, source: String)? =
            options.endpoint.map { ($0, "the target's endpoint") }
            ?? nonEmpty(environment["AWS_ENDPOINT_URL_S3"]).map { ($0, "AWS_ENDPOINT_URL_S3") }
            ?? nonEmpty(environment["AWS_ENDPOINT_URL"]).map { ($0, "AWS_ENDPOINT_URL") }
        if let endpointSource {
            let (value, source) = endpointSource
            guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
            else { throw fail(.invalidEndpoint(value, source: source)) }
            endpoint = S3Endpoint(
                scheme: scheme, host: host.contains(":") ? "[\(host)]" : host, port: url.port, bucket: bucket,
                addressing: options.addressing ?? .path)
        } else {
            endpoint = .aws(region: region, bucket: bucket)
            if let addressing = options.addressing { endpoint.addressing = addressing }
        }

        let accessKey = options.accessKeyID ?? nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = options.secretAccessKey ?? nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        var missing: [String] = []
        if accessKey == nil { missing.append("AWS_ACCESS_KEY_ID") }
        if secret == nil { missing.append("AWS_SECRET_ACCESS_KEY") }
        guard let accessKey, let secret else { throw fail(.missingCredentials(missing)) }
        let credentials = AWSCredentials(
            accessKeyID: accessKey, secretAccessKey: secret,
            sessionToken: options.sessionToken ?? nonEmpty(environment["AWS_SESSION_TOKEN"]))
        return S3Target(
            url: text, endpoint: endpoint, prefix: prefix, region: region, storageClass: options.storageClass,
            credentials: credentials)
    }

    /// Combines the URL's query options with the given options; the same option twice must agree.
    private static func merge(
        _ options: PublishOptions, query: [URLQueryItem], target: String
    ) throws(PublishTargetError) -> PublishOptions {
        var merged = options
        func set(_ field: WritableKeyPath<PublishOptions, String?>, _ name: String, _ value: String)
            throws(PublishTargetError)
        {
            if let existing = merged[keyPath: field], existing != value {
                throw PublishTargetError(target: target, problem: .conflictingOption(name))
            }
            merged[keyPath: field] = value
        }
        for item in query {
            let value = item.value ?? ""
            switch item.name {
            case "endpoint": try set(\.endpoint, item.name, value)
            case "region": try set(\.region, item.name, value)
            case "storage-class": try set(\.storageClass, item.name, value)
            case "authorization-env": try set(\.authorizationVariable, item.name, value)
            case "addressing":
                guard let addressing = S3Endpoint.Addressing(rawValue: value) else {
                    throw PublishTargetError(target: target, problem: .invalidAddressing(value))
                }
                if let existing = merged.addressing, existing != addressing {
                    throw PublishTargetError(target: target, problem: .conflictingOption(item.name))
                }
                merged.addressing = addressing
            default:
                throw PublishTargetError(
                    target: target, problem: .unknownOption(item.name, suggestion: closestOption(to: item.name)))
            }
        }
        return merged
    }

    /// S3's rules for new buckets: 3–63 characters of lower-case letters, digits, dots and
    /// hyphens, starting and ending with a letter or digit.
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func closestOption(to name: String) -> String? {
        let scored = PublishOptions.queryNames.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 3) else { return nil }
        return best
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func trimSlashes(_ path: String) -> String {
        var slice = Substring(path)
        while slice.hasPrefix("/") { slice = slice.dropFirst() }
        while slice.hasSuffix("/") { slice = slice.dropLast() }
        return String(slice)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
