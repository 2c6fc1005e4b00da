public import NIOCore

/// Puts RTMP messages back together from the chunk stream a peer sends.
///
/// **The chunk format** (RTMP specification §5.3). Each chunk is a basic header (1 to 3
/// bytes: a 2-bit format and the chunk stream id: 2 to 63 in one byte, 64 to 319 in two,
/// 64 to 65599 in three), a message header whose size depends on the format (type 0: 11
/// bytes, timestamp, length, type id, message stream id; type 1: 7 bytes, timestamp delta,
/// length, type id; type 2: 3 bytes, timestamp delta; type 3: none), an optional 4-byte
/// extended timestamp (when the 3-byte field is 0xFFFFFF), then at most `chunkSize` bytes of
/// payload. Messages of different chunk streams interleave chunk by chunk.
///
/// **Timestamps.** A type-0 header carries the absolute timestamp; types 1 and 2 a delta
/// from the chunk stream's previous message. A type-3 chunk that starts a new message repeats
/// the previous header's field: added as a delta, which is what FFmpeg's and SRS's readers do
/// and what FFmpeg's writer relies on (it sends type 3 after a type 0 whose timestamp equals
/// the new delta).
///
/// **Extended timestamps on type-3 chunks** differ between implementations: the
/// specification, FFmpeg and librtmp repeat the 4-byte extended timestamp after a type-3
/// basic header; Adobe's Flash Media Live Encoder does not. Like SRS, the decoder peeks at the
/// 4 bytes and takes them as the extended timestamp only when they equal the previous one;
/// otherwise they are payload.
///
/// **Protocol control that changes the decoding** is applied here, as soon as its message is
/// complete: Set Chunk Size (1 to 0x7FFFFFFF; a chunk larger than the 16 MiB a message can
/// hold simply carries whole messages) and Abort (the chunk stream's partial message is
/// dropped). Both messages are still returned, for the connection to see.
///
/// **Cost.** A message that arrives whole in one chunk is returned as a slice of the bytes
/// read from the socket (no copy); any other message is copied once, chunk by chunk, into a
/// buffer of exactly its length. A partial chunk is consumed as far as it goes, so a huge
/// chunk size never makes the caller hold more than the message itself.
///
/// Pure: no I/O, no clock. Feed it with ``next(from:)`` until it returns nil, append more
/// bytes, repeat; any split of the bytes gives the same messages.
public struct ChunkDecoder: Sendable {
    /// Bounds on what one connection may make the decoder hold.
    public struct Limits: Sendable, Equatable {
        /// The longest message accepted, in bytes (RTMP's length field allows 16 MiB − 1).
        public var maximumMessageSize: Int
        /// The most chunk streams one connection may use.
        public var maximumChunkStreams: Int
        /// The most bytes of partial messages (their declared lengths) held at once.
        public var maximumPendingBytes: Int

        public init(maximumMessageSize: Int = 8 << 20, maximumChunkStreams: Int = 64, maximumPendingBytes: Int = 16 << 20) {
            self.maximumMessageSize = maximumMessageSize
            self.maximumChunkStreams = maximumChunkStreams
            self.maximumPendingBytes = maximumPendingBytes
        }
    }

    /// The largest chunk size Set Chunk Size may announce: 31 bits (the first bit must be 0).
    public static let maximumChunkSize = 0x7FFF_FFFF
    /// The chunk size every connection starts with.
    public static let initialChunkSize = 128

    public let limits: Limits
    /// The peer's current maximum chunk payload, in bytes.
    public private(set) var chunkSize = ChunkDecoder.initialChunkSize
    /// The state of each chunk stream the peer has used.
    private var streams: [UInt32: ChunkStream] = [:]
    /// The chunk whose payload is being read: its stream and the payload bytes still to come.
    private var openChunk: (chunkStreamID: UInt32, remaining: Int)?
    /// The declared lengths of the messages being put together.
    private var pendingBytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// What the decoder remembers of one chunk stream, for the headers that leave fields out.
    private struct ChunkStream {
        var type = RTMPMessageType(rawValue: 0)
        var streamID: UInt32 = 0
        var length = 0
        /// The absolute timestamp of the current (or last) message, in milliseconds.
        var timestamp: UInt32 = 0
        /// The last header's timestamp field: absolute after type 0, a delta after types 1 and 2;
        /// the 32-bit value when it was extended.
        var timestampField: UInt32 = 0
        /// Whether the last header's timestamp was extended (so type-3 chunks may repeat it).
        var extended = false
        /// The payload so far of a message that spans chunks; nil between messages.
        var partial: ByteBuffer?
        /// Payload bytes of the current message not received yet.
        var remaining = 0
    }

    /// The next complete message in `buffer`, consuming the bytes it used; nil when `buffer`
    /// holds no complete message yet (the bytes of an incomplete header stay in `buffer`).
    ///
    /// - Throws: ``RTMPProtocolError`` for a broken chunk stream or a limit passed; the
    ///   connection cannot continue after it.
    public mutating func next(from buffer: inout ByteBuffer) throws(RTMPProtocolError) -> RTMPMessage? {
        while true {
            if let chunk = openChunk {
                guard buffer.readableBytes > 0 else { return nil }
                if let message = try continuePayload(chunk, from: &buffer) { return message }
                if openChunk != nil { return nil }  // the buffer ended inside the chunk
                continue
            }
            guard let header = try peekHeader(in: buffer) else { return nil }
            buffer.moveReaderIndex(forwardBy: header.size)
            if let message = try begin(header, in: &buffer) { return message }
        }
    }

    // MARK: - Headers

    /// A chunk header as read, before it is applied to its chunk stream.
    private struct Header {
        var format: UInt8
        var chunkStreamID: UInt32
        /// Bytes of the basic header, the message header and the extended timestamp.
        var size: Int
        var timestampField: UInt32 = 0
        var extended = false
        var length = 0
        var type = RTMPMessageType(rawValue: 0)
        var streamID: UInt32 = 0
    }

    /// Reads the header at the reader index without consuming it; nil when incomplete.
    private func peekHeader(in buffer: ByteBuffer) throws(RTMPProtocolError) -> Header? {
        var at = buffer.readerIndex
        guard let first = buffer.getInteger(at: at, as: UInt8.self) else { return nil }
        at += 1
        let format = first >> 6
        var chunkStreamID = UInt32(first & 0x3F)
        if chunkStreamID == 0 {
            guard let second = buffer.getInteger(at: at, as: UInt8.self) else { return nil }
            chunkStreamID = 64 + UInt32(second)
            at += 1
        } else if chunkStreamID == 1 {
            guard let low = buffer.getInteger(at: at, as: UInt8.self), let high = buffer.getInteger(at: at + 1, as: UInt8.self)
            else { return nil }
            chunkStreamID = 64 + UInt32(low) + UInt32(high) * 256
            at += 2
        }
        var header = Header(format: format, chunkStreamID: chunkStreamID, size: 0)
        let known = streams[chunkStreamID]
        if format < 3 {
            guard known != nil || format == 0 else {
                throw RTMPProtocolError(
                    "chunk stream \(chunkStreamID) starts with a type-\(format) header; the first chunk of a chunk stream needs a type-0 header")
            }
            guard buffer.readableBytes >= at - buffer.readerIndex + [11, 7, 3][Int(format)] else { return nil }
            header.timestampField = Self.uint24(buffer, at)
            if format <= 1 {
                header.length = Int(Self.uint24(buffer, at + 3))
                header.type = RTMPMessageType(rawValue: buffer.getInteger(at: at + 6, as: UInt8.self)!)
            }
            if format == 0 {
                header.streamID = buffer.getInteger(at: at + 7, endianness: .little, as: UInt32.self)!
            }
            at += [11, 7, 3][Int(format)]
            if header.timestampField == 0xFF_FFFF {
                guard let extended = buffer.getInteger(at: at, as: UInt32.self) else { return nil }
                header.timestampField = extended
                header.extended = true
                at += 4
            }
        } else {
            guard let known else {
                throw RTMPProtocolError(
                    "chunk stream \(chunkStreamID) starts with a type-3 header; the first chunk of a chunk stream needs a type-0 header")
            }
            header.timestampField = known.timestampField
            header.extended = known.extended
            if known.extended {
                // Repeated by FFmpeg and the specification, left out by Flash Media Live Encoder.
                guard let repeated = buffer.getInteger(at: at, as: UInt32.self) else { return nil }
                if repeated == known.timestampField { at += 4 }
            }
        }
        header.size = at - buffer.readerIndex
        return header
    }

    private static func uint24(_ buffer: ByteBuffer, _ at: Int) -> UInt32 {
        let high = UInt32(buffer.getInteger(at: at, as: UInt8.self)!)
        let low = UInt32(buffer.getInteger(at: at + 1, as: UInt16.self)!)
        return high << 16 | low
    }

    /// Applies a consumed header to its chunk stream and starts reading the chunk's payload.
    private mutating func begin(_ header: Header, in buffer: inout ByteBuffer) throws(RTMPProtocolError) -> RTMPMessage? {
        let id = header.chunkStreamID
        if streams[id] == nil {
            guard streams.count < limits.maximumChunkStreams else {
                throw RTMPProtocolError("more than \(limits.maximumChunkStreams) chunk streams on one connection")
            }
            streams[id] = ChunkStream()
        }
        var stream = streams[id]!
        if stream.remaining > 0 {
            guard header.format == 3 else {
                throw RTMPProtocolError(
                    "chunk stream \(id): a type-\(header.format) header arrived while \(stream.remaining) bytes of the "
                        + "previous message were still due (a message continues with type-3 chunks)")
            }
        } else {
            switch header.format {
            case 0:
                stream.timestamp = header.timestampField
                stream.streamID = header.streamID
                stream.length = header.length
                stream.type = header.type
            case 1:
                stream.timestamp &+= header.timestampField
                stream.length = header.length
                stream.type = header.type
            default:
                stream.timestamp &+= header.timestampField
            }
            stream.timestampField = header.timestampField
            stream.extended = header.extended
            guard stream.length <= limits.maximumMessageSize else {
                throw RTMPProtocolError(
                    "a \(stream.type) message of \(stream.length) bytes on chunk stream \(id) is longer than the "
                        + "limit of \(limits.maximumMessageSize) bytes")
            }
            if stream.length == 0 {
                streams[id] = stream
                return try complete(id, payload: ByteBuffer())
            }
            let firstChunk = min(chunkSize, stream.length)
            if firstChunk == stream.length, buffer.readableBytes >= firstChunk {
                // The whole message is one chunk, already here: a slice, no copy.
                streams[id] = stream
                return try complete(id, payload: buffer.readSlice(length: firstChunk)!)
            }
            guard pendingBytes + stream.length <= limits.maximumPendingBytes else {
                throw RTMPProtocolError(
                    "partial messages on one connection would hold more than \(limits.maximumPendingBytes) bytes")
            }
            pendingBytes += stream.length
            stream.partial = ByteBufferAllocator().buffer(capacity: stream.length)
            stream.remaining = stream.length
        }
        streams[id] = stream
        openChunk = (id, min(chunkSize, stream.remaining))
        return nil
    }

    /// Copies what `buffer` holds of the open chunk's payload into its message.
    private mutating func continuePayload(_ chunk: (chunkStreamID: UInt32, remaining: Int), from buffer: inout ByteBuffer)
        throws(RTMPProtocolError) -> RTMPMessage?
    {
        let id = chunk.chunkStreamID
        let count = min(chunk.remaining, buffer.readableBytes)
        var slice = buffer.readSlice(length: count)!
        streams[id]!.partial!.writeBuffer(&slice)
        streams[id]!.remaining -= count
        openChunk = chunk.remaining == count ? nil : (id, chunk.remaining - count)
        guard streams[id]!.remaining == 0 else { return nil }
        let payload = streams[id]!.partial.take()!
        pendingBytes -= streams[id]!.length
        return try complete(id, payload: payload)
    }

    /// A whole message: applies protocol control that changes decoding, then returns it.
    private mutating func complete(_ id: UInt32, payload: ByteBuffer) throws(RTMPProtocolError) -> RTMPMessage {
        let stream = streams[id]!
        let message = RTMPMessage(
            type: stream.type, streamID: stream.streamID, timestamp: stream.timestamp, chunkStreamID: id, payload: payload)
        switch message.type {
        case .setChunkSize:
            guard let value = payload.getInteger(at: payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError("a Set Chunk Size message of \(payload.readableBytes) bytes (it needs 4)")
            }
            guard value >= 1, value <= UInt32(ChunkDecoder.maximumChunkSize) else {
                throw RTMPProtocolError(
                    "Set Chunk Size \(value) is not allowed: RTMP chunk sizes are 1 to \(ChunkDecoder.maximumChunkSize)")
            }
            chunkSize = Int(value)
        case .abort:
            guard let abortedID = payload.getInteger(at: payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError("an Abort message of \(payload.readableBytes) bytes (it needs 4)")
            }
            if var aborted = streams[abortedID], aborted.remaining > 0 {
                pendingBytes -= aborted.length
                aborted.partial = nil
                aborted.remaining = 0
                streams[abortedID] = aborted
                if openChunk?.chunkStreamID == abortedID { openChunk = nil }
            }
        default:
            break
        }
        return message
    }
}
