import Foundation

/// How many connections the server holds, and for how long one may sit without a request: the
/// defence against clients that open connections and send nothing, or trickle a request's
/// header a byte at a time, until the descriptors the pipeline needs for its segments run out.
///
/// **Idle timeout.** Hummingbird's `HTTP1Channel` closes a connection that has gone
/// ``idleTimeout`` without a complete HTTP part: measured from the connection's start and from
/// the end of each response. Its clock moves only when the HTTP decoder delivers a *whole*
/// request head (or a body part), so a header that is still arriving, however many bytes it
/// has sent, does not keep the connection open: the idle timeout is also the header read
/// timeout. A request being answered is never cut (an LL-HLS blocking request may wait three
/// target durations).
///
/// **Connection limit.** Past ``maximumConnections`` the server stops accepting; further
/// connections wait in the kernel's listen backlog (no descriptor of this process) until one
/// closes.
public struct ConnectionLimits: Sendable, Equatable {
    /// How long a connection may go without a complete request (idle between requests, or
    /// with a request head still arriving) before it is closed.
    public var idleTimeout: Duration
    /// Connections held at once.
    public var maximumConnections: Int

    public init(
        idleTimeout: Duration = .seconds(30), maximumConnections: Int = ConnectionLimits.defaultMaximumConnections
    ) {
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }

    /// Descriptors kept for the pipeline (segments, playlists, logs, inputs, marker files) out
    /// of the process's limit.
    public static let reservedDescriptors: UInt64 = 256

    /// The process's descriptor limit (`RLIMIT_NOFILE`) less ``reservedDescriptors``, between 64
    /// and 16384: 768 under the usual limit of 1024, enough for hundreds of players each
    /// holding a blocking playlist request.
    public static var defaultMaximumConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 512 }
        // RLIM_INFINITY (all ones) does not import as a constant; it gives the cap.
        let soft = UInt64(limit.rlim_cur)
        return Int(min(16_384, max(64, soft > reservedDescriptors ? soft - reservedDescriptors : 0)))
    }
}
