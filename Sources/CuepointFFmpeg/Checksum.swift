internal import CCuepointFFmpeg

/// Checksums FFmpeg computes for containers, for code that writes container structures itself.
public enum Checksum {
    /// CRC-32/MPEG-2 (polynomial 0x04C11DB7, initial value 0xFFFFFFFF, not reflected, no final
    /// XOR): the CRC of MPEG-TS program tables (ISO/IEC 13818-1 Annex A).
    ///
    /// The corresponding FFmpeg function is `av_crc` with the `AV_CRC_32_IEEE` table, as FFmpeg's
    /// own MPEG-TS muxer uses it: that table is kept byte-swapped, so the result is swapped back.
    public static func mpeg2CRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        guard let table = av_crc_get_table(AV_CRC_32_IEEE) else { return 0 }
        return bytes.withUnsafeBufferPointer { buffer in
            av_crc(table, UInt32.max, buffer.baseAddress, buffer.count).byteSwapped
        }
    }
}
