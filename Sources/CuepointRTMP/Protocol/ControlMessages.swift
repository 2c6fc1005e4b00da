import NIOCore

/// The protocol control and user control messages the server sends (RTMP specification §5.4
/// and §6.2), on chunk stream 2 and message stream 0.
enum ControlMessages {
    /// The chunk stream of protocol control messages.
    static let chunkStreamID: UInt32 = 2

    /// Set Chunk Size: the largest chunk payload this side will send from now on.
    static func setChunkSize(_ size: Int) -> RTMPMessage {
        uint32Message(.setChunkSize, UInt32(size))
    }

    /// Acknowledgement: the bytes received so far (32 bits, wrapping).
    static func acknowledgement(_ sequenceNumber: UInt32) -> RTMPMessage {
        uint32Message(.acknowledgement, sequenceNumber)
    }

    /// Window Acknowledgement Size: the peer should acknowledge after this many bytes from us.
    static func windowAcknowledgementSize(_ size: UInt32) -> RTMPMessage {
        uint32Message(.windowAcknowledgementSize, size)
    }

    /// Set Peer Bandwidth with the limit type "dynamic" (2), as FFmpeg's and nginx-rtmp's servers send.
    static func setPeerBandwidth(_ size: UInt32) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(size)
        payload.writeInteger(UInt8(2))
        return RTMPMessage(type: .setPeerBandwidth, chunkStreamID: chunkStreamID, payload: payload)
    }

    /// A user control event with a 4-byte value (a stream id, or a ping's timestamp).
    static func userControl(_ event: UserControlEvent, _ value: UInt32) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(event.rawValue)
        payload.writeInteger(value)
        return RTMPMessage(type: .userControl, chunkStreamID: chunkStreamID, payload: payload)
    }

    private static func uint32Message(_ type: RTMPMessageType, _ value: UInt32) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(value)
        return RTMPMessage(type: type, chunkStreamID: chunkStreamID, payload: payload)
    }
}

/// The events of a User Control message (RTMP specification §6.2).
enum UserControlEvent: UInt16 {
    case streamBegin = 0
    case streamEOF = 1
    case streamDry = 2
    case setBufferLength = 3
    case streamIsRecorded = 4
    case pingRequest = 6
    case pingResponse = 7
}
