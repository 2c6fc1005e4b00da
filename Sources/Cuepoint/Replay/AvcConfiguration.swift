/// An H.264 decoder configuration record, the `avcC` box of an MP4 `avc1` sample entry and
/// the `extradata` FFmpeg reads from and writes to it (ISO/IEC 14496-15, 5.3.3.1).
///
/// Layout, big-endian:
///
///     u8   configurationVersion        always 1 (an Annex B start code begins with 0 instead)
///     u8   AVCProfileIndication        profile_idc, as in the SPS (66, 77, 100, …)
///     u8   profile_compatibility       the SPS's constraint_set flags byte
///     u8   AVCLevelIndication          level_idc (31 for level 3.1)
///     u8   0b111111xx                  xx = lengthSizeMinusOne: each NAL unit in a sample is
///                                      preceded by a 1-, 2- or 4-byte big-endian length
///     u8   0b111xxxxx                  xxxxx = numOfSequenceParameterSets
///          numOfSequenceParameterSets × { u16 length, SPS NAL unit (header byte 0x67 …) }
///     u8   numOfPictureParameterSets
///          numOfPictureParameterSets  × { u16 length, PPS NAL unit (header byte 0x68 …) }
///     for profile_idc 100, 110, 122 and 144 (absent in some older files):
///     u8   0b111111xx                  chroma_format_idc
///     u8   0b11111xxx                  bit_depth_luma_minus8
///     u8   0b11111xxx                  bit_depth_chroma_minus8
///     u8   numOfSequenceParameterSetExt
///          numOfSequenceParameterSetExt × { u16 length, SPS extension NAL unit }
///
/// A record may list several SPS and PPS, told apart by their ids
/// (`seq_parameter_set_id`, `pic_parameter_set_id`); each slice names the PPS it uses and
/// the PPS names its SPS. That is how an exact clip carries the source's parameter sets
/// and the re-encoder's in one track (see ``ExactClip``).
struct AvcConfiguration: Equatable, Sendable {
    /// `AVCProfileIndication`: the profile_idc the track declares.
    var profile: UInt8
    /// `profile_compatibility`: the constraint_set flags all the SPS satisfy.
    var profileCompatibility: UInt8
    /// `AVCLevelIndication`: the level_idc the track declares, the highest any SPS needs.
    var level: UInt8
    /// Bytes of the length field in front of each NAL unit in the samples: 1, 2 or 4.
    var nalLengthSize: Int
    /// SPS NAL units, each starting with its NAL header byte.
    var sequenceParameterSets: [[UInt8]]
    /// PPS NAL units, each starting with its NAL header byte.
    var pictureParameterSets: [[UInt8]]
    /// The bytes after the PPS list (chroma format, bit depths, SPS extensions of the High
    /// profiles), kept verbatim; empty when the record ends after the PPS.
    var trailer: [UInt8]

    /// Why bytes are not a configuration record.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Reads a configuration record.
    ///
    /// - Throws: `ParseError` for Annex B extradata (a start code instead of version 1), a
    ///   record that ends early, or a parameter set list that runs past the end.
    init(bytes: [UInt8]) throws(ParseError) {
        guard bytes.count >= 7 else {
            throw ParseError(description: "\(bytes.count) bytes are too few for an avcC record (at least 7)")
        }
        guard bytes[0] == 1 else {
            throw ParseError(
                description: bytes[0] == 0
                    ? "the configuration is Annex B (start codes), not an avcC record"
                    : "avcC version \(bytes[0]) is not 1")
        }
        profile = bytes[1]
        profileCompatibility = bytes[2]
        level = bytes[3]
        nalLengthSize = Int(bytes[4] & 0b11) + 1
        guard nalLengthSize != 3 else { throw ParseError(description: "avcC declares 3-byte NAL lengths") }
        var position = 6
        func readList(count: Int, of kind: String) throws(ParseError) -> [[UInt8]] {
            var units: [[UInt8]] = []
            for number in 0..<count {
                guard position + 2 <= bytes.count else {
                    throw ParseError(description: "avcC ends before the length of \(kind) \(number + 1) of \(count)")
                }
                let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
                position += 2
                guard length > 0, position + length <= bytes.count else {
                    throw ParseError(
                        description: "\(kind) \(number + 1) of \(count) (\(length) bytes) runs past the end of avcC")
                }
                units.append(Array(bytes[position..<position + length]))
                position += length
            }
            return units
        }
        sequenceParameterSets = try readList(count: Int(bytes[5] & 0b1_1111), of: "SPS")
        guard position < bytes.count else { throw ParseError(description: "avcC ends before its PPS count") }
        let ppsCount = Int(bytes[position])
        position += 1
        pictureParameterSets = try readList(count: ppsCount, of: "PPS")
        trailer = Array(bytes[position...])
    }

    init(
        profile: UInt8, profileCompatibility: UInt8, level: UInt8, nalLengthSize: Int,
        sequenceParameterSets: [[UInt8]], pictureParameterSets: [[UInt8]], trailer: [UInt8] = []
    ) {
        self.profile = profile
        self.profileCompatibility = profileCompatibility
        self.level = level
        self.nalLengthSize = nalLengthSize
        self.sequenceParameterSets = sequenceParameterSets
        self.pictureParameterSets = pictureParameterSets
        self.trailer = trailer
    }

    /// The record's bytes, in the layout above. At most 31 SPS and 255 PPS, each shorter
    /// than 64 KiB (what the fields can count; H.264 allows 32 SPS and 256 PPS ids).
    var bytes: [UInt8] {
        precondition(sequenceParameterSets.count < 32 && pictureParameterSets.count < 256, "too many parameter sets")
        var out: [UInt8] = [1, profile, profileCompatibility, level, 0b1111_1100 | UInt8(nalLengthSize - 1)]
        out.append(0b1110_0000 | UInt8(sequenceParameterSets.count))
        for unit in sequenceParameterSets { out += AvcConfiguration.lengthPrefixed(unit) }
        out.append(UInt8(pictureParameterSets.count))
        for unit in pictureParameterSets { out += AvcConfiguration.lengthPrefixed(unit) }
        return out + trailer
    }

    /// This record with `other`'s parameter sets appended, declaring the highest level of
    /// the two and only the compatibility flags both satisfy. The profile, NAL length size
    /// and trailer stay this record's. The caller makes sure the ids do not collide.
    func merging(sequenceParameterSets sps: [[UInt8]], pictureParameterSets pps: [[UInt8]]) -> AvcConfiguration {
        var merged = self
        merged.sequenceParameterSets += sps
        merged.pictureParameterSets += pps
        for unit in sps where unit.count >= 4 {
            merged.profileCompatibility &= unit[2]
            merged.level = max(merged.level, unit[3])
        }
        return merged
    }

    private static func lengthPrefixed(_ unit: [UInt8]) -> [UInt8] {
        precondition(unit.count <= Int(UInt16.max), "a parameter set of \(unit.count) bytes")
        return [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)] + unit
    }
}
