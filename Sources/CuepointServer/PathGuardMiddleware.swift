import Foundation
import Hummingbird

/// Refuses, before any file is looked up:
///
/// - paths that try to leave the served directory: a `..` segment, written plainly or
///   percent-encoded (`%2e%2e`, `%2E.`), a backslash or a NUL byte;
/// - the files of a recording that are not for players (``privateFileNames``): the marker log
///   `markers.jsonl` holds every accepted marker, including those not yet published (a start
///   in the future, an embargoed product), and is read through the marker API
///   (`GET /v1/markers`, behind its token) instead.
///
/// The answer is 404, as for any file that is not there: nothing outside is, as far as a
/// client can tell.
struct PathGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// File names never served, in any folder and in any case (a case-insensitive file system
    /// would find `MARKERS.JSONL`).
    static var privateFileNames: Set<String> { ["markers.jsonl"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.isSafe(request.uri.path) else { throw HTTPError(.notFound) }
        return try await next(request, context)
    }

    /// Whether the path, percent-decoded once (as the file lookup decodes it), stays inside and
    /// names no private file.
    static func isSafe(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding else { return false }
        if decoded.contains("\0") || decoded.contains("\\") { return false }
        let components = decoded.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return false }
        return !components.contains { privateFileNames.contains($0.lowercased()) }
    }
}
