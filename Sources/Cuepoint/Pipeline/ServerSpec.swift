/// The HTTP server of a running job: the `server:` section of a pipeline file.
///
/// While the job runs, `cuepoint run` serves the recording directory on ``host``:``port``
/// (playlists, segments, `/healthz`, `/metrics`) and, with ``tokenEnvironmentVariable``, the
/// marker API behind a bearer token read from that environment variable
/// (`docs/http-api.md`). The library itself never listens: the command line does.
public struct ServerSpec: Sendable, Equatable {
    /// The address to listen on (`listen: HOST:PORT`): an IPv4 address or host name; port `0`
    /// takes any free port.
    public var host: String
    public var port: Int
    /// The environment variable holding the marker API's token (`token_env:`); nil leaves the
    /// API off. The token itself is never written in the pipeline file.
    public var tokenEnvironmentVariable: String?

    public init(host: String, port: Int, tokenEnvironmentVariable: String? = nil) {
        self.host = host
        self.port = port
        self.tokenEnvironmentVariable = tokenEnvironmentVariable
    }

    /// Splits `HOST:PORT` (an IPv6 host in brackets: `[::1]:8080`); nil when it is not one.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (host, port)
    }
}
