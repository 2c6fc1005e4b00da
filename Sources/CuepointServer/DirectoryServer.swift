import Foundation
import Hummingbird
import Logging

/// Serves a directory of HLS output over HTTP.
public struct DirectoryServer: Sendable {
    /// The directory to serve.
    public var directory: String
    /// The address to listen on (loopback by default).
    public var host: String
    public var port: Int

    public init(directory: String, host: String = "127.0.0.1", port: Int = 8080) {
        self.directory = directory
        self.host = host
        self.port = port
    }

    static let playlistType = MediaType(type: .application, subType: "vnd.apple.mpegurl")
    static let transportStreamType = MediaType(type: .video, subType: "mp2t")
    static let segmentType = MediaType(type: .video, subType: "iso.segment")
    static let webVTTType = MediaType(type: .text, subType: "vtt")

    /// Builds the application; `onServerRunning` receives the bound port (useful with port 0).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: CORSMiddleware(allowOrigin: .all, allowMethods: [.get, .head, .options]))
        router.add(middleware: HLSCacheMiddleware())
        let files = FileMiddleware<BasicRequestContext, LocalFileSystem>(
            directory, urlBasePath: nil, searchForIndexHtml: true, logger: Logger(label: "cuepoint.server")
        ).withAdditionalMediaTypes(forFileExtensions: [
            "m3u8": DirectoryServer.playlistType,
            "ts": DirectoryServer.transportStreamType,
            "m4s": DirectoryServer.segmentType,
            "mp4": MediaType(type: .video, subType: "mp4"),
            // Not in Hummingbird's table; WebVTT (chapters.vtt of a replay) is to be served as text/vtt.
            "vtt": DirectoryServer.webVTTType,
        ])
        router.add(middleware: files)
        router.get("healthz") { _, _ in "ok\n" }
        var logger = Logger(label: "cuepoint.server")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "cuepoint"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until the task is cancelled or the process receives SIGINT/SIGTERM.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService()
    }
}

/// Cache headers for HLS: playlists change with every segment, so caches keep them for a
/// second at most; segments and init sections never change once published.
struct HLSCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        let path = request.uri.path
        if path.hasSuffix(".m3u8") {
            response.headers[.cacheControl] = "max-age=1"
        } else if path.hasSuffix(".ts") || path.hasSuffix(".m4s") || path.hasSuffix(".mp4") {
            response.headers[.cacheControl] = "public, max-age=86400, immutable"
        }
        return response
    }
}
