import Cuepoint
import Hummingbird
import NIOCore

/// The producer console's routes: the page (`/console`, or `/shows/{show}/console` on the show
/// server) and its script and stylesheet (`/console/console.js`, `/console/console.css`, shared
/// by every show). The page itself holds no secret: the producer types the marker token in it,
/// and it calls the marker API with it (``ConsolePage``).
///
/// Every answer carries ``ConsolePage/contentSecurityPolicy``. Where there is no live show to
/// steer (a server of a finished recording, a show that is over, no such show), the page is a
/// short HTML page saying so and what to do, with a 404 or 409, never an error without words.
struct ConsoleRoutes: Sendable {
    /// What the console of a request can show.
    enum Availability: Sendable {
        /// A live (or starting) show: its title, and the path its files and API are under.
        case live(title: String, base: String)
        /// No console here: why (404 or 409), what is wrong and what to do.
        case unavailable(Absence, problem: String, fix: String)
    }

    /// Why there is no console.
    enum Absence: Sendable {
        /// No live show here (404): no marker API, no such show.
        case noShow
        /// The show is over (409): finished or failed.
        case over
    }

    /// The page's path: `console`, or `shows/{show}/console`.
    let path: String
    let availability: @Sendable (Request, ServerRequestContext) async -> Availability

    func register(on router: Router<ServerRequestContext>) {
        router.get(RouterPath(path)) { request, context in
            switch await availability(request, context) {
            case .live(let title, let base):
                return Self.response(.ok, ConsolePage.html(title: title, base: base), type: "text/html; charset=utf-8")
            case .unavailable(let absence, let problem, let fix):
                return Self.response(absence == .noShow ? .notFound : .conflict, ConsolePage.unavailable(problem: problem, fix: fix), type: "text/html; charset=utf-8")
            }
        }
        router.get("console/console.js") { _, _ in
            Self.response(.ok, ConsolePage.script, type: "text/javascript; charset=utf-8")
        }
        router.get("console/console.css") { _, _ in
            Self.response(.ok, ConsolePage.stylesheet, type: "text/css; charset=utf-8")
        }
    }

    static let contentSecurityPolicy = HTTPFields.Element.Name("Content-Security-Policy")!
    static let contentTypeOptions = HTTPFields.Element.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    static func response(_ status: HTTPResponse.Status, _ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[Self.contentSecurityPolicy] = ConsolePage.contentSecurityPolicy
        headers[Self.contentTypeOptions] = "nosniff"
        headers[Self.referrerPolicy] = "no-referrer"
        headers[.cacheControl] = "no-store"
        let bytes = Array(text.utf8)
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The console of a server of one recording (``DirectoryServer``): live when the server has
    /// the marker API.
    static func single(api: MarkerAPI?, title: String) -> ConsoleRoutes {
        let live = api.map { !$0.token.isEmpty } ?? false
        return ConsoleRoutes(path: "console") { _, _ in
            guard live else {
                return .unavailable(
                    .noShow,
                    problem: "This server serves a recording without a marker API, so there is no live show to pin products on.",
                    fix: "Open the console of a live job: cuepoint segment INPUT -o DIR --live --serve HOST:PORT --token-env NAME [--products FILE], then http://HOST:PORT/console (or /shows/ID/console on cuepoint server).")
            }
            return .live(title: title, base: "/")
        }
    }
}
