/// The canonical form of an HTTP request that Signature Version 4 hashes and signs:
///
/// ```
/// GET                                        method
/// /test.txt                                  path, each segment URI-encoded once (as sent)
/// max-keys=2&prefix=J                        query, names and values encoded, sorted; `uploads=`
/// host:examplebucket.s3.amazonaws.com        headers: lower-case names, trimmed values, sorted,
/// range:bytes=0-9                              one line each
/// x-amz-content-sha256:e3b0c442…
/// x-amz-date:20130524T000000Z
///                                            (a blank line ends the headers)
/// host;range;x-amz-content-sha256;x-amz-date signed header names
/// e3b0c44298fc1c149afbf4c8996fb92427ae41e4…  hex SHA-256 of the payload, or UNSIGNED-PAYLOAD
/// ```
public struct CanonicalRequest: Sendable, Equatable {
    /// The HTTP method, upper case.
    public var method: String
    /// The URL path exactly as sent, already encoded (see ``URIEncoding/encodePath(_:)``).
    public var encodedPath: String
    /// The query parameters, not yet encoded; a parameter without value (`?uploads`) has `""`.
    public var query: [(name: String, value: String)]
    /// The headers to sign (`host` among them); names in any case.
    public var headers: [(name: String, value: String)]
    /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(
        method: String, encodedPath: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String
    ) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The query as sent on the URL and as signed: `name=value` pairs, both encoded, sorted by
    /// name then value, joined with `&`. A parameter without value keeps its `=` (`uploads=`).
    public var canonicalQuery: String {
        query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The signed headers: lower-case names, values trimmed with inner runs of spaces made one,
    /// repeated names joined with commas, sorted by name.
    var canonicalHeaders: [(name: String, value: String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = Self.trim(value)
            merged[key] = merged[key].map { $0 + "," + trimmed } ?? trimmed
        }
        return merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `host;range;x-amz-content-sha256;x-amz-date`: the names of ``canonicalHeaders``.
    public var signedHeaderNames: String { canonicalHeaders.map(\.name).joined(separator: ";") }

    /// The text that is hashed into the string to sign.
    public var text: String {
        let headerLines = canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        return [method, encodedPath.isEmpty ? "/" : encodedPath, canonicalQuery, headerLines, signedHeaderNames, payloadHash]
            .joined(separator: "\n")
    }

    public static func == (lhs: CanonicalRequest, rhs: CanonicalRequest) -> Bool { lhs.text == rhs.text }

    private static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: [" ", "\t"])
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
