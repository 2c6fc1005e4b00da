import CuepointTestSupport
import Cuepoint
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// The marker API on a real server (loopback, port 0): the checks in front of it (token, rate,
/// size, JSON) and each route's answers, against an in-memory recording.
@Suite(.ownThreads) struct MarkerAPITests {
    static let token = "s3cret-token"
    static let authorized: HTTPFields = [.authorization: "Bearer \(token)"]
    static let mug =
        #"{"id":"p-1","title":"Mug \"Classic\"","url":"https://shop.example/mug","price":"9.50","start":"4s"}"#

    func makeDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "cuepoint-api-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `body` with a live server whose marker API has `api` (nil: off), with `/metrics`
    /// when `export` is given.
    func withServer(
        _ api: MarkerAPI?, metrics: PipelineMetrics? = nil, export: PrometheusExport? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0, markerAPI: api, metrics: metrics,
            metricsRegistry: export?.registry
        ).application()
        try await app.test(.live, body)
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
    }

    @Test("without a token the API is off: 404 on every route, even with an Authorization header")
    func disabledWithoutToken() async throws {
        for api in [nil, MarkerAPI(token: "", endpoint: RecordingEndpoint())] {
            try await withServer(api) { client in
                for (uri, method) in [
                    ("/v1/markers", HTTPRequest.Method.post), ("/v1/markers", .get), ("/v1/markers/p-1", .get),
                    ("/v1/markers/p-1/close", .post),
                ] {
                    let response = try await client.execute(
                        uri: uri, method: method, headers: [.authorization: "Bearer "],
                        body: ByteBuffer(string: Self.mug))
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(
                        Self.json(response.body)?["error"] as? String == "the marker API is not enabled on this server")
                }
            }
        }
    }

    @Test("401 with WWW-Authenticate: Bearer without a token, with a wrong one, or another scheme")
    func unauthorized() async throws {
        let endpoint = RecordingEndpoint()
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint)) { client in
            let cases: [(HTTPFields, String)] = [
                ([:], #"Bearer realm="cuepoint""#),
                ([.authorization: "Bearer wrong-token"], #"Bearer realm="cuepoint", error="invalid_token""#),
                ([.authorization: "Bearer \(Self.token)x"], #"Bearer realm="cuepoint", error="invalid_token""#),
                ([.authorization: "Bearer s3cret-toke"], #"Bearer realm="cuepoint", error="invalid_token""#),
                ([.authorization: "Basic czNjcmV0LXRva2Vu"], #"Bearer realm="cuepoint", error="invalid_token""#),
                ([.authorization: Self.token], #"Bearer realm="cuepoint", error="invalid_token""#),
            ]
            for (headers, challenge) in cases {
                let response = try await client.execute(
                    uri: "/v1/markers", method: .post, headers: headers, body: ByteBuffer(string: Self.mug))
                #expect(response.status == .unauthorized, "\(headers)")
                #expect(response.headers[.wwwAuthenticate] == challenge, "\(headers)")
                #expect(Self.json(response.body)?["fix"] != nil)
            }
            let listed = try await client.execute(uri: "/v1/markers", method: .get)
            #expect(listed.status == .unauthorized, "listing needs the token too")
            #expect(endpoint.markers.isEmpty, "nothing was added")
        }
    }

    @Test("201 with the placed marker, its Location, and the list; the scheme name is case-insensitive")
    func addsAMarker() async throws {
        let endpoint = RecordingEndpoint()
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint)) { client in
            let response = try await client.execute(
                uri: "/v1/markers", method: .post, headers: [.authorization: "bearer \(Self.token)"],
                body: ByteBuffer(string: Self.mug))
            #expect(response.status == .created, "\(String(buffer: response.body))")
            #expect(response.headers[.location] == "/v1/markers/p-1")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(
                String(buffer: response.body)
                    == #"{"id":"p-1","product":"p-1","title":"Mug \"Classic\"","url":"https://shop.example/mug","price":9.50,"start":4}"#
                    + "\n")

            // No start: "now" (the endpoint's now is 10 s into the recording), closed by duration.
            let now = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"title":"Pan","url":"https://shop.example/pan","duration":"2.5s"}"#))
            #expect(now.status == .created)
            let placed = try #require(Self.json(now.body))
            #expect(
                (placed["start"] as? NSNumber)?.doubleValue == 10
                    && (placed["duration"] as? NSNumber)?.doubleValue == 2.5)
            let generated = try #require(placed["id"] as? String)
            #expect(Marker.isGeneratedID(generated))

            let list = try await client.execute(uri: "/v1/markers", method: .get, headers: Self.authorized)
            #expect(list.status == .ok)
            let items = try #require(
                (try? JSONSerialization.jsonObject(with: Data(list.body.readableBytesView))) as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? String } == ["p-1", generated])
            let one = try await client.execute(uri: "/v1/markers/p-1", method: .get, headers: Self.authorized)
            #expect(one.status == .ok && Self.json(one.body)?["title"] as? String == #"Mug "Classic""#)
            let none = try await client.execute(uri: "/v1/markers/nobody", method: .get, headers: Self.authorized)
            #expect(none.status == .notFound && Self.json(none.body)?["field"] as? String == "id")
        }
    }

    @Test("malformed JSON is 400 with the parser's message; bad fields are 422 naming the field")
    func badBodies() async throws {
        let endpoint = RecordingEndpoint()
        let export = PrometheusExport()
        let metrics = PipelineMetrics(factory: export.factory)
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint), metrics: metrics, export: export) {
            client in
            let malformed: [(String, String)] = [
                (#"{"title":"Mug","url":"https://shop.example/mug""#, "malformed JSON at column"),
                ("", "malformed JSON at column 1"),
                (#"{"title":'Mug'}"#, "malformed JSON at column 10"),
            ]
            for (body, message) in malformed {
                let response = try await client.execute(
                    uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                let error = Self.json(response.body)?["error"] as? String
                #expect(error?.hasPrefix("api: " + message) == true, "\(body): \(error ?? "no error")")
                #expect(Self.json(response.body)?["fix"] != nil)
            }
            let notUTF8 = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized,
                body: ByteBuffer(bytes: [0x7B, 0xFF, 0x7D]))
            #expect(notUTF8.status == .badRequest)

            let invalid: [(String, field: String, fix: String)] = [
                (#"{"url":"https://shop.example/mug"}"#, "title", #"correct "title""#),
                (#"{"tilte":"Mug","title":"Mug","url":"https://shop.example/mug"}"#, "tilte", "did you mean `title`?"),
                (#"{"title":"Mug","url":"ftp://shop.example/mug"}"#, "url", #"correct "url""#),
                (
                    #"{"title":"Mug","url":"https://shop.example/mug","currency":"usd"}"#, "currency",
                    "did you mean `USD`?"
                ),
                (
                    #"{"title":"Mug","url":"https://shop.example/mug","start":"2025-03-14T17:59:00Z"}"#, "start",
                    #"correct "start""#
                ),
                (#"[1,2]"#, "", "docs/markers.md"),
            ]
            for (body, field, fix) in invalid {
                let response = try await client.execute(
                    uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: body))
                #expect(response.status == .unprocessableContent, "\(body): \(String(buffer: response.body))")
                let answer = Self.json(response.body)
                if !field.isEmpty {
                    #expect(answer?["field"] as? String == field, "\(body): \(String(buffer: response.body))")
                    #expect((answer?["error"] as? String)?.contains("\"\(field)\"") == true)
                }
                #expect((answer?["fix"] as? String)?.contains(fix) == true, "\(body): \(answer ?? [:])")
            }

            // The same id twice: 409.
            let first = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: Self.mug))
            #expect(first.status == .created)
            let again = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: Self.mug))
            #expect(again.status == .conflict)
            #expect(Self.json(again.body)?["field"] as? String == "id")
            #expect(endpoint.markers.map(\.id) == ["p-1"])
            // Rejected before the endpoint: counted by the server (a runner counts its own, such as
            // the start before the recording, which only the endpoint can judge, and the 409).
            let samples = Exposition(String(buffer: try await client.execute(uri: "/metrics", method: .get).body))
                .samples
            #expect(
                samples[#"cuepoint_markers_rejected_total{source="api"}"#]
                    == Double(malformed.count + 1 + invalid.count - 1))
            // Every response of the API, by status.
            #expect(samples[#"cuepoint_marker_api_responses_total{code="400"}"#] == Double(malformed.count + 1))
            #expect(samples[#"cuepoint_marker_api_responses_total{code="422"}"#] == Double(invalid.count))
            #expect(samples[#"cuepoint_marker_api_responses_total{code="201"}"#] == 1)
            #expect(samples[#"cuepoint_marker_api_responses_total{code="409"}"#] == 1)
        }
    }

    @Test("a body past the limit is 413, whether Content-Length says so or not")
    func bodyTooLarge() async throws {
        let endpoint = RecordingEndpoint()
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint, maximumBodyBytes: 16 * 1024)) { client in
            let padding = String(repeating: " ", count: 17 * 1024)
            let response = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: Self.mug + padding))
            #expect(response.status == .contentTooLarge)
            #expect((Self.json(response.body)?["error"] as? String)?.contains("16384") == true)
            // Just at the limit: read and used.
            let fits = Self.mug + String(repeating: " ", count: 16 * 1024 - Self.mug.utf8.count)
            let accepted = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: fits))
            #expect(accepted.status == .created)
        }
    }

    @Test("past the burst a client gets 429 with Retry-After, before the token is even checked")
    func rateLimited() async throws {
        let endpoint = RecordingEndpoint()
        // One token every 100 s: none comes back during the test, however slow the machine.
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint, requestsPerSecond: 0.01, burst: 3)) {
            client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for index in 0..<5 {
                let response = try await client.execute(
                    uri: "/v1/markers", method: .get, headers: index == 1 ? [:] : Self.authorized)
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses == [.ok, .unauthorized, .ok, .tooManyRequests, .tooManyRequests])
            #expect(
                retryAfter.flatMap(Int.init).map { (1...100).contains($0) } == true,
                "Retry-After: \(retryAfter ?? "none")")
            // The files are not limited.
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test("close: 200 with the duration; again 409; unknown 404; bad bodies 400 and 422; not running 503")
    func closesAMarker() async throws {
        let endpoint = RecordingEndpoint()
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint)) { client in
            for id in ["open-1", "open-2", "open-3"] {
                let body = #"{"id":"\#(id)","title":"Pot","url":"https://shop.example/pot","start":2}"#
                let added = try await client.execute(
                    uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: body))
                #expect(added.status == .created)
            }
            // No body: closed now (10 s): 8 s after its start.
            let closed = try await client.execute(
                uri: "/v1/markers/open-1/close", method: .post, headers: Self.authorized)
            #expect(closed.status == .ok, "\(String(buffer: closed.body))")
            #expect((Self.json(closed.body)?["duration"] as? NSNumber)?.doubleValue == 8)
            let byDuration = try await client.execute(
                uri: "/v1/markers/open-2/close", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"duration":"1.5s"}"#))
            #expect((Self.json(byDuration.body)?["duration"] as? NSNumber)?.doubleValue == 1.5)

            let twice = try await client.execute(
                uri: "/v1/markers/open-1/close", method: .post, headers: Self.authorized)
            #expect(twice.status == .conflict)
            let unknown = try await client.execute(
                uri: "/v1/markers/nobody/close", method: .post, headers: Self.authorized)
            #expect(unknown.status == .notFound)
            let malformed = try await client.execute(
                uri: "/v1/markers/open-3/close", method: .post, headers: Self.authorized, body: ByteBuffer(string: "{"))
            #expect(malformed.status == .badRequest)
            let misspelt = try await client.execute(
                uri: "/v1/markers/open-3/close", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"durration":3}"#))
            #expect(misspelt.status == .unprocessableContent)
            #expect(Self.json(misspelt.body)?["field"] as? String == "durration")
            #expect((Self.json(misspelt.body)?["fix"] as? String)?.contains("`duration`") == true)
            let early = try await client.execute(
                uri: "/v1/markers/open-3/close", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"end":1}"#))
            #expect(early.status == .unprocessableContent)
            #expect(Self.json(early.body)?["field"] as? String == "end")
            #expect(endpoint.markers.first { $0.id == "open-3" }?.isOpen == true, "refused closes change nothing")
        }
        try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint(running: false))) { client in
            let response = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized, body: ByteBuffer(string: Self.mug))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
        }
    }

    @Test("a browser may call the API from any origin: the preflight allows POST and Authorization")
    func corsPreflight() async throws {
        try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint())) { client in
            let response = try await client.execute(
                uri: "/v1/markers", method: .options,
                headers: [
                    .origin: "https://studio.example", .accessControlRequestMethod: "POST",
                    .accessControlRequestHeaders: "authorization, content-type",
                ])
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
        }
    }
}

/// The checks' building blocks, without a network.
@Suite(.ownThreads) struct MarkerAPIChecksTests {
    @Test("the bearer token: scheme case-insensitive, extra spaces ignored, anything else refused")
    func bearerToken() throws {
        let token = try #require(BearerToken("abc-123"))
        #expect(BearerToken("") == nil, "an empty token would let anyone in")
        for good in ["Bearer abc-123", "bearer abc-123", "BEARER  abc-123 ", " Bearer abc-123"] {
            #expect(token.admits(authorization: good), "\(good)")
        }
        for bad in [
            nil, "", "Bearer", "Bearer ", "Bearer abc-12", "Bearer abc-1234", "Bearer ABC-123", "Basic abc-123",
            "abc-123", "Bearer abc 123",
        ] {
            #expect(!token.admits(authorization: bad), "\(bad ?? "nil")")
        }
        #expect(BearerToken.constantTimeEqual(Array("x".utf8), Array("x".utf8)))
        #expect(!BearerToken.constantTimeEqual([], Array("x".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("xx".utf8), Array("x".utf8)))
    }

    @Test("the rate limit: a burst at once, then one token per interval; clients apart")
    func tokenBucket() {
        var limit = ClientRateLimit(rate: 20, burst: 40)
        let second: UInt64 = 1_000_000_000
        var now: UInt64 = 5 * second
        for index in 0..<40 { #expect(limit.admit("a", now: now) == .allowed, "request \(index) of the burst") }
        #expect(limit.admit("a", now: now) == .limited(retryAfterNanoseconds: 50_000_000))
        #expect(limit.admit("b", now: now) == .allowed, "another client has its own bucket")
        now += 50_000_000  // one token back after 1/20 s
        #expect(limit.admit("a", now: now) == .allowed)
        #expect(limit.admit("a", now: now) == .limited(retryAfterNanoseconds: 50_000_000))
        now += 2 * second  // the bucket refills up to the burst, not beyond
        for _ in 0..<40 { #expect(limit.admit("a", now: now) == .allowed) }
        #expect(limit.admit("a", now: now) != .allowed)
    }

    @Test("the rate limit forgets clients whose buckets are full once the table is large")
    func rateLimitPrunes() {
        var limit = ClientRateLimit(rate: 1_000, burst: 1)
        // One client every 2 ms: each bucket (1 ms per token) is full again when the next comes.
        for index in 0...ClientRateLimit.pruneThreshold {
            _ = limit.admit("client-\(index)", now: UInt64(index) * 2_000_000)
        }
        #expect(limit.clientCount == 1, "only the latest client's bucket is not full: \(limit.clientCount)")
    }
}
