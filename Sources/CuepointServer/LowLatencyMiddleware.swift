import Cuepoint
import Dispatch
import Hummingbird
import NIOCore

/// LL-HLS in front of the files: a rendition's `index.m3u8` and `live.m3u8` rendered from the
/// ``PartStore`` with parts, preload hint and rendition reports (and EXT-X-SKIP for delta
/// updates), blocking until `_HLS_msn`/`_HLS_part` exist; and parts (`part_000042.m4s`) served
/// from memory. Everything else goes on to the files.
///
/// | request | answer |
/// |---|---|
/// | playlist, no directives | 200, the low-latency playlist now |
/// | `_HLS_msn=M[&_HLS_part=P]` | 200 once segment M (part P) is published |
/// | `_HLS_part` alone, a non-integer, M more than two segments ahead, P beyond the Advance Part Limit | 400 |
/// | `_HLS_skip=YES\|v2` on a playlist without CAN-SKIP-UNTIL, or another value | 400 |
/// | not published after three target durations | 503 |
/// | a part in memory | 200 |
/// | the preload-hinted part | 200 when complete; 503 after three target durations |
/// | any other part (older than what is kept, or not the next one) | 404 |
///
/// Waiting requests hold no thread: they are continuations in the store, resumed by the pipeline.
///
/// Every answer it gives is counted by status (``ServerMetrics``): each part request, and each
/// playlist request with delivery directives (`_HLS_msn`, `_HLS_part`, `_HLS_skip`), including
/// the 400 for directives that cannot be read.
struct LowLatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: PartStore
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let components = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        guard components.count == 2, store.renditionNames.contains(String(components[0])) else {
            return try await next(request, context)
        }
        let rendition = String(components[0])
        let file = String(components[1])
        if let kind = RecordingLayout.playlistKind(named: file) {
            let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let hasDirectives = query.contains { $0.0.hasPrefix("_HLS_") }
            guard let response = await playlist(rendition: rendition, kind: kind, query: query) else {
                return try await next(request, context)
            }
            if hasDirectives { metrics.playlistRequestAnswered(Int(response.status.code)) }
            return response
        }
        guard RecordingLayout.partNumber(file) != nil else { return try await next(request, context) }
        let response = await part(rendition: rendition, file: file)
        metrics.partRequestAnswered(Int(response.status.code))
        return response
    }

    /// The low-latency playlist, or a refusal; nil when the store does not have it (a playlist
    /// kind the rendition does not write: the files answer).
    private func playlist(rendition: String, kind: PlaylistKind, query: [(String, String)]) async -> Response? {
        let directives: DeliveryDirectives
        do {
            directives = try DeliveryDirectives(query: query)
        } catch {
            return Self.text(.badRequest, error.description)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        switch await store.playlist(rendition: rendition, kind: kind, directives: directives) {
        case .playlist(let text):
            if directives.sequence != nil { measureWait(rendition: rendition, since: started) }
            var headers = HTTPFields()
            headers[.contentType] = DirectoryServer.playlistType.description
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case .beyondRules(let message): return Self.text(.badRequest, message)
        case .notPublishedInTime(let message): return Self.text(.serviceUnavailable, message)
        case .noSuchPlaylist: return nil
        }
    }

    /// A part from memory, or a refusal.
    private func part(rendition: String, file: String) async -> Response {
        switch await store.part(rendition: rendition, uri: file) {
        case .part(let bytes):
            var headers = HTTPFields()
            headers[.contentType] = DirectoryServer.segmentType.description
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .noSuchPart:
            return Self.text(.notFound, "\(file): no such part in memory (parts are kept for a few segments)")
        case .notCompletedInTime:
            return Self.text(.serviceUnavailable, "\(file): not complete within three target durations")
        }
    }

    /// For a blocking request that waited (a part completed after it arrived): the time from the
    /// newest part's completion, which answered it, to now.
    private func measureWait(rendition: String, since started: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let newest = store.newestPartCompletedAt(rendition: rendition), newest >= started, now >= newest else {
            return
        }
        metrics.blockingRequestAnswered(afterPartNanoseconds: now - newest)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
