import CuepointTestSupport
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import Testing

/// Many generated requests, signed by our signer and by botocore (AWS's Python SDK core, through
/// `Tests/Support/sigv4_reference.py`): keys with spaces, `+`, `~`, `%`, unicode, query
/// parameters with and without values, session tokens, both addressing styles.
@Suite(.ownThreads) struct BotocoreSignatureTests {
    struct Generated {
        var method: String
        var endpoint: S3Endpoint
        var key: String?
        var query: [(name: String, value: String)]
        var headers: [(name: String, value: String)]
        var body: String
        var date: AmzDate
        var credentials: AWSCredentials
        var region: String
    }

    static func generate(count: Int, seed: UInt64) -> [Generated] {
        var random = SeededRandom(seed: seed)
        let keyParts = [
            "seg 1.ts", "a+b", "tilde~x", "per%cent", "tête", "日本", "emoji😀", "x=y&z", "semi;colon", "plain",
            "UPPER", "dots..", "q?mark", "hash#", "star*", "paren(s)", "comma,",
        ]
        let queryNames = ["prefix", "max-keys", "uploads", "continuation-token", "list-type", "delete", "partNumber"]
        let queryValues = ["", "2", "a b", "x/y+z", "é", "~tilde", "1000", "=eq"]
        let methods = ["GET", "PUT", "HEAD", "DELETE", "POST"]
        return (0..<count).map { index in
            let keyDepth = Int.random(in: 0...3, using: &random)
            let key =
                keyDepth == 0 ? nil : (0..<keyDepth).map { _ in keyParts.randomElement(using: &random)! }.joined(separator: "/")
            let queryCount = Int.random(in: 0...3, using: &random)
            var names = queryNames.shuffled(using: &random).prefix(queryCount)
            if index % 7 == 0 { names = ["uploads"] }
            let query = names.map { (name: $0, value: $0 == "uploads" ? "" : queryValues.randomElement(using: &random)!) }
            var headers: [(name: String, value: String)] = []
            if Bool.random(using: &random) { headers.append(("Content-Type", "application/vnd.apple.mpegurl")) }
            if Bool.random(using: &random) { headers.append(("Cache-Control", "max-age=1209600,  immutable")) }
            if Bool.random(using: &random) { headers.append(("If-None-Match", "*")) }
            if Bool.random(using: &random) { headers.append(("x-amz-meta-Title", "  Spring   sale ")) }
            let virtual = index % 3 == 0
            let endpoint = S3Endpoint(
                scheme: virtual ? "https" : "http", host: virtual ? "s3.eu-west-3.amazonaws.com" : "127.0.0.1",
                port: virtual ? nil : 8000 + index, bucket: "shows-\(index % 5)", addressing: virtual ? .virtualHost : .path)
            let token: String? = index % 4 == 0 ? "FQoGZXIvYXdzE/token+\(index)=" : nil
            return Generated(
                method: methods.randomElement(using: &random)!, endpoint: endpoint, key: key, query: query,
                headers: headers, body: index % 2 == 0 ? "" : "#EXTM3U\n#EXT-X-VERSION:7 \(index)\n",
                date: AmzDate(secondsSince1970: 1_700_000_000 + Int64(index) * 86_413),
                credentials: AWSCredentials(
                    accessKeyID: "AKIDEXAMPLE\(index)", secretAccessKey: "secret/+\(index)Key", sessionToken: token),
                region: ["us-east-1", "eu-west-3", "auto"][index % 3])
        }
    }

    /// The signature fields of an Authorization value (botocore writes `, ` between them, AWS's
    /// examples `,`; both are accepted by every store).
    static func normalized(_ authorization: String) -> String {
        authorization.replacingOccurrences(of: ", ", with: ",")
    }

    @Test(.enabled(if: ServerTools.hasBotocore, "botocore is not installed; scripts/setup.sh --test installs it"))
    func ourSignaturesEqualBotocores() throws {
        let requests = Self.generate(count: 300, seed: 12)
        var specs: [[String: Any]] = []
        var ours: [String] = []
        for request in requests {
            let signer = SigV4Signer(credentials: request.credentials, region: request.region)
            let body = Array(request.body.utf8)
            let headers = signer.signedHeaders(
                method: request.method, encodedPath: request.endpoint.encodedPath(key: request.key),
                query: request.query, headers: [("host", request.endpoint.hostHeader)] + request.headers,
                payloadHash: SigV4Signer.payloadHash(body), date: request.date)
            ours.append(headers.first { $0.name == "Authorization" }!.value)
            let urlBase = "\(request.endpoint.scheme)://\(request.endpoint.hostHeader)"
            let pathPrefix = request.endpoint.addressing == .path ? "/" + request.endpoint.bucket : ""
            specs.append([
                "method": request.method, "url_base": urlBase, "path_prefix": pathPrefix,
                "key": request.key.map { $0 as Any } ?? NSNull(),
                "query": request.query.map { [$0.name, $0.value] }, "headers": request.headers.map { [$0.name, $0.value] },
                "body": request.body, "timestamp": request.date.timestamp, "access_key": request.credentials.accessKeyID,
                "secret_key": request.credentials.secretAccessKey,
                "session_token": request.credentials.sessionToken.map { $0 as Any } ?? NSNull(), "region": request.region,
            ])
        }
        let input = try JSONSerialization.data(withJSONObject: specs)
        let result = try ProcessRunner.run(
            ["python3", Repository.url("Tests/Support/sigv4_reference.py").path], input: input)
        try #require(result.status == 0, "sigv4_reference.py failed: \(result.standardError)")
        let theirs = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String])
        try #require(theirs.count == requests.count)
        var mismatches: [String] = []
        for index in requests.indices where Self.normalized(ours[index]) != Self.normalized(theirs[index]) {
            mismatches.append(
                "#\(index) \(requests[index].method) key \(requests[index].key ?? "-") query \(requests[index].query):"
                    + "\n  ours:     \(ours[index])\n  botocore: \(theirs[index])")
        }
        let report = mismatches.prefix(5).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(requests.count) differ:\n\(report)")
    }
}
