import NIOCore

/// Turns a publishing stream's messages into FLV pieces, deciding the file header as FFmpeg's
/// own RTMP reader does (`rtmpproto.c`, `rtmp_open`).
///
/// The header announces audio and video in its flags, and libavformat's FLV demuxer waits
/// until it has seen every stream the flags announce before it stops probing. So the header
/// is written when the first metadata (`onMetaData` with `audiocodecid`/`videocodecid`) or the
/// first audio or video message arrives, announcing what the metadata names, or the first
/// message's own type. Script data that comes before that is held and follows the header.
///
/// Script data: `@setDataFrame` (what publishers send so the server stores the metadata) is
/// stripped, leaving the `onMetaData` that an FLV file carries; `@clearDataFrame` is dropped;
/// any other data message (`onTextData`, `onCuePoint`) is kept as a script tag.
/// Aggregate messages (several FLV tags in one message) are split into their tags, their
/// timestamps rebased on the message's timestamp.
struct FLVStream {
    private var headerWritten = false
    private var heldScripts: [FLVTag] = []

    /// Appends the FLV pieces of one message of the publishing stream to `pieces` (nothing
    /// when nothing is to be written yet). Appending to the caller's array lets a connection
    /// collect a whole read's tags without an array per message.
    mutating func append(_ message: RTMPMessage, to pieces: inout [FLVTag], amf: AMF0Decoder) {
        switch message.type {
        case .audio:
            append(FLVTag(.audio, timestamp: message.timestamp, payload: message.payload), header: .audio, to: &pieces)
        case .video:
            append(FLVTag(.video, timestamp: message.timestamp, payload: message.payload), header: .video, to: &pieces)
        case .dataAMF0, .dataAMF3:
            script(message, to: &pieces, amf: amf)
        case .aggregate:
            aggregate(message, to: &pieces, amf: amf)
        default:
            break
        }
    }

    /// Appends `tag`, preceded by the file header announcing `flags` (and the script tags held
    /// for it) when the header is not written yet.
    private mutating func append(_ tag: FLVTag, header flags: FLVTag.StreamFlags, to pieces: inout [FLVTag]) {
        if !headerWritten {
            headerWritten = true
            pieces.append(FLVTag.fileHeader(flags))
            pieces += heldScripts
            heldScripts = []
        }
        pieces.append(tag)
    }

    private mutating func script(_ message: RTMPMessage, to pieces: inout [FLVTag], amf: AMF0Decoder) {
        var payload = message.payload
        if message.type == .dataAMF3 {
            guard payload.readInteger(as: UInt8.self) == 0 else { return }
        }
        var peek = payload
        guard let first = try? amf.decodeValue(from: &peek) else { return }
        var name = first.stringValue
        if name == "@setDataFrame" {
            payload = peek
            var next = peek
            name = (try? amf.decodeValue(from: &next))?.stringValue
        } else if name == "@clearDataFrame" {
            return
        }
        let tag = FLVTag(.script, timestamp: message.timestamp, payload: payload)
        if headerWritten {
            pieces.append(tag)
        } else if name == "onMetaData", let flags = Self.streams(announcedIn: payload, amf: amf), !flags.isEmpty {
            append(tag, header: flags, to: &pieces)
        } else {
            heldScripts.append(tag)
        }
    }

    /// The streams an `onMetaData` script tag names through `audiocodecid` and `videocodecid`.
    static func streams(announcedIn payload: ByteBuffer, amf: AMF0Decoder) -> FLVTag.StreamFlags? {
        guard let values = try? amf.decodeAll(payload), values.count >= 2 else { return nil }
        var flags: FLVTag.StreamFlags = []
        if values[1]["audiocodecid"] != nil { flags.insert(.audio) }
        if values[1]["videocodecid"] != nil { flags.insert(.video) }
        return flags
    }

    /// The tags of an aggregate message: each is an FLV tag header, a body and a back pointer.
    private mutating func aggregate(_ message: RTMPMessage, to pieces: inout [FLVTag], amf: AMF0Decoder) {
        var payload = message.payload
        var base: UInt32?
        while payload.readableBytes >= 11 {
            let type = payload.readInteger(as: UInt8.self)! & 0x1F
            let size = Int(payload.readInteger(as: UInt8.self)!) << 16 | Int(payload.readInteger(as: UInt16.self)!)
            let low = UInt32(payload.readInteger(as: UInt8.self)!) << 16 | UInt32(payload.readInteger(as: UInt16.self)!)
            let time = UInt32(payload.readInteger(as: UInt8.self)!) << 24 | low
            payload.moveReaderIndex(forwardBy: 3)
            guard let body = payload.readSlice(length: size) else { break }
            _ = payload.readSlice(length: min(4, payload.readableBytes))
            let first = base ?? time
            base = first
            let sub = RTMPMessage(
                type: RTMPMessageType(rawValue: type), streamID: message.streamID,
                timestamp: message.timestamp &+ (time &- first), chunkStreamID: message.chunkStreamID, payload: body)
            if sub.type != .aggregate { append(sub, to: &pieces, amf: amf) }
        }
    }
}
