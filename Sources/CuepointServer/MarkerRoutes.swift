import CuepointTime
import Cuepoint
import Foundation
import Hummingbird
import NIOCore
import NIOConcurrencyHelpers

/// The marker API's routes, and the checks every request passes first, in this order:
///
/// 1. the API is on (a token is configured), else 404;
/// 2. the client's address is within its rate, else 429 with `Retry-After`;
/// 3. `Authorization: Bearer TOKEN` matches, else 401 with `WWW-Authenticate: Bearer`;
/// 4. the body fits the size limit, else 413; it is UTF-8 JSON, else 400 with the parser's
///    message; its fields are a marker, else 422 naming each field.
///
/// Markers go through the endpoint's validation and durable log (`MarkerDesk`): an id already
/// used is 409, a marker that cannot be placed 422, a pipeline not running 503. The endpoint
/// syncs its log to disk before it answers, so its calls run on a serial queue of their own,
/// not on one of the cooperative pool's threads.
final class MarkerRoutes: Sendable {
    static let jsonType = "application/json; charset=utf-8"

    let api: MarkerAPI?
    private let token: BearerToken?
    private let metrics: PipelineMetrics?
    private let serverMetrics: ServerMetrics
    private let rateLimit: NIOLockedValueBox<ClientRateLimit>
    private let queue = DispatchQueue(label: "cuepoint.server.markers")
    /// The API of the request's show, for a server of many shows (``init(resolve:serverMetrics:)``).
    private let resolve: (@Sendable (Request, ServerRequestContext) async -> MarkerAPI?)?
    /// The path the routes are under: `v1/markers`, or `shows/{show}/v1/markers`.
    let path: String
    /// The catalogue's path: `v1/products`, or `shows/{show}/v1/products`.
    var productsPath: String { path.replacingOccurrences(of: "v1/markers", with: "v1/products") }

    /// - Parameters:
    ///   - metrics: The pipeline's metrics: refused marker requests are counted there.
    ///   - serverMetrics: Where every response is counted by status code.
    init(api: MarkerAPI?, metrics: PipelineMetrics?, serverMetrics: ServerMetrics) {
        self.api = api
        self.token = api.flatMap { BearerToken($0.token) }
        self.metrics = metrics
        self.serverMetrics = serverMetrics
        self.rateLimit = NIOLockedValueBox(ClientRateLimit(rate: api?.requestsPerSecond ?? 1, burst: api?.burst ?? 1))
        self.resolve = nil
        self.path = "v1/markers"
    }

    /// The marker API of a server of many shows: `/shows/{show}/v1/markers…`, each request
    /// checked against the token of the show it names (`resolve` answers nil for a show that
    /// does not exist: 404). Refused requests are counted in the show's pipeline metrics.
    init(resolve: @escaping @Sendable (Request, ServerRequestContext) async -> MarkerAPI?, serverMetrics: ServerMetrics) {
        self.api = nil
        self.token = nil
        self.metrics = nil
        self.serverMetrics = serverMetrics
        self.rateLimit = NIOLockedValueBox(
            ClientRateLimit(rate: MarkerAPI.defaultRequestsPerSecond, burst: MarkerAPI.defaultBurst))
        self.resolve = resolve
        self.path = "shows/{show}/v1/markers"
    }

    func register(on router: Router<ServerRequestContext>) {
        let markers = router.group(RouterPath(path))
        markers.post { request, context in await self.answer(request, context, self.add) }
        markers.get { request, context in await self.answer(request, context, self.list) }
        markers.get("{id}") { request, context in await self.answer(request, context, self.show) }
        markers.post("{id}/close") { request, context in await self.answer(request, context, self.close) }
        let products = router.group(RouterPath(productsPath))
        products.get { request, context in await self.answer(request, context, self.listProducts) }
        products.put { request, context in await self.answer(request, context, self.replaceProducts) }
    }

    /// The API a request goes to, with its token.
    private func target(_ request: Request, _ context: ServerRequestContext) async -> (api: MarkerAPI, token: BearerToken)? {
        if let resolve {
            guard let api = await resolve(request, context), let token = BearerToken(api.token) else { return nil }
            return (api, token)
        }
        guard let api, let token else { return nil }
        return (api, token)
    }

    /// Where a placed marker can be read again (the `Location` of a 201).
    private func location(of id: String, _ context: ServerRequestContext) -> String {
        guard resolve != nil, let show = context.parameters.get("show") else { return "/v1/markers/\(id)" }
        return "/shows/\(show)/v1/markers/\(id)"
    }

    // MARK: Routes

    /// `POST /v1/markers`: one marker object; 201 with the placed marker.
    private func add(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        let text: String
        switch await readBody(request, limit: api.maximumBodyBytes) {
        case .refused(let refusal):
            rejected(api)
            return refusal
        case .text(let body):
            text = body
        }
        let marker: Marker
        switch MarkerRequestBody.marker(from: text) {
        case .failure(.malformed(let message)):
            rejected(api)
            return Self.error(.badRequest, "api: \(message)", fix: Self.exampleFix)
        case .failure(.invalid(let problems)):
            rejected(api)
            return Self.problems(.unprocessableContent, problems)
        case .success(let decoded):
            marker = decoded
        }
        let catalogue = api.products.catalogue
        if !catalogue.cards.isEmpty, catalogue.card(marker.product) == nil {
            rejected(api)
            return Self.unknownProduct(marker, catalogue)
        }
        guard api.endpoint.acceptsMarkers else {
            rejected(api)
            return Self.notRunning()
        }
        let endpoint = api.endpoint
        switch await onQueue({ () throws(MarkerProblems) in try endpoint.addMarker(marker) }) {
        case .success(let placed):
            var headers = HTTPFields()
            headers[.location] = location(of: placed.id, context)
            return Self.json(.created, placed.jsonText, headers: headers)
        case .failure(let problems):
            let status: HTTPResponse.Status
            if problems.problems.contains(where: { $0.field == "id" }) {
                status = .conflict  // the body was decoded already: an id problem now is a duplicate
            } else if problems.problems.allSatisfy({ $0.field == nil }) {
                status = problems.problems.contains { $0.id == nil } ? .serviceUnavailable : .internalServerError
            } else {
                status = .unprocessableContent
            }
            return Self.problems(status, problems)
        }
    }

    /// `POST /v1/markers/{id}/close`: `{"end": …}`, `{"duration": …}` or nothing (now); 200.
    private func close(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let existing = api.endpoint.markers.first(where: { $0.id == id }) else {
            rejected(api)
            return Self.unknown(id)
        }
        guard existing.isOpen else {
            rejected(api)
            return Self.alreadyClosed(existing)
        }
        let text: String
        switch await readBody(request, limit: api.maximumBodyBytes) {
        case .refused(let refusal):
            rejected(api)
            return refusal
        case .text(let body):
            text = body
        }
        let end: MarkerEnd?
        switch MarkerRequestBody.end(from: text, closing: id) {
        case .failure(.malformed(let message)):
            rejected(api)
            return Self.error(
                .badRequest, "api: \(message)", fix: #"send {"end": TIME}, {"duration": SECONDS} or nothing (now)"#)
        case .failure(.invalid(let problems)):
            rejected(api)
            return Self.problems(.unprocessableContent, problems)
        case .success(let value):
            end = value
        }
        guard api.endpoint.acceptsMarkers else {
            rejected(api)
            return Self.notRunning()
        }
        let endpoint = api.endpoint
        switch await onQueue({ () throws(MarkerProblems) in try endpoint.closeMarker(id: id, end: end) }) {
        case .success(let closed):
            return Self.json(.ok, closed.jsonText)
        case .failure(let problems):
            let status: HTTPResponse.Status =
                if problems.problems.contains(where: { $0.field != nil }) {
                    .unprocessableContent
                } else if problems.problems.contains(where: { $0.id == nil }) {
                    .serviceUnavailable
                } else {
                    .conflict  // closed meanwhile
                }
            return Self.problems(status, problems)
        }
    }

    /// `GET /v1/markers`: every placed marker, by start, as a JSON array.
    private func list(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        Self.json(.ok, "[" + api.endpoint.markers.map(\.jsonText).joined(separator: ",") + "]")
    }

    /// `GET /v1/markers/{id}`: one placed marker.
    private func show(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let marker = api.endpoint.markers.first(where: { $0.id == id }) else { return Self.unknown(id) }
        return Self.json(.ok, marker.jsonText)
    }

    // MARK: Checks

    /// Runs the checks every route shares, then the route; counts the response.
    private func answer(
        _ request: Request, _ context: ServerRequestContext,
        _ route: (Request, ServerRequestContext, MarkerAPI) async -> Response
    ) async -> Response {
        var response: Response
        if let target = await target(request, context) {
            if let refusal = check(request, context, target.api, target.token) {
                response = refusal
            } else {
                response = await route(request, context, target.api)
            }
        } else {
            response = resolve == nil ? Self.disabled() : Self.noShow(context.parameters.get("show") ?? "")
        }
        response.headers[.cacheControl] = "no-store"
        serverMetrics.markerAPIResponded(response.status.code)
        return response
    }

    /// Counts a refused marker request in the metrics of the pipeline concerned.
    func rejected(_ api: MarkerAPI) {
        let metrics = resolve == nil ? self.metrics : (api.endpoint as? PipelineRunner)?.metrics
        metrics?.markersRejected(from: .api)
    }

    /// The client within its rate, and the token right; or the refusal.
    private func check(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI, _ token: BearerToken)
        -> Response?
    {
        let now = DispatchTime.now().uptimeNanoseconds
        if case .limited(let wait) = rateLimit.withLockedValue({ $0.admit(context.clientAddress, now: now) }) {
            let seconds = max(1, (wait + 999_999_999) / 1_000_000_000)
            var headers = HTTPFields()
            headers[.retryAfter] = String(seconds)
            return Self.error(
                .tooManyRequests, "too many requests from \(context.clientAddress)",
                fix:
                    "wait \(seconds) s; at most \(Self.rate(api.requestsPerSecond)) requests a second (\(api.burst) at once) per client",
                headers: headers)
        }
        let authorization = request.headers[.authorization]
        guard token.admits(authorization: authorization) else {
            var headers = HTTPFields()
            // RFC 6750 §3: no error code when no credentials were sent.
            headers[.wwwAuthenticate] =
                authorization == nil ? #"Bearer realm="cuepoint""# : #"Bearer realm="cuepoint", error="invalid_token""#
            return Self.error(
                .unauthorized, authorization == nil ? "the marker API needs a token" : "the token is not the server's",
                fix: resolve == nil
                    ? "send `Authorization: Bearer TOKEN` with the token the server was started with"
                    : "send `Authorization: Bearer TOKEN` with the marker_token of this show (each show has its own)",
                headers: headers)
        }
        return nil
    }

    /// 404 for the marker API of a show that does not exist.
    static func noShow(_ id: String) -> Response {
        error(
            .notFound, "no show \"\(EchoedText.value(id, limit: 64))\"",
            fix: "list the shows with GET /v1/shows (admin token)")
    }

    enum Body {
        case text(String)
        case refused(Response)
    }

    /// The body as text, or the refusal: 413 past `limit` bytes, 400 when it is not UTF-8.
    func readBody(_ request: Request, limit: Int) async -> Body {
        let tooLarge = Self.error(
            .contentTooLarge, "the body is larger than \(limit) bytes",
            fix: "send one marker; a marker takes at most \(MarkerDecoder.maximumBytes) bytes as compact JSON")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return .refused(tooLarge)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return .refused(tooLarge)
        } catch {
            return .refused(Self.error(.badRequest, "the body could not be read: \(error)", fix: "send the body again"))
        }
        guard let text = String(data: Data(buffer.readableBytesView), encoding: .utf8) else {
            return .refused(Self.error(.badRequest, "api: the body is not UTF-8 text", fix: Self.exampleFix))
        }
        return .text(text)
    }

    /// Runs an endpoint call on the API's serial queue (it syncs the marker log to disk).
    private func onQueue(
        _ call: @escaping @Sendable () throws(MarkerProblems) -> PlacedMarker
    ) async -> Result<PlacedMarker, MarkerProblems> {
        await withCheckedContinuation { continuation in
            queue.async {
                do throws(MarkerProblems) {
                    continuation.resume(returning: .success(try call()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
    }

    // MARK: Responses

    /// `20`, `0.5`: the rate as a person writes it.
    static func rate(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static let exampleFix =
        #"send one JSON object in the marker format of docs/markers.md, such as {"title":"Mug","url":"https://shop.example/mug"}"#

    static func disabled() -> Response {
        error(
            .notFound, "the marker API is not enabled on this server",
            fix: "start the server with a token: cuepoint segment … --serve HOST:PORT --token-env NAME")
    }

    static func notRunning() -> Response {
        var headers = HTTPFields()
        headers[.retryAfter] = "1"
        return error(
            .serviceUnavailable, "api: the pipeline is not running", fix: "markers are taken while the pipeline runs",
            headers: headers)
    }

    static func unknown(_ id: String) -> Response {
        error(.notFound, "api: no marker has the id \"\(id)\"", field: "id", fix: "GET /v1/markers lists the ids")
    }

    static func alreadyClosed(_ marker: PlacedMarker) -> Response {
        let seconds = SecondsText.fixed(milliseconds: marker.durationMilliseconds ?? 0)
        return error(
            .conflict, "api: marker \"\(marker.id)\" is already closed (after \(seconds) s)",
            fix: "a marker is closed once; add a new marker for a new appearance")
    }

    /// A JSON error for every problem of a marker: `error` (every problem, one per line),
    /// `field` (the first named), `fix`, and `problems` (each with field, message, suggestion).
    static func problems(_ status: HTTPResponse.Status, _ problems: MarkerProblems) -> Response {
        let field = problems.problems.first { $0.field != nil }?.field
        let fix: String
        if let suggestion = problems.problems.lazy.compactMap(\.suggestion).first {
            fix = "did you mean `\(suggestion)`?"
        } else if status == .conflict, field == "id" {
            fix = #"choose another id, or leave "id" out to have one generated"#
        } else if status == .serviceUnavailable {
            fix = "markers are taken while the pipeline runs"
        } else if let field {
            fix = "correct \"\(field)\"; docs/markers.md gives the rules of every field"
        } else if status == .unprocessableContent {
            fix = exampleFix
        } else {
            fix = "see the server's log"
        }
        return error(status, problems.description, field: field, fix: fix, problems: problems.problems)
    }

    static func error(
        _ status: HTTPResponse.Status, _ message: String, field: String? = nil, fix: String,
        problems: [MarkerProblem] = [], headers: HTTPFields = [:]
    ) -> Response {
        let body = ErrorBody(
            error: message, field: field, fix: fix,
            problems: problems.isEmpty
                ? nil
                : problems.map { ErrorBody.Problem(field: $0.field, message: $0.message, suggestion: $0.suggestion) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"error":"?"}"#
        return json(status, text, headers: headers)
    }

    static func json(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = jsonType
        let bytes = Array((text + "\n").utf8)
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    struct ErrorBody: Encodable {
        struct Problem: Encodable {
            var field: String?
            var message: String
            var suggestion: String?
        }

        var error: String
        var field: String?
        var fix: String
        var problems: [Problem]?
    }
}
