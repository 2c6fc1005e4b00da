import Cuepoint
import Foundation
import Hummingbird
import Logging

/// Serves each show's files under `/shows/{id}/`: the recording (`master.m3u8`, playlists,
/// segments; LL-HLS playlists and parts when the show cuts parts) and, under
/// `/shows/{id}/replay/`, its replay package. The marker API (`/shows/{id}/v1/…`) and the
/// console (`/shows/{id}/console`) are left to the router.
///
/// The request goes on, with its path made relative to the show's folder, through the same
/// middleware a single recording's server uses (LL-HLS, byte ranges, files); the path guard
/// and the cache and compression middleware of the server have already seen it.
struct ShowFilesMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let registry: ShowRegistry
    let serverMetrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard path.hasPrefix("/shows/") else { return try await next(request, context) }
        let parts = path.dropFirst("/shows/".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let id = String(parts[0])
        var rest = parts.count > 1 ? String(parts[1]) : ""
        if rest.hasPrefix("v1/") || rest == "v1" || rest == "console" { return try await next(request, context) }
        guard let folders = await registry.folders(id) else { throw HTTPError(.notFound) }
        var root = folders.recording
        var partStore = folders.partStore
        if rest == "replay" || rest.hasPrefix("replay/") {
            guard let replay = folders.replay else { throw HTTPError(.notFound) }
            root = replay
            rest = String(rest.dropFirst("replay".count).drop { $0 == "/" })
            partStore = nil
        }
        var head = request.head
        head.path = "/" + rest + (request.uri.query.map { "?" + $0 } ?? "")
        let relative = Request(head: head, body: request.body)
        let files = FileMiddleware<Context, LocalFileSystem>(
            root.path, urlBasePath: nil, searchForIndexHtml: true, logger: logger
        ).withAdditionalMediaTypes(forFileExtensions: DirectoryServer.mediaTypes)
        let ranges = RangeMiddleware<Context>()
        let served: (Request, Context) async throws -> Response = { request, context in
            try await ranges.handle(request, context: context) { request, context in
                try await files.handle(request, context: context) { _, _ in throw HTTPError(.notFound) }
            }
        }
        if let partStore {
            return try await LowLatencyMiddleware<Context>(store: partStore, metrics: serverMetrics).handle(
                relative, context: context, next: served)
        }
        return try await served(relative, context)
    }
}
