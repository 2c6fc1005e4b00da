import Foundation
import Hummingbird
import NIOCore

/// Compresses playlists (`.m3u8`) with gzip for clients that accept it, and says so with
/// `Vary: Accept-Encoding` on every playlist response so shared caches keep both forms apart.
///
/// Playlists are text that repeats itself (a 6-segment live window compresses about 4:1) and
/// are fetched every target duration by every player. Segments are never compressed: TS and
/// fMP4 hold compressed media already, and byte ranges must address the file as stored.
///
/// The compressed form has its own ETag (the file's with `-gzip` inside the quotes); a
/// conditional request with that ETag is matched against the file's, so 304s keep working.
struct PlaylistCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Playlists larger than this are sent as they are (a recording of a few days).
    static var maximumBytes: Int { 8 << 20 }
    static var etagSuffix: String { "-gzip" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path.hasSuffix(".m3u8") else { return try await next(request, context) }
        let compress =
            request.method == .get && Gzip.isAccepted(byAcceptEncoding: request.headers[values: .acceptEncoding])
        var request = request
        if compress {
            // The client may hold the compressed form's ETag: compare the file's.
            let tags = request.headers[values: .ifNoneMatch]
            if tags.contains(where: { $0.contains(Self.etagSuffix) }) {
                var head = request.head
                head.headerFields[values: .ifNoneMatch] = tags.map {
                    $0.replacingOccurrences(of: Self.etagSuffix, with: "")
                }
                request = Request(head: head, body: request.body)
            }
        }
        var response = try await next(request, context)
        response.headers[values: .vary] = (response.headers[values: .vary] + ["Accept-Encoding"])
        guard compress, response.headers[.contentEncoding] == nil else { return response }
        switch response.status {
        case .notModified:
            response.headers[.eTag] = response.headers[.eTag].map(Self.compressedETag)
            return response
        case .ok:
            break
        default:
            return response
        }
        if let length = response.body.contentLength, length > Self.maximumBytes { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        guard collector.bytes.readableBytes <= Self.maximumBytes else {
            response.body = ResponseBody(byteBuffer: collector.bytes)
            return response
        }
        let compressed = try Gzip.compress(collector.bytes)
        response.body = ResponseBody(byteBuffer: compressed)
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.readableBytes)
        response.headers[.eTag] = response.headers[.eTag].map(Self.compressedETag)
        // Byte ranges would address the compressed bytes; playlists are small: whole only.
        response.headers[.acceptRanges] = "none"
        return response
    }

    /// `"abc"` → `"abc-gzip"`, `W/"abc"` → `W/"abc-gzip"`.
    static func compressedETag(_ tag: String) -> String {
        guard tag.hasSuffix("\""), !tag.contains(etagSuffix) else { return tag }
        return String(tag.dropLast()) + etagSuffix + "\""
    }
}

/// Gathers a response body written by a middleware further in (a file's bytes).
///
/// A class so the bytes survive the writer being consumed by `finish`; used by one task.
private final class BodyCollector: ResponseBodyWriter {
    private(set) var bytes = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        bytes.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
