public import Cuepoint
import Foundation
public import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
public import Prometheus
import ServiceLifecycle

/// Serves a directory of HLS output over HTTP, and, beside the files of a running recording,
/// `/metrics` and the marker API.
///
/// | path | what | auth |
/// |---|---|---|
/// | `/…` | the files: playlists (gzip on request), segments, init sections | none |
/// | `/healthz` | `ok` | none |
/// | `/metrics` | Prometheus text (with ``metricsRegistry``) | none |
/// | `/v1/markers…`, `/v1/products` | the marker API and the console's catalogue (with ``markerAPI``; else 404) | bearer token |
/// | `/console` | the producer console (``ConsolePage``; a page saying why not without ``markerAPI``) | the token, typed in the page |
public struct DirectoryServer: Sendable {
    /// The directory to serve.
    public var directory: String
    /// The address to listen on (loopback by default).
    public var host: String
    public var port: Int
    /// The marker API; nil leaves it off (404).
    public var markerAPI: MarkerAPI?
    /// The pipeline's metrics: brought up to date before each scrape, and the factory and
    /// dimensions the server's own metrics (marker API and LL-HLS responses) are made with; nil:
    /// the server's go to `MetricsSystem.factory`.
    public var metrics: PipelineMetrics?
    /// The registry `/metrics` renders (``PrometheusExport/registry``); nil: no `/metrics`.
    public var metricsRegistry: PrometheusCollectorRegistry?
    /// LL-HLS: low-latency playlists, blocking reload and parts from memory; nil: files only.
    public var partStore: PartStore?
    /// The idle (and header read) timeout and the connection limit.
    public var limits: ConnectionLimits

    public init(
        directory: String, host: String = "127.0.0.1", port: Int = 8080, markerAPI: MarkerAPI? = nil,
        metrics: PipelineMetrics? = nil, metricsRegistry: PrometheusCollectorRegistry? = nil,
        partStore: PartStore? = nil, limits: ConnectionLimits = ConnectionLimits()
    ) {
        self.directory = directory
        self.host = host
        self.port = port
        self.markerAPI = markerAPI
        self.metrics = metrics
        self.metricsRegistry = metricsRegistry
        self.partStore = partStore
        self.limits = limits
    }

    static let playlistType = MediaType(type: .application, subType: "vnd.apple.mpegurl")
    static let transportStreamType = MediaType(type: .video, subType: "mp2t")
    static let segmentType = MediaType(type: .video, subType: "iso.segment")
    static let webVTTType = MediaType(type: .text, subType: "vtt")
    /// The media types of HLS files, beside Hummingbird's table.
    static let mediaTypes: [String: MediaType] = [
        "m3u8": DirectoryServer.playlistType,
        "ts": DirectoryServer.transportStreamType,
        "m4s": DirectoryServer.segmentType,
        "mp4": MediaType(type: .video, subType: "mp4"),
        // Not in Hummingbird's table; WebVTT (chapters.vtt of a replay) is to be served as text/vtt.
        "vtt": DirectoryServer.webVTTType,
    ]

    /// Builds the application; `onServerRunning` receives the bound port (useful with port 0).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        var quietLogger = Logger(label: "cuepoint.server")
        quietLogger.logLevel = .warning
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: PathGuardMiddleware())
        // Bearer tokens are not ambient credentials (unlike cookies), so any origin may call the
        // marker API from a browser; it still needs the token.
        router.add(
            middleware: CORSMiddleware(
                allowOrigin: .all, allowHeaders: [.accept, .authorization, .contentType, .origin],
                allowMethods: [.get, .head, .post, .put, .options]))
        router.add(middleware: HLSCacheMiddleware())
        router.add(middleware: PlaylistCompressionMiddleware())
        let files = FileMiddleware<ServerRequestContext, LocalFileSystem>(
            directory, urlBasePath: nil, searchForIndexHtml: true, logger: quietLogger
        ).withAdditionalMediaTypes(forFileExtensions: DirectoryServer.mediaTypes)
        let serverMetrics = ServerMetrics(
            factory: metrics?.factory, dimensions: metrics?.dimensions ?? [], lowLatency: partStore != nil)
        if let partStore { router.add(middleware: LowLatencyMiddleware(store: partStore, metrics: serverMetrics)) }
        router.add(middleware: RangeMiddleware())
        router.add(middleware: ReadOnlyFilesMiddleware(directory: directory))
        router.add(middleware: files)
        router.get("healthz") { _, _ in "ok\n" }
        let markerRoutes = MarkerRoutes(api: markerAPI, metrics: metrics, serverMetrics: serverMetrics)
        markerRoutes.register(on: router)
        ConsoleRoutes.single(api: markerAPI, title: URL(fileURLWithPath: directory).lastPathComponent)
            .register(on: router)
        if let metricsRegistry {
            router.get("metrics") { [metrics] _, _ in
                // The gauges that follow the wall clock (bitrate, fall-behind) are as of now.
                metrics?.refresh(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds)
                var headers = HTTPFields()
                headers[.contentType] = PrometheusExport.contentType
                headers[.cacheControl] = "no-store"
                return Response(
                    status: .ok, headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: metricsRegistry.emitToBuffer())))
            }
        }
        let timeout = limits.idleTimeout.components
        return Application(
            router: router,
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    idleTimeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "cuepoint",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: quietLogger)
    }

    /// Serves until the task is cancelled or the process receives SIGINT/SIGTERM.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService()
    }

}

/// Cache headers for HLS: playlists change with every segment, so caches keep them for a
/// second at most; segments and init sections never change once published. Everything else
/// (a replay's `replay.mp4`, clips, thumbnails, JSON and WebVTT files, the page) may be
/// replaced by a later export under the same name (`cuepoint replay --force`), so caches must
/// revalidate it (ETag, 304).
struct HLSCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        let path = request.uri.path
        if path.hasSuffix(".m3u8") {
            response.headers[.cacheControl] = "max-age=1"
        } else if (path.hasSuffix(".ts") || path.hasSuffix(".m4s") || Self.isInitSection(path))
            && (200..<400).contains(response.status.code)
        {
            // Segments, parts and init sections never change once published; a refusal (an LL-HLS
            // part that is gone or not complete yet) must not be cached.
            response.headers[.cacheControl] = "public, max-age=86400, immutable"
        } else if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-cache"
        }
        return response
    }

    /// `init.mp4` or `init_N.mp4` (one per epoch of an fMP4 recording).
    static func isInitSection(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasPrefix("init") && name.hasSuffix(".mp4")
    }
}
