public import NIOCore

/// Cuts outgoing messages into chunks (the inverse of ``ChunkDecoder``).
///
/// The server sends few messages (replies to commands, acknowledgements), so every message
/// starts with a full type-0 header and continues with type-3 chunks; a timestamp of
/// 0xFFFFFF or more goes into the extended field, repeated after each type-3 header as the
/// specification and FFmpeg do.
public struct ChunkEncoder: Sendable {
    /// The maximum payload per chunk this side sends; announce a change with Set Chunk Size first.
    public var chunkSize: Int

    public init(chunkSize: Int = ChunkDecoder.initialChunkSize) {
        precondition(chunkSize >= 1 && chunkSize <= ChunkDecoder.maximumChunkSize, "RTMP chunk sizes are 1 to 2^31-1")
        self.chunkSize = chunkSize
    }

    /// Appends `message` as chunks on its chunk stream.
    public func encode(_ message: RTMPMessage, into buffer: inout ByteBuffer) {
        let extended = message.timestamp >= 0xFF_FFFF
        var payload = message.payload
        let length = payload.readableBytes
        precondition(length <= 0xFF_FFFF, "an RTMP message holds at most 16 MiB - 1 bytes")
        writeBasicHeader(format: 0, chunkStreamID: message.chunkStreamID, into: &buffer)
        writeUInt24(extended ? 0xFF_FFFF : message.timestamp, into: &buffer)
        writeUInt24(UInt32(length), into: &buffer)
        buffer.writeInteger(message.type.rawValue)
        buffer.writeInteger(message.streamID, endianness: .little)
        if extended { buffer.writeInteger(message.timestamp) }
        var first = true
        while first || payload.readableBytes > 0 {
            if !first {
                writeBasicHeader(format: 3, chunkStreamID: message.chunkStreamID, into: &buffer)
                if extended { buffer.writeInteger(message.timestamp) }
            }
            first = false
            var chunk = payload.readSlice(length: min(chunkSize, payload.readableBytes))!
            buffer.writeBuffer(&chunk)
        }
    }

    /// The 1-, 2- or 3-byte basic header for `chunkStreamID` (2 to 65599).
    func writeBasicHeader(format: UInt8, chunkStreamID: UInt32, into buffer: inout ByteBuffer) {
        precondition(chunkStreamID >= 2 && chunkStreamID <= 65599, "chunk stream ids are 2 to 65599")
        switch chunkStreamID {
        case 2...63:
            buffer.writeInteger(format << 6 | UInt8(chunkStreamID))
        case 64...319:
            buffer.writeInteger(format << 6)
            buffer.writeInteger(UInt8(chunkStreamID - 64))
        default:
            buffer.writeInteger(format << 6 | 1)
            buffer.writeInteger(UInt16(chunkStreamID - 64), endianness: .little)
        }
    }

    private func writeUInt24(_ value: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(truncatingIfNeeded: value >> 16))
        buffer.writeInteger(UInt16(truncatingIfNeeded: value))
    }
}
