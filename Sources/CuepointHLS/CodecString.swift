/// RFC 6381 codec strings for the CODECS attribute, computed from the bytes FFmpeg exposes as
/// `AVCodecParameters.extradata` (hls-reference §9).
///
/// FFmpeg 5.1's own HLS muxer gets these wrong or leaves them out (avcC extradata, 3-byte start
/// codes, AAC other than LC, HEVC), so Cuepoint computes them itself. Never rebuild the H.264
/// string from `codecpar->profile`, which may carry FFmpeg's CONSTRAINED or INTRA flag bits.
public enum CodecString {
    /// `avc1.PPCCLL`: profile_idc, the constraint-flags byte and level_idc in lowercase hex
    /// (`avc1.64001f` is High, no constraints, level 3.1).
    ///
    /// - Parameter bytes: either an avcC record (AVCDecoderConfigurationRecord, first byte 1, as
    ///   from MP4, FLV or RTMP; the three bytes are its bytes 1–3) or an Annex B byte stream (as from
    ///   MPEG-TS; the three bytes follow the header of the first SPS NAL unit, type 7, after a 3- or
    ///   4-byte start code).
    /// - Returns: nil when the bytes are neither or are too short.
    public static func h264(configuration bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        if first == 1 {
            guard bytes.count >= 4 else { return nil }
            return "avc1." + HexText.lowercase(bytes[1...3])
        }
        guard let unit = AnnexB.firstNALUnit(in: bytes, where: { $0 & 0x1F == 7 }) else { return nil }
        let payload = AnnexB.removingEmulationPrevention(unit)
        guard payload.count >= 4 else { return nil }
        return "avc1." + HexText.lowercase(payload[1...3])
    }

    /// `hvc1.[A|B|C]<profile_idc>.<compatibility>.<L|H><level_idc>[.<constraint byte>…]`, as
    /// ISO/IEC 14496-15 Annex E defines it and Shaka Packager's
    /// `HEVCDecoderConfigurationRecord::GetCodecString` writes it: `hvc1.1.6.L93.B0`.
    ///
    /// The fields come from the general profile_tier_level: the profile space as a letter (none
    /// for 0), profile_idc in decimal, the 32 compatibility flags bit-reversed in uppercase hex
    /// without leading zeros, the tier (`L` main, `H` high) with level_idc in decimal (30 × the
    /// level: `L93` is 3.1), then the six constraint-indicator bytes in uppercase hex without
    /// leading zeros, trailing zero bytes dropped. The sample entry is always `hvc1`, the one
    /// Apple requires.
    ///
    /// - Parameter bytes: either an hvcC record (HEVCDecoderConfigurationRecord, first byte 1: byte 1
    ///   is space | tier | profile, 2–5 the compatibility flags, 6–11 the constraints, 12 the level)
    ///   or an Annex B byte stream (the first SPS NAL unit, type 33, with emulation-prevention bytes
    ///   removed; after its 2-byte header and the byte holding the VPS id, sub-layer count and
    ///   temporal nesting flag, the same 12-byte layout follows).
    /// - Returns: nil when the bytes are neither or are too short.
    public static func hevc(configuration bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        let profileTierLevel: ArraySlice<UInt8>
        if first == 1 {
            guard bytes.count >= 13 else { return nil }
            profileTierLevel = bytes[1...12]
        } else {
            guard let unit = AnnexB.firstNALUnit(in: bytes, where: { ($0 >> 1) & 0x3F == 33 }) else { return nil }
            let payload = AnnexB.removingEmulationPrevention(unit)
            guard payload.count >= 15 else { return nil }
            profileTierLevel = payload[3...14]
        }
        return hevcString(profileTierLevel: Array(profileTierLevel))
    }

    /// `mp4a.40.<AOT>`: the MPEG-4 audio object type in decimal (2 = AAC-LC, 5 = HE-AAC,
    /// 29 = HE-AACv2), as FFmpeg's `dashenc.c` computes it.
    ///
    /// - Parameter audioSpecificConfig: the AudioSpecificConfig (`extradata` of AAC in MP4, FLV or
    ///   from ADTS with a bitstream filter). The AOT is its first 5 bits; 31 is an escape meaning
    ///   32 plus the next 6 bits.
    /// - Returns: nil when the bytes are too short or the AOT is 0 (null object).
    public static func aac(audioSpecificConfig bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        var objectType = Int(first >> 3)
        if objectType == 31 {
            guard bytes.count >= 2 else { return nil }
            objectType = 32 + Int((first & 0x07) << 3 | bytes[1] >> 5)
        }
        guard objectType != 0 else { return nil }
        return "mp4a.40.\(objectType)"
    }

    /// `mp4a.40.<profile + 1>` for AAC without extradata (raw ADTS in MPEG-TS), from FFmpeg's
    /// `AVCodecParameters.profile`: `FF_PROFILE_AAC_LOW` (1) → `mp4a.40.2`, `FF_PROFILE_AAC_HE`
    /// (4) → `mp4a.40.5`, `FF_PROFILE_AAC_HE_V2` (28) → `mp4a.40.29`.
    ///
    /// - Parameter profile: the FFmpeg profile; an unknown one (`FF_PROFILE_UNKNOWN`, -99, or any
    ///   negative value) gives `mp4a.40.2`, the AAC-LC that ADTS streams nearly always carry.
    public static func aac(profile: Int) -> String {
        "mp4a.40.\(profile >= 0 ? profile + 1 : 2)"
    }

    /// Formats the 12 bytes of a general profile_tier_level (without sub-layers).
    private static func hevcString(profileTierLevel bytes: [UInt8]) -> String {
        let space = Int(bytes[0] >> 6)
        let highTier = (bytes[0] >> 5) & 1 == 1
        let profile = bytes[0] & 0x1F
        let compatibility = bytes[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var constraints = Array(bytes[5...10])
        while constraints.last == 0 { constraints.removeLast() }
        var fields = [
            "hvc1",
            ["", "A", "B", "C"][space] + "\(profile)",
            HexText.uppercaseTrimmed(reversedBits(compatibility)),
            (highTier ? "H" : "L") + "\(bytes[11])",
        ]
        fields += constraints.map { String($0, radix: 16, uppercase: true) }
        return fields.joined(separator: ".")
    }

    /// The 32 bits in reverse order: bit 31 becomes bit 0.
    static func reversedBits(_ value: UInt32) -> UInt32 {
        var input = value
        var output: UInt32 = 0
        for _ in 0..<32 {
            output = output << 1 | input & 1
            input >>= 1
        }
        return output
    }
}
