public import NIOCore
public import NIOPosix
import NIOConcurrencyHelpers

/// Cuepoint's RTMP server: one listening port for every publisher, each routed by its
/// application and stream key through a ``PublishRouter``.
///
/// ```swift
/// let server = RTMPServer(configuration: .init(host: "0.0.0.0", port: 1935), router: shows)
/// let port = try await server.start()
/// // … publishers arrive; shows.publishStarted(_:) receives each accepted PublishSession
/// await server.stop()
/// ```
///
/// Connections run on `group`'s event loops (by default NIO's shared singleton group, one
/// thread per core); nothing there blocks. A second publisher for a key that is live on this
/// server is refused with NetStream.Publish.BadName before the router is asked.
public final class RTMPServer: Sendable {
    public let configuration: Configuration
    private let core: ServerCore
    private let group: any EventLoopGroup
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)

    /// - Parameters:
    ///   - events: receives what happens (connections refused and closed, publishes started,
    ///     refused and ended), on event-loop threads; it must not block.
    public init(
        configuration: Configuration, router: any PublishRouter,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        events: (@Sendable (Event) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.core = ServerCore(configuration: configuration, router: router, events: events)
        self.group = group
    }

    /// Starts listening.
    ///
    /// - Returns: the port listened on (the chosen one when the configuration says 0).
    /// - Throws: ``RTMPServerError`` when the address cannot be bound.
    @discardableResult
    public func start() async throws(RTMPServerError) -> Int {
        do {
            return try installed(try await bootstrap().bind(host: configuration.host, port: configuration.port).get())
        } catch let error as RTMPServerError {
            throw error
        } catch {
            throw RTMPServerError(address: "\(configuration.host):\(configuration.port)", message: "\(error)")
        }
    }

    /// ``start()`` for a thread that may block (never the cooperative pool).
    @discardableResult
    public func startBlocking() throws(RTMPServerError) -> Int {
        do {
            return try installed(try bootstrap().bind(host: configuration.host, port: configuration.port).wait())
        } catch let error as RTMPServerError {
            throw error
        } catch {
            throw RTMPServerError(address: "\(configuration.host):\(configuration.port)", message: "\(error)")
        }
    }

    private func installed(_ channel: any Channel) throws(RTMPServerError) -> Int {
        listener.withLockedValue { $0 = channel }
        guard let port = channel.localAddress?.port else {
            throw RTMPServerError(address: "\(configuration.host):\(configuration.port)", message: "no local port")
        }
        return port
    }

    private func bootstrap() -> ServerBootstrap {
        let core = self.core
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // Reads are asked for by RTMPConnectionHandler, paced while a publish is live.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                guard core.admit(channel) else {
                    core.report(
                        .connectionRefused(
                            peer: RTMPConnectionHandler.describe(channel.remoteAddress),
                            reason: "more than \(core.configuration.maximumConnections) connections are open"))
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RTMPConnectionHandler(core: core))
                }
            }
    }

    /// The port listened on; nil before ``start()`` and after ``stop()``.
    public var port: Int? { listener.withLockedValue { $0?.localAddress?.port } }

    /// Connections open now (handshaking, connected or publishing).
    public var connectionCount: Int { core.connectionCount }

    /// `app/key` of every stream being published (or authorized) now.
    public var liveStreams: [String] { core.liveStreams }

    /// Stops listening and closes every connection; their sessions end with
    /// ``PublishEndReason/serverStopped``.
    public func stop() async {
        let channel = listener.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
        for connection in core.beginStopping() {
            try? await connection.close()
        }
    }

    /// ``stop()`` for a thread that may block (never an event loop or the cooperative pool).
    public func stopBlocking() {
        let channel = listener.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? channel?.close().wait()
        for connection in core.beginStopping() {
            try? connection.close().wait()
        }
    }
}
