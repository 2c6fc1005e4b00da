import Hummingbird
import NIOCore

/// The request context of the server: Hummingbird's basic one plus the client's address, which
/// the marker API's rate limit is kept by.
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text (the port left out: one client, many connections);
    /// `unknown` when the transport has none.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
