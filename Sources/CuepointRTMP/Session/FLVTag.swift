public import NIOCore

/// One piece of the FLV byte stream a publish becomes: the file header, or a tag around an
/// RTMP message's payload.
///
/// ```
/// file header:  "FLV" 1 flags  0 0 0 9 | PreviousTagSize0 = 0        (13 bytes)
/// tag:          type  size(3)  time(3) timeHigh  stream(3) = 0        (11 bytes)
///               payload (the RTMP message, as it came)
///               PreviousTagSize = 11 + size                            (4 bytes)
/// ```
///
/// The header and trailer bytes are made when they are copied out, so a tag costs no
/// allocation of its own and its payload is never copied into an FLV buffer: the only copy
/// is into the reader's buffer (Adobe's FLV specification, version 10, Annex E).
public struct FLVTag: Sendable {
    /// The FLV tag types, as RTMP message types 8, 9 and 18.
    public enum TagType: UInt8, Sendable {
        case audio = 8
        case video = 9
        case script = 18
    }

    /// The file header's flags: audio 0x04, video 0x01.
    public struct StreamFlags: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let video = StreamFlags(rawValue: 0x01)
        public static let audio = StreamFlags(rawValue: 0x04)
    }

    private enum Kind: Sendable {
        case fileHeader(StreamFlags)
        case tag(TagType, timestamp: UInt32)
    }

    private let kind: Kind
    /// The tag's body (empty for the file header).
    public let payload: ByteBuffer

    /// The FLV file header that announces `streams`.
    public static func fileHeader(_ streams: StreamFlags) -> FLVTag {
        FLVTag(kind: .fileHeader(streams), payload: ByteBuffer())
    }

    /// A tag of `type` at `timestamp` (milliseconds) around `payload` (at most 16 MiB − 1 bytes).
    public init(_ type: TagType, timestamp: UInt32, payload: ByteBuffer) {
        self.init(kind: .tag(type, timestamp: timestamp), payload: payload)
    }

    private init(kind: Kind, payload: ByteBuffer) {
        self.kind = kind
        self.payload = payload
    }

    /// The tag type; nil for the file header.
    public var type: TagType? {
        if case .tag(let type, _) = kind { return type }
        return nil
    }

    /// The tag's timestamp in milliseconds; nil for the file header.
    public var timestamp: UInt32? {
        if case .tag(_, let timestamp) = kind { return timestamp }
        return nil
    }

    /// Bytes before the payload: 13 for the file header, 11 for a tag.
    private var headSize: Int {
        if case .fileHeader = kind { return 13 }
        return 11
    }

    /// Bytes after the payload: the tag's PreviousTagSize (the file header carries its own).
    private var tailSize: Int {
        if case .fileHeader = kind { return 0 }
        return 4
    }

    /// The bytes this piece adds to the stream.
    public var byteCount: Int { headSize + payload.readableBytes + tailSize }

    /// Copies this piece's bytes from `offset` on into `destination`, as many as fit.
    ///
    /// - Returns: the number of bytes copied.
    public func copyBytes(from offset: Int, into destination: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        var position = offset
        let payloadCount = payload.readableBytes
        if position < headSize {
            written += withHead { head in
                let count = min(headSize - position, destination.count)
                destination.baseAddress!.copyMemory(from: head.baseAddress! + position, byteCount: count)
                return count
            }
            position += written
        }
        let payloadStart = headSize
        if written < destination.count, position < payloadStart + payloadCount {
            let from = position - payloadStart
            let count = min(payloadCount - from, destination.count - written)
            payload.withUnsafeReadableBytes { bytes in
                (destination.baseAddress! + written).copyMemory(from: bytes.baseAddress! + from, byteCount: count)
            }
            written += count
            position += count
        }
        let tailStart = payloadStart + payloadCount
        if written < destination.count, position < tailStart + tailSize {
            let from = position - tailStart
            let count = min(tailSize - from, destination.count - written)
            let previousTagSize = UInt32(11 + payloadCount)
            for index in 0..<count {
                destination[written + index] = UInt8(truncatingIfNeeded: previousTagSize >> (8 * (3 - (from + index))))
            }
            written += count
        }
        return written
    }

    /// Calls `body` with the head bytes on the stack.
    private func withHead<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        var head: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &head) { bytes in
            switch kind {
            case .fileHeader(let flags):
                let fixed: [UInt8] = [0x46, 0x4C, 0x56, 0x01, flags.rawValue, 0, 0, 0, 9, 0, 0, 0, 0]
                for (index, byte) in fixed.enumerated() { bytes[index] = byte }
            case .tag(let type, let timestamp):
                let size = UInt32(payload.readableBytes)
                bytes[0] = type.rawValue
                bytes[1] = UInt8(truncatingIfNeeded: size >> 16)
                bytes[2] = UInt8(truncatingIfNeeded: size >> 8)
                bytes[3] = UInt8(truncatingIfNeeded: size)
                bytes[4] = UInt8(truncatingIfNeeded: timestamp >> 16)
                bytes[5] = UInt8(truncatingIfNeeded: timestamp >> 8)
                bytes[6] = UInt8(truncatingIfNeeded: timestamp)
                bytes[7] = UInt8(truncatingIfNeeded: timestamp >> 24)
                // Stream id: 3 zero bytes.
            }
            return body(UnsafeRawBufferPointer(bytes))
        }
    }
}
