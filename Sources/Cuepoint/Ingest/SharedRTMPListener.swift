import CuepointRTMP
public import CuepointTime
import NIOCore

/// Cuepoint's RTMP server held open for a program that starts pipelines as publishers are
/// expected (the show server): one port for every show, listening before any show exists.
///
/// A pipeline whose input is ``inputURL(app:key:)`` (with `listen` and `rtmp_server: cuepoint`)
/// registers its stream key on this listener while it runs; a publisher with a key that no
/// running pipeline waits for is refused at `publish` with `NetStream.Publish.BadName`, and a
/// second publisher for a live key is refused too. The server stops at ``close()`` once no
/// pipeline is registered any more.
///
/// ```swift
/// let listener = try SharedRTMPListener(host: "127.0.0.1", port: 0)
/// let input = InputSpec(url: listener.inputURL(app: "live", key: key), listen: true, rtmpServer: .cuepoint)
/// ```
public final class SharedRTMPListener: Sendable {
    /// The address listened on, as pipelines' input URLs name it.
    public let host: String
    /// The port listened on (the chosen one when 0 was asked for).
    public let port: Int
    private let ingest: RTMPIngest

    /// Starts listening on `host:port` (0: a free port).
    ///
    /// - Parameter timeout: how long a handshake may take and a connection may send nothing.
    /// - Throws: `CuepointError` when the address cannot be listened on.
    public init(host: String, port: Int, timeout: MediaTime = InputSpec.defaultTimeout) throws(CuepointError) {
        var configuration = RTMPServer.Configuration(host: host, port: port)
        configuration.idleTimeout = .milliseconds(max(1, timeout.milliseconds))
        configuration.handshakeTimeout = configuration.idleTimeout
        ingest = try RTMPIngest.hold(configuration)
        self.host = host
        self.port = Int(ingest.address.split(separator: ":").last ?? "") ?? port
    }

    /// The input URL of a pipeline that takes publishers of `key` on this listener.
    public func inputURL(app: String, key: String) -> String {
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "rtmp://\(authority)/\(app)/\(key)"
    }

    /// `app/key` of every stream published (or being authorized) now.
    public var liveStreams: [String] { ingest.server.liveStreams }

    /// Connections open now.
    public var connectionCount: Int { ingest.server.connectionCount }

    /// Lets go of the port: the server stops once no pipeline is registered on it. Blocks
    /// while it closes connections: call it from a thread that may block.
    public func close() { RTMPIngest.letGo(ingest) }
}
