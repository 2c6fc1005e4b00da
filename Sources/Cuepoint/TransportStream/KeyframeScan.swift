/// Decides from the bytes of one video access unit whether it is a keyframe, the way FFmpeg's
/// parsers flag packets for its MPEG-TS demuxer: no decoding, only NAL unit headers. Pure.
///
/// **H.264** (`h264_parser.c`): a keyframe holds an IDR slice (`nal_unit_type` 5), or a slice
/// after an SEI message with a recovery point (payload type 6, ITU-T H.264 D.1.8: an I picture
/// a decoder may start from, as encoders with open GOPs or periodic intra refresh write).
/// **HEVC** (`hevc_parser.c`): a keyframe holds an IRAP slice (BLA, IDR or CRA: types 16–23).
///
/// The scan stops at the access unit's first slice. The random-access indicator of the
/// transport packet is not used: FFmpeg's demuxer ignores it (a stream that sets it on other
/// pictures, or leaves it out, is cut where the slow path would cut it).
enum KeyframeScan {
    /// The video codecs the transport stream copy path cuts.
    enum Codec: Sendable, Equatable {
        case h264
        case hevc
    }

    /// Whether the access unit whose elementary-stream bytes (Annex B) begin `bytes` is a
    /// keyframe.
    ///
    /// - Returns: nil when `bytes` ends before the first slice's NAL header (give more of the
    ///   access unit; one that has no slice at all is not a keyframe).
    static func isKeyframe(_ bytes: UnsafeRawBufferPointer, codec: Codec) -> Bool? {
        var index = 0
        var recoveryPoint = false
        let count = bytes.count
        while index + 3 < count {
            // The next start code 00 00 01; the NAL header follows it.
            guard bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 else {
                index += bytes[index + 2] > 1 ? 3 : 1
                continue
            }
            let header = bytes[index + 3]
            index += 4
            switch codec {
            case .h264:
                let type = header & 0x1F
                if type == 5 { return true }
                if (1...4).contains(type) { return recoveryPoint }
                if type == 6, hasRecoveryPoint(bytes, seiPayloadStart: index) { recoveryPoint = true }
            case .hevc:
                let type = (header >> 1) & 0x3F
                if (16...23).contains(type) { return true }
                if type <= 9 { return false }
                index += 1  // the second byte of HEVC's two-byte NAL header
            }
        }
        return nil
    }

    /// Whether the H.264 SEI NAL unit whose messages begin at `start` holds a recovery point
    /// (payload type 6). Messages are walked by their sizes (emulation prevention bytes removed)
    /// until the trailing bits or the next start code.
    static func hasRecoveryPoint(_ bytes: UnsafeRawBufferPointer, seiPayloadStart start: Int) -> Bool {
        var reader = RBSPReader(bytes, from: start)
        while let first = reader.peek(), first != 0x80 {
            var payloadType = 0
            while let byte = reader.next() {
                payloadType += Int(byte)
                if byte != 0xFF { break }
            }
            var payloadSize = 0
            while let byte = reader.next() {
                payloadSize += Int(byte)
                if byte != 0xFF { break }
            }
            if payloadType == 6 { return true }
            guard reader.skip(payloadSize) else { return false }
        }
        return false
    }

    /// Reads the raw byte sequence payload of one NAL unit: emulation prevention bytes (the 03
    /// of 00 00 03) are skipped, and the unit ends at the next start code.
    struct RBSPReader {
        private let bytes: UnsafeRawBufferPointer
        private var index: Int
        private var zeros = 0

        init(_ bytes: UnsafeRawBufferPointer, from start: Int) {
            self.bytes = bytes
            index = start
        }

        mutating func peek() -> UInt8? {
            var copy = self
            return copy.next()
        }

        mutating func next() -> UInt8? {
            while index < bytes.count {
                let byte = bytes[index]
                if zeros >= 2 {
                    if byte == 3 {
                        index += 1
                        zeros = 0
                        continue
                    }
                    if byte <= 1 { return nil }  // a start code: the unit ended
                }
                index += 1
                zeros = byte == 0 ? zeros + 1 : 0
                return byte
            }
            return nil
        }

        mutating func skip(_ count: Int) -> Bool {
            for _ in 0..<count where next() == nil { return false }
            return true
        }
    }
}

/// Counts the ADTS frames of an AAC PES packet, for its duration (each frame holds 1024
/// samples per channel). Pure.
enum ADTSFrames {
    /// The number of whole ADTS frames at the start of `bytes` (sync word 0xFFF, then each
    /// frame's 13-bit `frame_length`); stops at the first byte that does not start a frame.
    static func count(_ bytes: UnsafeRawBufferPointer) -> Int {
        var index = 0
        var frames = 0
        while index + 7 <= bytes.count, bytes[index] == 0xFF, bytes[index + 1] & 0xF0 == 0xF0 {
            let length = Int(bytes[index + 3] & 0x03) << 11 | Int(bytes[index + 4]) << 3 | Int(bytes[index + 5] >> 5)
            guard length >= 7 else { break }
            frames += 1
            index += length
        }
        return frames
    }
}
