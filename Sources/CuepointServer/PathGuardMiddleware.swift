import Cuepoint
import Foundation
import Hummingbird

/// Refuses, before any file is looked up:
///
/// - paths that try to leave the served directory: a `..` segment, written plainly or
///   percent-encoded (`%2e%2e`, `%2E.`), a backslash or a NUL byte;
/// - the files of a recording that are not for players (``privateFileNames``): the marker log
///   `markers.jsonl` holds every accepted marker, including those not yet published (a start
///   in the future, an embargoed product), and is read through the marker API
///   (`GET /v1/markers`, behind its token) instead; the console's kept catalogue
///   `console-products.json` may list products not yet announced (`GET /v1/products`).
///
/// The answer is 404, as for any file that is not there: nothing outside is, as far as a
/// client can tell.
struct PathGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// File names never served, in any folder and in any case (a case-insensitive file system
    /// would find `MARKERS.JSONL`).
    static var privateFileNames: Set<String> { [RecordingLayout.markerLog, RecordingLayout.productCatalogue] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.isSafe(request.uri.path) else { throw HTTPError(.notFound) }
        return try await next(request, context)
    }

    /// Whether the path, percent-decoded once (as the file lookup decodes it), stays inside and
    /// names no private file.
    ///
    /// The checks work on Unicode scalars, as the file system sees the bytes, never on Swift's
    /// `Character`s: a combining mark after a `/` (`/..%2F%CD%8Cx`) makes `/` + mark one
    /// character, so splitting characters at `/` would hide the `..` before it (found by the
    /// FuzzRequestPath harness).
    static func isSafe(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding else { return false }
        let scalars = decoded.unicodeScalars
        if scalars.contains("\0") || scalars.contains("\\") { return false }
        let components = scalars.split(separator: "/", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        if components.contains(where: { $0.unicodeScalars.elementsEqual("..".unicodeScalars) }) { return false }
        return !components.contains { privateFileNames.contains($0.lowercased()) }
    }
}
