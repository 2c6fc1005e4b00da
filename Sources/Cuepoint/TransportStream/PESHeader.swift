/// The start of a PES packet: its timestamps and where its elementary-stream bytes begin
/// (ISO/IEC 13818-1 §2.4.3.6). Pure.
///
///     00 00 01  stream_id  PES_packet_length(16)
///     '10' scrambling priority alignment copyright original   PTS_DTS_flags(2) …   header_length
///     PTS (5 bytes, when flagged)  DTS (5 bytes, when flagged)  … stuffing …  payload
///
/// A PES packet with a PTS and no DTS decodes when it presents: its DTS is its PTS, as FFmpeg's
/// demuxer sets it.
struct PESHeader: Equatable {
    /// `stream_id`: 0xE0–0xEF video, 0xC0–0xDF audio, 0xBD private stream 1.
    var streamID: UInt8
    /// `PES_packet_length`: the bytes after this field; 0 for "unbounded" (video).
    var packetLength: Int
    /// The presentation time in 90 kHz ticks (33 bits, not unwrapped); nil when absent.
    var pts: Int64?
    /// The decoding time in 90 kHz ticks; the PTS when only a PTS is present.
    var dts: Int64?
    /// The number of bytes before the elementary stream data starts.
    var headerSize: Int

    /// Reads the PES header at the start of `payload` (the payload of the packet that starts the
    /// PES packet); nil when it does not start with a PES start code or is cut short.
    init?(_ payload: UnsafeRawBufferPointer) {
        guard payload.count >= 6, payload[0] == 0, payload[1] == 0, payload[2] == 1 else { return nil }
        streamID = payload[3]
        packetLength = Int(payload[4]) << 8 | Int(payload[5])
        pts = nil
        dts = nil
        guard PESHeader.hasOptionalHeader(streamID) else {
            headerSize = 6
            return
        }
        guard payload.count >= 9, payload[6] & 0xC0 == 0x80 else { return nil }
        let flags = payload[7] >> 6
        let length = Int(payload[8])
        headerSize = 9 + length
        guard headerSize <= payload.count else { return nil }
        if flags & 0b10 != 0, length >= 5 {
            pts = PESHeader.timestamp(payload, at: 9)
            dts = pts
        }
        if flags == 0b11, length >= 10 {
            dts = PESHeader.timestamp(payload, at: 14)
        }
    }

    /// Whether packets of `streamID` carry the optional header with flags and timestamps (all
    /// but padding, private stream 2, ECM/EMM, DSM-CC, H.222.1 type E and program stream directory).
    static func hasOptionalHeader(_ streamID: UInt8) -> Bool {
        ![0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF].contains(streamID)
    }

    /// A 33-bit timestamp coded in 5 bytes with marker bits.
    static func timestamp(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
        let b0 = Int64(bytes[offset]), b1 = Int64(bytes[offset + 1]), b2 = Int64(bytes[offset + 2])
        let b3 = Int64(bytes[offset + 3]), b4 = Int64(bytes[offset + 4])
        return (b0 >> 1 & 0x07) << 30 | b1 << 22 | (b2 >> 1) << 15 | b3 << 7 | b4 >> 1
    }

    /// A PES header with a PTS only, for a packet of `length` payload bytes (`length` 0 writes
    /// an unbounded packet): what the timed-metadata packets the copy path writes start with.
    static func bytes(streamID: UInt8, pts: Int64, payloadLength: Int, dataAlignment: Bool = true) -> [UInt8] {
        let packetLength = payloadLength == 0 ? 0 : payloadLength + 8
        let ticks = pts & 0x1_FFFF_FFFF
        return [
            0x00, 0x00, 0x01, streamID, UInt8(packetLength >> 8 & 0xFF), UInt8(packetLength & 0xFF),
            dataAlignment ? 0x84 : 0x80, 0x80, 0x05,
            UInt8(0x21 | (ticks >> 29 & 0x0E)), UInt8(ticks >> 22 & 0xFF), UInt8(ticks >> 14 & 0xFE | 1),
            UInt8(ticks >> 7 & 0xFF), UInt8(ticks << 1 & 0xFE | 1),
        ]
    }
}
