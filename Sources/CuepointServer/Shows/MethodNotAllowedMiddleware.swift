import Cuepoint
import Foundation
import HTTPTypes
import Hummingbird

/// 405 Method Not Allowed, with an `Allow` header listing the methods that path takes, for a
/// request whose path the OpenAPI document lists but not under its method (RFC 9110 §15.5.6):
/// `PUT /v1/shows/spring` is a known resource asked the wrong thing, not a missing one. The
/// operations come from the document the server serves (``OpenAPIDocument``), so the answer
/// and `/openapi.json` cannot disagree. `OPTIONS` (CORS preflight, answered before this) and
/// `HEAD` where `GET` is allowed pass through.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A path template's segments (`{id}` matches any one segment) and the methods it takes.
    struct Operation: Sendable {
        var segments: [String]
        var methods: Set<String>
    }

    let operations: [Operation]

    init(document: String = OpenAPIDocument.text) {
        operations = Self.operations(of: document)
    }

    /// The paths and their methods (upper case) of an OpenAPI document; empty when it is not one.
    static func operations(of document: String) -> [Operation] {
        let verbs: Set<String> = ["get", "put", "post", "delete", "patch", "head"]
        guard let root = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
            let paths = root["paths"] as? [String: Any]
        else { return [] }
        return paths.compactMap { path, item in
            guard let item = item as? [String: Any] else { return nil }
            let methods = Set(item.keys.filter(verbs.contains).map { $0.uppercased() })
            return Operation(segments: path.split(separator: "/").map(String.init), methods: methods)
        }
    }

    /// The methods the document lists for `path`; nil when no path of the document matches it.
    func allowedMethods(_ path: String) -> Set<String>? {
        let segments = path.split(separator: "/").map(String.init)
        var allowed: Set<String>?
        for operation in operations where operation.segments.count == segments.count {
            let matches = zip(operation.segments, segments).allSatisfy { template, segment in
                (template.hasPrefix("{") && template.hasSuffix("}")) || template == segment
            }
            if matches { allowed = (allowed ?? []).union(operation.methods) }
        }
        return allowed
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let method = request.method.rawValue
        guard method != "OPTIONS", let allowed = allowedMethods(request.uri.path), !allowed.contains(method),
            !(method == "HEAD" && allowed.contains("GET"))
        else { return try await next(request, context) }
        let list = allowed.sorted().joined(separator: ", ")
        var headers = HTTPFields()
        headers[.allow] = list
        return ShowRoutes.error(
            .methodNotAllowed, "\(method) is not a method of \(EchoedText.value(request.uri.path, limit: 200))",
            fix: "use \(list) (see /openapi.json)", headers: headers)
    }
}
