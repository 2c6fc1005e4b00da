import Foundation
import Hummingbird

/// Refuses paths that try to leave the served directory: a `..` segment, written plainly or
/// percent-encoded (`%2e%2e`, `%2E.`), a backslash or a NUL byte, before any file is looked up.
/// The answer is 404, as for any file that is not there: nothing outside is, as far as a
/// client can tell.
struct PathGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.isSafe(request.uri.path) else { throw HTTPError(.notFound) }
        return try await next(request, context)
    }

    /// Whether the path, percent-decoded once (as the file lookup decodes it), stays inside.
    static func isSafe(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding else { return false }
        if decoded.contains("\0") || decoded.contains("\\") { return false }
        return !decoded.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }
}
