/// Helpers for H.264 / HEVC byte streams in Annex B form (NAL units after `00 00 01` or
/// `00 00 00 01` start codes), as FFmpeg's MPEG-TS demuxer and `*_mp4toannexb` filters give them.
enum AnnexB {
    /// The first NAL unit (header included, start code excluded) whose first header byte satisfies
    /// `matches`. A NAL unit ends where the next start code (or a zero run before one) begins.
    static func firstNALUnit(in bytes: [UInt8], where matches: (UInt8) -> Bool) -> ArraySlice<UInt8>? {
        var index = 0
        while let start = startCodeEnd(in: bytes, from: index) {
            guard start < bytes.count else { return nil }
            var end = start
            while end < bytes.count {
                if end + 2 < bytes.count, bytes[end] == 0, bytes[end + 1] == 0, bytes[end + 2] <= 1 { break }
                end += 1
            }
            if matches(bytes[start]) { return bytes[start..<end] }
            index = end
        }
        return nil
    }

    /// The NAL unit with its emulation-prevention bytes removed: every `03` that follows two zero
    /// bytes is dropped (`00 00 03 01` → `00 00 01`), giving the raw byte sequence payload.
    static func removingEmulationPrevention(_ unit: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(unit.count)
        var zeros = 0
        for byte in unit {
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            result.append(byte)
        }
        return result
    }

    /// The index just after the next `00 00 01` at or after `from` (a 4-byte start code is a zero
    /// followed by a 3-byte one), or nil.
    private static func startCodeEnd(in bytes: [UInt8], from: Int) -> Int? {
        var index = from
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 { return index + 3 }
            index += 1
        }
        return nil
    }
}
