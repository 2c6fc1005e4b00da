import Cuepoint
import Foundation
import Hummingbird
import NIOCore

/// The control API (`/v1/shows…`, behind the admin token) and the publish hooks
/// (`/v1/hooks/…`, for streaming servers in front), on top of a ``ShowRegistry``.
///
/// | route | answer |
/// |---|---|
/// | `POST /v1/shows` (pipeline document, JSON or YAML) | 201 show; 400 the document's problems; 409 duplicate id |
/// | `GET /v1/shows` | 200 `{"shows": [show…]}` |
/// | `GET /v1/shows/{id}` | 200 show; 404 |
/// | `POST /v1/shows/{id}/end` | 202 show (finalising); 404; 409 already over |
/// | `DELETE /v1/shows/{id}` | 204; 404; 409 not over |
/// | `POST /v1/hooks/publish`, `/unpublish` (JSON `{app, key, source_url}`) | 200 `{"show": id}`; 403 |
/// | `POST /v1/hooks/nginx/on_publish`, `/on_publish_done` (nginx-rtmp's form) | 200; 403 |
/// | `POST /v1/hooks/srs` (SRS's `http_hooks` JSON, `on_publish` and `on_unpublish`) | 200 `0`; 403 |
///
/// Every error is JSON `{"error", "fix"}` (and `problems`, the document's, one line each as
/// `cuepoint validate` prints them). Admin calls without the token, or with another, are 401.
/// The hooks carry no token (streaming servers cannot send one): they only say yes or no to a
/// stream key, which is itself the secret; bind the server to an address only they reach, or
/// put the hooks behind your proxy.
struct ShowRoutes: Sendable {
    let registry: ShowRegistry
    let adminToken: BearerToken
    /// The public base URL (no trailing slash), once the server listens.
    let publicBase: @Sendable () -> String
    var base: String { publicBase() }
    /// `rtmp://HOST:PORT/live/` for ingest URLs; nil without an RTMP port.
    let ingest: String?

    /// The largest pipeline document taken, in bytes.
    static let maximumDocumentBytes = 1 << 20

    func register(on router: Router<ServerRequestContext>) {
        let shows = router.group("v1/shows")
        shows.post { request, _ in await admin(request) { await create(request) } }
        shows.get { request, _ in await admin(request) { await list() } }
        shows.get("{id}") { request, context in
            await admin(request) { await one(context.parameters.get("id") ?? "") }
        }
        shows.post("{id}/end") { request, context in
            await admin(request) { await end(context.parameters.get("id") ?? "") }
        }
        shows.delete("{id}") { request, context in
            await admin(request) { await delete(context.parameters.get("id") ?? "") }
        }
        let hooks = router.group("v1/hooks")
        hooks.post("publish") { request, _ in await jsonHook(request, publish: true) }
        hooks.post("unpublish") { request, _ in await jsonHook(request, publish: false) }
        hooks.post("nginx/on_publish") { request, _ in await nginxHook(request, publish: true) }
        hooks.post("srs") { request, _ in await srsHook(request) }
        hooks.post("nginx/on_publish_done") { request, _ in await nginxHook(request, publish: false) }
    }

    // MARK: Control API

    private func create(_ request: Request) async -> Response {
        let text: String
        switch await Self.readText(request, limit: Self.maximumDocumentBytes) {
        case .refused(let refusal): return refusal
        case .text(let body): text = body
        }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let json = type.hasPrefix("application/json") || text.drop { $0.isWhitespace }.hasPrefix("{")
        do throws(ShowError) {
            let show = try await registry.create(document: text, json: json)
            var headers = HTTPFields()
            headers[.location] = "/v1/shows/\(show.id)"
            return Self.json(.created, ShowJSON.encode(ShowJSON(show, base: base, ingest: ingest)), headers: headers)
        } catch {
            return Self.refusal(error)
        }
    }

    private func list() async -> Response {
        struct List: Encodable { var shows: [ShowJSON] }
        let shows = await registry.all.map { ShowJSON($0, base: base, ingest: ingest) }
        return Self.json(.ok, ShowJSON.encode(List(shows: shows)))
    }

    private func one(_ id: String) async -> Response {
        guard let show = await registry.show(id) else { return Self.refusal(.unknown(id)) }
        return Self.json(.ok, ShowJSON.encode(ShowJSON(show, base: base, ingest: ingest)))
    }

    private func end(_ id: String) async -> Response {
        do throws(ShowError) {
            let show = try await registry.end(id)
            return Self.json(.accepted, ShowJSON.encode(ShowJSON(show, base: base, ingest: ingest)))
        } catch {
            return Self.refusal(error)
        }
    }

    private func delete(_ id: String) async -> Response {
        do throws(ShowError) {
            try await registry.delete(id)
            return Response(status: .noContent)
        } catch {
            return Self.refusal(error)
        }
    }

    /// Runs `route` when the request carries the admin token; else 401.
    private func admin(_ request: Request, _ route: () async -> Response) async -> Response {
        let authorization = request.headers[.authorization]
        var response: Response
        if adminToken.admits(authorization: authorization) {
            response = await route()
        } else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] =
                authorization == nil ? #"Bearer realm="cuepoint""# : #"Bearer realm="cuepoint", error="invalid_token""#
            response = Self.error(
                .unauthorized, authorization == nil ? "the control API needs the admin token" : "the token is not the admin token",
                fix: "send `Authorization: Bearer TOKEN` with the token in the server's admin token variable",
                headers: headers)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    // MARK: Hooks

    /// `POST /v1/hooks/publish|unpublish` with `{"app": …, "key": …, "source_url": …}`.
    private func jsonHook(_ request: Request, publish: Bool) async -> Response {
        struct Body: Decodable {
            var app: String
            var key: String
            var sourceURL: String?
            enum CodingKeys: String, CodingKey {
                case app, key
                case sourceURL = "source_url"
            }
        }
        let body: Body
        switch await Self.readHookJSON(request, as: Body.self) {
        case .refused(let refusal): return refusal
        case .malformed:
            return Self.error(
                .badRequest, "the body is not a JSON object with \"app\" and \"key\" strings",
                fix: #"send {"app": "live", "key": "STREAM_KEY", "source_url": "rtmp://127.0.0.1:1935/live/STREAM_KEY"}"#)
        case .decoded(let decoded): body = decoded
        }
        if publish {
            guard let source = body.sourceURL else {
                return Self.error(
                    .badRequest, "\"source_url\" is missing", fix: "send the URL the show's stream can be pulled from")
            }
            return Self.answer(await registry.publishHook(app: body.app, key: body.key, source: source))
        }
        return Self.answer(await registry.unpublishHook(app: body.app, key: body.key))
    }

    /// nginx-rtmp's `on_publish` / `on_publish_done`: a form with `app`, `name` (the key),
    /// `addr`…; the stream is pulled from `rtmp://RTMP/APP/NAME`, where RTMP is the hook URL's
    /// `rtmp` query parameter (default `127.0.0.1:1935`).
    private func nginxHook(_ request: Request, publish: Bool) async -> Response {
        let text: String
        switch await Self.readText(request, limit: 16 * 1024) {
        case .refused(let refusal): return refusal
        case .text(let body): text = body
        }
        let form = Self.form(text)
        guard let app = form["app"], let key = form["name"] else {
            return Self.error(
                .badRequest, "the form has no `app` and `name`", fix: "point nginx-rtmp's on_publish at this URL")
        }
        let rtmp = request.uri.queryParameters.get("rtmp") ?? "127.0.0.1:1935"
        if publish {
            let source = "rtmp://\(rtmp)/\(app)/\(key)"
            return Self.answer(await registry.publishHook(app: app, key: key, source: source))
        }
        return Self.answer(await registry.unpublishHook(app: app, key: key))
    }

    /// SRS's `http_hooks` (`on_publish` and `on_unpublish` at one URL): a JSON object with
    /// `action`, `app`, `stream` (the key), `tcUrl`, `param`…; the stream is pulled from
    /// `rtmp://RTMP/APP/STREAM`, where RTMP is the hook URL's `rtmp` query parameter (default
    /// `127.0.0.1:1935`). SRS goes on only when the answer is 200 with the error code `0` as its
    /// body; a refusal is 403 with the API's JSON error, which SRS takes as a no.
    private func srsHook(_ request: Request) async -> Response {
        struct Body: Decodable {
            var action: String
            var app: String
            var stream: String
        }
        let body: Body
        switch await Self.readHookJSON(request, as: Body.self) {
        case .refused(let refusal): return refusal
        case .malformed:
            return Self.error(
                .badRequest, "the body is not SRS's hook JSON with \"action\", \"app\" and \"stream\" strings",
                fix: "point SRS's http_hooks on_publish and on_unpublish at this URL")
        case .decoded(let decoded): body = decoded
        }
        let decision: HookDecision
        switch body.action {
        case "on_publish":
            let rtmp = request.uri.queryParameters.get("rtmp") ?? "127.0.0.1:1935"
            decision = await registry.publishHook(app: body.app, key: body.stream, source: "rtmp://\(rtmp)/\(body.app)/\(body.stream)")
        case "on_unpublish":
            decision = await registry.unpublishHook(app: body.app, key: body.stream)
        default:
            return Self.error(
                .badRequest, "action \"\(EchoedText.value(body.action, limit: 64))\" is not on_publish or on_unpublish",
                fix: "give this URL to on_publish and on_unpublish only")
        }
        guard case .accepted = decision else { return Self.answer(decision) }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "0")))
    }

    /// A hook's JSON body (16 KiB at most), decoded as `type`.
    enum HookJSON<Body> {
        case decoded(Body)
        /// Too large or unreadable: the answer to give.
        case refused(Response)
        /// Not JSON of that shape: the hook says what it expected.
        case malformed
    }

    static func readHookJSON<Body: Decodable>(_ request: Request, as type: Body.Type) async -> HookJSON<Body> {
        switch await readText(request, limit: 16 * 1024) {
        case .refused(let refusal): return .refused(refusal)
        case .text(let text):
            guard let body = try? JSONDecoder().decode(type, from: Data(text.utf8)) else { return .malformed }
            return .decoded(body)
        }
    }

    private static func answer(_ decision: HookDecision) -> Response {
        switch decision {
        case .accepted(let id):
            return json(.ok, ShowJSON.encode(["show": id]))
        case .refused(let reason):
            return error(.forbidden, reason, fix: "publish with the stream_key of a show that waits for its publisher")
        }
    }

    /// `application/x-www-form-urlencoded` fields (the last of a repeated name wins).
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }

    // MARK: Answers

    static func refusal(_ error: ShowError) -> Response {
        let status: HTTPResponse.Status =
            switch error {
            case .invalidDocument: .badRequest
            case .duplicate, .notOver, .over: .conflict
            case .unknown: .notFound
            case .storage: .internalServerError
            case .stopping: .serviceUnavailable
            }
        if case .invalidDocument(let problems) = error {
            return Self.error(status, error.description, fix: error.fix, problems: problems)
        }
        return Self.error(status, error.description, fix: error.fix)
    }

    static func error(
        _ status: HTTPResponse.Status, _ message: String, fix: String, problems: [String]? = nil,
        headers: HTTPFields = [:]
    ) -> Response {
        struct Body: Encodable {
            var error: String
            var fix: String
            var problems: [String]?
        }
        return json(status, ShowJSON.encode(Body(error: message, fix: fix, problems: problems)), headers: headers)
    }

    static func json(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        MarkerRoutes.json(status, text, headers: headers)
    }

    /// The body as UTF-8 text, or the refusal (413 past `limit`, 400 not UTF-8).
    enum BodyText {
        case text(String)
        case refused(Response)
    }

    static func readText(_ request: Request, limit: Int) async -> BodyText {
        let tooLarge = error(.contentTooLarge, "the body is larger than \(limit) bytes", fix: "send a smaller document")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return .refused(tooLarge)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            guard let text = String(data: Data(buffer.readableBytesView), encoding: .utf8) else {
                return .refused(error(.badRequest, "the body is not UTF-8 text", fix: "send UTF-8 JSON or YAML"))
            }
            return .text(text)
        } catch is NIOTooManyBytesError {
            return .refused(tooLarge)
        } catch {
            return .refused(Self.error(.badRequest, "the body could not be read: \(error)", fix: "send the body again"))
        }
    }
}
