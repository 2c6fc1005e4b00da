public import Cuepoint
import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import Prometheus
import NIOConcurrencyHelpers

/// `cuepoint server`: many shows in one process, on one HTTP port and (with `--rtmp`) one RTMP
/// port. Put ``application(onServerRunning:)`` and ``registry`` in one `ServiceGroup`, the
/// application first: a graceful shutdown then finalises every show before the HTTP server stops.
///
/// | path | what | auth |
/// |---|---|---|
/// | `/v1/shows…` | the control API (``ShowRoutes``) | admin token |
/// | `/v1/hooks/…` | publish hooks of streaming servers in front | the stream key |
/// | `/shows/{id}/…` | the show's recording and replay files (LL-HLS when configured) | none |
/// | `/shows/{id}/v1/markers…` | the show's marker API | the show's marker token |
/// | `/metrics` | every show's metrics, labelled `show` | none |
/// | `/openapi.json` | the OpenAPI 3.1 document of the APIs | none |
/// | `/healthz` | `ok` | none |
public final class ShowServer: Sendable {
    public let configuration: ShowServerConfiguration
    public let registry: ShowRegistry
    private let adminToken: BearerToken
    private let export = PrometheusExport()
    private let boundPort = NIOLockedValueBox<Int?>(nil)
    private let logger: Logger

    /// Starts the RTMP port (when configured) and makes the registry; nothing listens for
    /// HTTP until the application runs.
    ///
    /// - Throws: `CuepointError` for an empty admin token or an RTMP address that cannot be listened on.
    public init(configuration: ShowServerConfiguration, adminToken: String, logger: Logger) throws(CuepointError) {
        guard let token = BearerToken(adminToken) else {
            throw CuepointError(
                subject: configuration.adminTokenEnvironmentVariable, message: "the admin token is empty",
                fix: "set \(configuration.adminTokenEnvironmentVariable) to a long random secret (32+ characters)")
        }
        let listener = try configuration.rtmp.map { address throws(CuepointError) in
            try SharedRTMPListener(host: address.host, port: address.port)
        }
        self.configuration = configuration
        self.adminToken = token
        self.logger = logger
        self.registry = ShowRegistry(
            configuration: configuration, listener: listener, metricsFactory: export.factory, logger: logger)
    }

    /// The HTTP port listened on, once the application runs (the chosen one for port 0).
    public var port: Int? { boundPort.withLockedValue { $0 } }

    /// The base of the URLs in answers: ``ShowServerConfiguration/publicURL``, or the address listened on.
    public var publicBase: String {
        if let url = configuration.publicURL { return url.hasSuffix("/") ? String(url.dropLast()) : url }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port ?? configuration.port)"
    }

    /// `rtmp://HOST:PORT/live/` for ingest URLs; nil without an RTMP port.
    public var ingestBase: String? {
        guard let listener = registry.listener else { return nil }
        var host = configuration.rtmpPublicHost ?? listener.host
        if host == "0.0.0.0" || host == "::" { host = "127.0.0.1" }
        if host.contains(":") { host = "[\(host)]" }
        return "rtmp://\(host):\(listener.port)/\(ShowServerConfiguration.rtmpApplication)/"
    }

    /// Lets go of the RTMP port (after the registry has stopped).
    public func close() { registry.listener?.close() }

    /// `METHOD /path` of every route the server registers (paths as the router writes them,
    /// parameters as `{name}`), for comparing with the OpenAPI document.
    public var registeredRoutes: [String] {
        router().routes.map { "\($0.method.rawValue) \($0.path)" }
    }

    /// The HTTP application; `onServerRunning` receives the bound port.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        var quietLogger = logger
        quietLogger.logLevel = .warning
        return Application(
            router: router(),
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(60))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "cuepoint",
                availableConnectionsDelegate: MaximumAvailableConnections(ConnectionLimits().maximumConnections)),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                boundPort.withLockedValue { $0 = port }
                await onServerRunning(port)
            },
            logger: quietLogger)
    }

    func router() -> Router<ServerRequestContext> {
        var quietLogger = logger
        quietLogger.logLevel = .warning
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: PathGuardMiddleware())
        router.add(
            middleware: CORSMiddleware(
                allowOrigin: .all, allowHeaders: [.accept, .authorization, .contentType, .origin],
                allowMethods: [.get, .head, .post, .put, .delete, .options]))
        router.add(middleware: MethodNotAllowedMiddleware())
        router.add(middleware: HLSCacheMiddleware())
        router.add(middleware: PlaylistCompressionMiddleware())
        let serverMetrics = ServerMetrics(factory: export.factory, dimensions: [], lowLatency: true)
        router.add(middleware: ShowFilesMiddleware(registry: registry, serverMetrics: serverMetrics, logger: quietLogger))
        router.get("healthz") { _, _ in "ok\n" }
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        let registry = self.registry
        router.get("metrics") { [export] _, _ in
            var headers = HTTPFields()
            headers[.contentType] = PrometheusExport.contentType
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: export.registry.emitToBuffer())))
        }
        ShowRoutes(
            registry: registry, adminToken: adminToken, publicBase: { [self] in publicBase }, ingest: ingestBase
        ).register(on: router)
        MarkerRoutes(
            resolve: { _, context in await registry.markerAPI(context.parameters.get("show") ?? "") },
            serverMetrics: serverMetrics
        ).register(on: router)
        ConsoleRoutes(path: "shows/{show}/console") { _, context in
            await registry.consoleAvailability(context.parameters.get("show") ?? "")
        }.register(on: router)
        return router
    }
}
