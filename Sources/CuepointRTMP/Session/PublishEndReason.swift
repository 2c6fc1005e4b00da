/// Why a publish session ended.
public enum PublishEndReason: Sendable, Equatable, CustomStringConvertible {
    /// The publisher's connection closed (it left, or the network dropped it).
    case publisherLeft
    /// The publisher said it is done: `deleteStream` or `closeStream`.
    case unpublished
    /// No bytes arrived for the idle timeout, in milliseconds.
    case timedOut(milliseconds: Int64)
    /// The publisher broke the protocol or a limit; the text says how.
    case protocolError(String)
    /// The server stopped.
    case serverStopped
    /// The reader ended the session (``PublishSession/end()``).
    case endedByReader

    public var description: String {
        switch self {
        case .publisherLeft: "the publisher's connection closed"
        case .unpublished: "the publisher unpublished the stream"
        case .timedOut(let milliseconds): "nothing arrived from the publisher for \(Self.seconds(milliseconds))"
        case .protocolError(let problem): "protocol error: \(problem)"
        case .serverStopped: "the RTMP server stopped"
        case .endedByReader: "the reader ended the session"
        }
    }

    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
