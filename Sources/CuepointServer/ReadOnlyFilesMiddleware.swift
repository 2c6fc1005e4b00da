import Cuepoint
import Foundation
import HTTPTypes
import Hummingbird

/// The files a directory server serves are read-only: a method other than GET, HEAD or OPTIONS
/// on a path that names a file or folder there answers 405 with `Allow: GET, HEAD` (RFC 9110
/// §15.5.6), not the 404 of a path that does not exist. Paths of the API (`/v1/…`) are not files
/// and go on to their routes.
///
/// Runs after ``PathGuardMiddleware``, so the path is already known to stay inside the directory.
struct ReadOnlyFilesMiddleware<Context: RequestContext>: RouterMiddleware {
    let directory: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let method = request.method
        guard method != .get, method != .head, method != .options, names(request.uri.path) else {
            return try await next(request, context)
        }
        var headers = HTTPFields()
        headers[.allow] = "GET, HEAD"
        return ShowRoutes.error(
            .methodNotAllowed,
            "\(method.rawValue) is not a method of \(EchoedText.value(request.uri.path, limit: 200)): the served files are read-only",
            fix: "use GET or HEAD", headers: headers)
    }

    /// Whether `path` (percent-decoded once, as the file lookup decodes it) names something in the directory.
    private func names(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding, decoded != "/", !decoded.isEmpty else { return false }
        return FileManager.default.fileExists(atPath: directory + (decoded.hasPrefix("/") ? decoded : "/" + decoded))
    }
}
