/// A peer broke the RTMP protocol, or went past one of the server's limits: what happened, in
/// words a log reader can act on. The connection is closed after it.
public struct RTMPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
