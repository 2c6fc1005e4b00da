import Hummingbird

/// Answers the refusals of the API's paths (`/v1/…`, `/shows/{id}/v1/…`) in the API's JSON
/// (`{"error", "fix"}`), as the OpenAPI document says, where the middleware before the routes
/// (the path guard) or the router (no such route) only throws an HTTP status.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            guard Self.isAPI(request.uri.path) else { throw error }
            let fix =
                error.status == .notFound
                ? "check the path against /openapi.json" : "see /openapi.json for what this path takes"
            return ShowRoutes.error(error.status, error.body ?? "\(error.status.code) \(error.status.reasonPhrase)", fix: fix)
        }
    }

    static func isAPI(_ path: String) -> Bool {
        if path.hasPrefix("/v1/") { return true }
        guard path.hasPrefix("/shows/") else { return false }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 3 && parts[3] == "v1"
    }
}
