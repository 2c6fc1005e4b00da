public import NIOCore

/// One RTMP message: what the chunk stream carries once its chunks are put back together.
public struct RTMPMessage: Sendable, Equatable {
    /// What the payload is (audio, video, a command, a protocol control message).
    public var type: RTMPMessageType
    /// The message stream: 0 for the connection's own messages, the id `createStream` gave for
    /// a stream's commands and media.
    public var streamID: UInt32
    /// In milliseconds, on the sender's clock; 32 bits, wrapping.
    public var timestamp: UInt32
    /// The chunk stream the message came on, or goes on (2 for protocol control messages).
    public var chunkStreamID: UInt32
    public var payload: ByteBuffer

    public init(type: RTMPMessageType, streamID: UInt32 = 0, timestamp: UInt32 = 0, chunkStreamID: UInt32, payload: ByteBuffer) {
        self.type = type
        self.streamID = streamID
        self.timestamp = timestamp
        self.chunkStreamID = chunkStreamID
        self.payload = payload
    }
}

/// The message type id. Open: ids this type does not name still arrive (and are ignored).
public struct RTMPMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Protocol control: the sender's new maximum chunk size.
    public static let setChunkSize = RTMPMessageType(rawValue: 1)
    /// Protocol control: drop the partial message of a chunk stream.
    public static let abort = RTMPMessageType(rawValue: 2)
    /// Protocol control: the bytes received so far.
    public static let acknowledgement = RTMPMessageType(rawValue: 3)
    /// User control events (Stream Begin, ping).
    public static let userControl = RTMPMessageType(rawValue: 4)
    /// Protocol control: how many bytes the sender may send before it expects an acknowledgement.
    public static let windowAcknowledgementSize = RTMPMessageType(rawValue: 5)
    /// Protocol control: limit the peer's output bandwidth.
    public static let setPeerBandwidth = RTMPMessageType(rawValue: 6)
    /// An FLV audio tag's body.
    public static let audio = RTMPMessageType(rawValue: 8)
    /// An FLV video tag's body.
    public static let video = RTMPMessageType(rawValue: 9)
    /// Script data in AMF3 (a 0 byte, then AMF0 in practice).
    public static let dataAMF3 = RTMPMessageType(rawValue: 15)
    /// A command in AMF3 (a 0 byte, then AMF0 in practice).
    public static let commandAMF3 = RTMPMessageType(rawValue: 17)
    /// Script data (`@setDataFrame`, `onMetaData`) in AMF0.
    public static let dataAMF0 = RTMPMessageType(rawValue: 18)
    /// A command (`connect`, `publish`, …) in AMF0.
    public static let commandAMF0 = RTMPMessageType(rawValue: 20)
    /// Several FLV tags in one message.
    public static let aggregate = RTMPMessageType(rawValue: 22)

    public var description: String {
        switch self {
        case .setChunkSize: "Set Chunk Size"
        case .abort: "Abort"
        case .acknowledgement: "Acknowledgement"
        case .userControl: "User Control"
        case .windowAcknowledgementSize: "Window Acknowledgement Size"
        case .setPeerBandwidth: "Set Peer Bandwidth"
        case .audio: "audio"
        case .video: "video"
        case .dataAMF3, .dataAMF0: "data"
        case .commandAMF3, .commandAMF0: "command"
        case .aggregate: "aggregate"
        default: "type \(rawValue)"
        }
    }
}
