public import NIOCore

extension RTMPServer {
    /// Where the server listens and the limits it keeps. Every limit is per server unless
    /// it says otherwise; defaults suit live video up to 4K at high bit rates.
    public struct Configuration: Sendable {
        /// The address to listen on, `127.0.0.1` or `0.0.0.0`.
        public var host: String
        /// The TCP port; 0 lets the operating system choose (see ``RTMPServer/port``).
        public var port: Int
        /// How long a connection may take to finish the handshake.
        public var handshakeTimeout: TimeAmount = .seconds(10)
        /// How long an established connection may send nothing before it is closed (its session
        /// ends with ``PublishEndReason/timedOut(milliseconds:)``). Not counted while the server
        /// itself has stopped reading (a full session buffer, a pending authorization).
        public var idleTimeout: TimeAmount = .seconds(10)
        /// The most connections open at once; more are closed as soon as they are accepted.
        public var maximumConnections = 1000
        /// Chunk-stream limits of each connection (message size, chunk streams, partial bytes).
        public var chunkLimits = ChunkDecoder.Limits()
        /// Bytes a session buffers before its connection stops reading (about 5 s at 3 Mbit/s).
        public var sessionBufferCapacity = 2 << 20
        /// The chunk size the server sends with.
        public var outgoingChunkSize = 4096
        /// The Window Acknowledgement Size and peer bandwidth the server announces.
        public var windowAcknowledgementSize: UInt32 = 2_500_000
        /// The most streams (`createStream`) one connection may create.
        public var maximumStreamsPerConnection = 8
        /// While a publish is live, how long after one socket read the next is asked for (the
        /// socket buffers meanwhile): fewer, larger reads and fewer wake-ups of the session's
        /// reader, for at most this much added latency (HLS parts are 0.5 s or more). A read
        /// of 64 KiB or more reads again at once. Zero reads as soon as bytes arrive.
        public var publishReadInterval: TimeAmount = .milliseconds(100)

        public init(host: String = "127.0.0.1", port: Int = 1935) {
            self.host = host
            self.port = port
        }
    }

    /// What happened on the server, for logs and metrics. Texts from the network are made
    /// printable (no control characters, at most 64 characters).
    public enum Event: Sendable, Equatable {
        /// A connection over ``Configuration/maximumConnections`` was closed at once.
        case connectionRefused(peer: String, reason: String)
        /// A connection closed; `reason` says why (the client left, a timeout, a protocol error).
        /// Not sent after ``publishRefused(peer:app:key:reason:)``, which explains the close.
        case connectionClosed(peer: String, reason: String)
        /// A `publish` was refused (by the router, or because the key is already live).
        case publishRefused(peer: String, app: String, key: String, reason: String)
        case publishStarted(peer: String, app: String, key: String)
        case publishEnded(peer: String, app: String, key: String, reason: PublishEndReason)
    }
}

/// The server could not start.
public struct RTMPServerError: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var message: String

    public var description: String {
        "cannot listen for RTMP on \(address) (\(message)); check that the address is this machine's and that no "
            + "other program uses the port"
    }
}
