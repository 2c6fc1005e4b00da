import CuepointTestSupport
import Cuepoint
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// The producer console's routes on a real server (loopback, port 0): the page and its assets
/// with their Content-Security-Policy, the clear page where there is no live show, and the
/// catalogue API (`GET`/`PUT /v1/products`) with its refusals. The page in Chromium is
/// `Integration.Console` (CuepointTests).
@Suite(.ownThreads) struct ConsoleRoutesTests {
    static let token = "console-token"
    static let authorized: HTTPFields = [.authorization: "Bearer \(token)"]
    static let catalogue = """
        [{"id":"SKU-MUG","title":"Mug","price":9.5,"currency":"EUR","url":"https://shop.example/mug"},
         {"id":"SKU-PAN","title":"Skillet","url":"https://shop.example/pan"}]
        """

    /// A server of a new directory, or of `served` when given.
    func withServer(
        _ api: MarkerAPI?, serving served: URL? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with(label: "console-routes") { directory in
            let app = DirectoryServer(directory: (served ?? directory).path, host: "127.0.0.1", port: 0, markerAPI: api).application()
            try await app.test(.live, body)
        }
    }

    static func json(_ buffer: ByteBuffer) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    }

    @Test("the page, its script and stylesheet come with a Content-Security-Policy and no inline code")
    func pageAndAssets() async throws {
        try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint())) { client in
            let page = try await client.execute(uri: "/console", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[ConsoleRoutes.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            let html = String(buffer: page.body)
            #expect(html.contains(#"<script src="/console/console.js" defer></script>"#))
            #expect(html.contains(#"<base href="/">"#))
            // No inline script or style (the policy would block them) and no token in the page.
            #expect(!html.contains("<script>") && !html.contains("<style>") && !html.contains(Self.token))
            for (uri, type) in [("/console/console.js", "text/javascript"), ("/console/console.css", "text/css")] {
                let asset = try await client.execute(uri: uri, method: .get)
                #expect(asset.status == .ok, "\(uri)")
                #expect(asset.headers[.contentType]?.hasPrefix(type) == true, "\(uri)")
                #expect(asset.headers[ConsoleRoutes.contentSecurityPolicy] != nil, "\(uri)")
            }
            let script = String(buffer: try await client.execute(uri: "/console/console.js", method: .get).body)
            // The live playlist is read by the player's own functions, and text goes in as text.
            #expect(script.contains(LivePlaylistScript.functions) && !script.contains("innerHTML"))
        }
    }

    @Test("a server without the marker API (not a live show) answers /console with a page that says so: 404")
    func notLive() async throws {
        try await withServer(nil) { client in
            let page = try await client.execute(uri: "/console", method: .get)
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            #expect(html.contains("there is no live show to pin products on"))
            #expect(html.contains("--token-env NAME"))
        }
    }

    @Test("PUT /v1/products replaces the catalogue; GET lists it; both need the token")
    func catalogueRoundTrip() async throws {
        let products = ProductCatalogueStore()
        try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint(), products: products)) { client in
            let empty = try await client.execute(uri: "/v1/products", method: .get, headers: Self.authorized)
            #expect(empty.status == .ok && String(buffer: empty.body) == "[]\n")
            let put = try await client.execute(
                uri: "/v1/products", method: .put, headers: Self.authorized, body: ByteBuffer(string: Self.catalogue))
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            #expect(products.catalogue.cards.map(\.id) == ["SKU-MUG", "SKU-PAN"])
            let listed = try await client.execute(uri: "/v1/products", method: .get, headers: Self.authorized)
            let cards = Self.json(listed.body) as? [[String: Any]] ?? []
            #expect(cards.map { $0["id"] as? String } == ["SKU-MUG", "SKU-PAN"])
            #expect(cards.first?["currency"] as? String == "EUR")
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"]] {
                for method: HTTPRequest.Method in [.get, .put] {
                    let refused = try await client.execute(
                        uri: "/v1/products", method: method, headers: headers, body: ByteBuffer(string: "[]"))
                    #expect(refused.status == .unauthorized, "\(method) \(headers)")
                    let error = (Self.json(refused.body) as? [String: Any])?["error"] as? String
                    #expect(error == (headers.isEmpty ? "the marker API needs a token" : "the token is not the server's"))
                }
            }
            #expect(products.catalogue.cards.count == 2, "a refused request changes nothing")
        }
    }

    @Test("an accepted catalogue is kept on disk before the answer, and a restart takes it back ahead of the configured one")
    func catalogueIsKept() async throws {
        try await TemporaryDirectory.with(label: "console-kept") { folder in
            let file = folder.appendingPathComponent("rec").appendingPathComponent(RecordingLayout.productCatalogue)
            let configured = try ProductCatalogue.parse(#"[{"id":"SKU-OLD","title":"Old","url":"https://shop.example/old"}]"#, source: "test").get()
            let (products, note) = ProductCatalogueStore.restoring(configured: configured, file: file)
            #expect(note == nil, "nothing kept yet")
            #expect(products.catalogue == configured)
            let api = MarkerAPI(token: Self.token, endpoint: RecordingEndpoint(), products: products)
            try await withServer(api, serving: folder) { client in
                let put = try await client.execute(
                    uri: "/v1/products", method: .put, headers: Self.authorized, body: ByteBuffer(string: Self.catalogue))
                #expect(put.status == .ok, "\(String(buffer: put.body))")
                // Before the answer: the file holds the new catalogue (its folder was made).
                let kept = try #require(try? ProductCatalogue.load(path: file.path).get())
                #expect(kept.cards.map(\.id) == ["SKU-MUG", "SKU-PAN"])
                // Never served, though it is in the served folder: it may list products not yet announced.
                #expect(FileManager.default.fileExists(atPath: file.path))
                let served = try await client.execute(uri: "/rec/\(RecordingLayout.productCatalogue)", method: .get)
                #expect(served.status == .notFound)
                let neighbour = try await client.execute(uri: "/rec/", method: .get)
                #expect(!String(buffer: neighbour.body).contains(RecordingLayout.productCatalogue))
            }
            let (restarted, restartNote) = ProductCatalogueStore.restoring(configured: configured, file: file)
            #expect(restarted.catalogue.cards.map(\.id) == ["SKU-MUG", "SKU-PAN"])
            #expect(restartNote?.contains("is taken back") == true, "\(restartNote ?? "")")

            // A kept file that no longer reads: the configured catalogue, and a note naming it.
            try Data("[{".utf8).write(to: file)
            let (damaged, damagedNote) = ProductCatalogueStore.restoring(configured: configured, file: file)
            #expect(damaged.catalogue == configured)
            #expect(damagedNote?.contains(file.path) == true && damagedNote?.contains("cannot be read") == true)
        }
    }

    @Test("a catalogue that cannot be kept is not acknowledged: 503 naming the file and the fix, the one in place stays")
    func catalogueThatCannotBeKept() async throws {
        try await TemporaryDirectory.with(label: "console-unkept") { folder in
            // The folder the file goes in is a regular file: nothing can be written under it,
            // whoever the tests run as.
            let blocker = folder.appendingPathComponent("rec")
            try Data("not a folder".utf8).write(to: blocker)
            let file = blocker.appendingPathComponent(RecordingLayout.productCatalogue)
            let configured = try ProductCatalogue.parse(#"[{"id":"SKU-OLD","title":"Old","url":"https://shop.example/old"}]"#, source: "test").get()
            let products = ProductCatalogueStore(configured, file: file)
            try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint(), products: products)) { client in
                let put = try await client.execute(
                    uri: "/v1/products", method: .put, headers: Self.authorized, body: ByteBuffer(string: Self.catalogue))
                #expect(put.status == .serviceUnavailable)
                let answer = Self.json(put.body) as? [String: Any] ?? [:]
                let error = answer["error"] as? String ?? ""
                #expect(error.contains("the catalogue cannot be kept in \(file.path)"), "\(error)")
                #expect(error.contains("the one in place stays"), "\(error)")
                #expect((answer["fix"] as? String)?.contains("send the catalogue again") == true)
                let listed = try await client.execute(uri: "/v1/products", method: .get, headers: Self.authorized)
                #expect((Self.json(listed.body) as? [[String: Any]])?.map { $0["id"] as? String } == ["SKU-OLD"])
            }
            #expect(products.catalogue == configured)
        }
    }

    @Test("a catalogue with bad fields is refused (422, by line and field) and the one in place stays; not JSON is 400")
    func badCatalogue() async throws {
        let products = ProductCatalogueStore(try ProductCatalogue.parse(Self.catalogue, source: "test").get())
        try await withServer(MarkerAPI(token: Self.token, endpoint: RecordingEndpoint(), products: products)) { client in
            let bad = """
                [{"id":"SKU-1","title":"One","url":"https://shop.example/1"},
                 {"id":"SKU-2","title":"Two","url":"https://shop.example/2","prise":3}]
                """
            let refused = try await client.execute(
                uri: "/v1/products", method: .put, headers: Self.authorized, body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableContent)
            let answer = Self.json(refused.body) as? [String: Any] ?? [:]
            #expect(answer["error"] as? String == "api:2: \"prise\": unknown field; did you mean `price`?")
            #expect(answer["field"] as? String == "prise" && answer["fix"] as? String == "did you mean `price`?")
            let malformed = try await client.execute(
                uri: "/v1/products", method: .put, headers: Self.authorized, body: ByteBuffer(string: "[{"))
            #expect(malformed.status == .badRequest)
            #expect(products.catalogue.cards.map(\.id) == ["SKU-MUG", "SKU-PAN"])
        }
    }

    @Test("with a catalogue, a marker for a product it does not list is refused: 422 naming the product")
    func unknownProduct() async throws {
        let products = ProductCatalogueStore(try ProductCatalogue.parse(Self.catalogue, source: "test").get())
        let endpoint = RecordingEndpoint()
        try await withServer(MarkerAPI(token: Self.token, endpoint: endpoint, products: products)) { client in
            let unknown = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"id":"pin-x-1","product":"SKU-NOPE","title":"Nope","url":"https://shop.example/x"}"#))
            #expect(unknown.status == .unprocessableContent)
            let answer = Self.json(unknown.body) as? [String: Any] ?? [:]
            #expect(
                answer["error"] as? String
                    == #"api: marker "pin-x-1": "product": unknown product "SKU-NOPE"; the catalogue has "SKU-MUG", "SKU-PAN""#)
            #expect(answer["field"] as? String == "product")
            #expect(endpoint.markers.isEmpty)
            let known = try await client.execute(
                uri: "/v1/markers", method: .post, headers: Self.authorized,
                body: ByteBuffer(string: #"{"id":"pin-SKU-MUG-1","product":"SKU-MUG","title":"Mug","url":"https://shop.example/mug"}"#))
            #expect(known.status == .created)
            #expect(endpoint.markers.map(\.id) == ["pin-SKU-MUG-1"])
        }
    }
}
