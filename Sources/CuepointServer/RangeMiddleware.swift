import Hummingbird

/// Byte ranges of files as RFC 9110 §14 defines them, in front of Hummingbird's file middleware
/// (which reads `bytes=-N` as the first N + 1 bytes, so `bytes=-0` gave one byte instead of 416).
///
/// A `GET` with one `Range` the server honours (``ByteRangeRequest``) is resolved against the
/// file's length, learnt from a `HEAD` of the same path: satisfiable, it goes on as an explicit
/// `bytes=FIRST-LAST` (206 from the file middleware); unsatisfiable, it is answered here with
/// **416** and `Content-Range: bytes */LENGTH`. Any other `Range` (several ranges, another
/// unit, malformed), a `Range` on `HEAD`, and a `Range` whose `If-Range` does not match the
/// file are ignored: the whole file, 200, as §14.2 allows.
struct RangeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.range] else { return try await next(request, context) }
        var whole = request.head
        whole.headerFields[.range] = nil
        whole.headerFields[.ifRange] = nil
        let wholeRequest = Request(head: whole, body: request.body)
        guard request.method == .get, let range = ByteRangeRequest(header: header) else {
            return try await next(wholeRequest, context)
        }
        var probe = whole
        probe.method = .head
        // Without validators: the length of what a plain GET would answer 200 with.
        probe.headerFields[.ifNoneMatch] = nil
        probe.headerFields[.ifModifiedSince] = nil
        let file = try await next(Request(head: probe, body: request.body), context)
        guard file.status == .ok, let length = file.headers[.contentLength].flatMap(Int.init) else {
            return try await next(wholeRequest, context)
        }
        if let ifRange = request.headers[.ifRange], ifRange != file.headers[.eTag],
            ifRange != file.headers[.lastModified]
        {
            return try await next(wholeRequest, context)
        }
        switch range.resolve(length: length) {
        case .unsatisfiable:
            var headers = HTTPFields()
            headers[.contentRange] = "bytes */\(length)"
            headers[.contentLength] = "0"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .bytes(let bytes):
            var explicit = request.head
            explicit.headerFields[.range] = "bytes=\(bytes.lowerBound)-\(bytes.upperBound)"
            return try await next(Request(head: explicit, body: request.body), context)
        }
    }
}
