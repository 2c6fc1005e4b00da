/// Reading H.264 NAL units without a decoder: splitting length-prefixed data into units and
/// reading the ids of parameter sets (ITU-T H.264, 7.3.2.1 and 7.3.2.2).
enum AvcNalUnits {
    /// The NAL unit type (`nal_unit_type`, the low 5 bits of the header byte).
    static let sequenceParameterSetType: UInt8 = 7
    static let pictureParameterSetType: UInt8 = 8

    /// The NAL units of length-prefixed data (an MP4 sample, or x264's output with
    /// `annexb=0`): each unit preceded by its length in `lengthSize` big-endian bytes.
    ///
    /// - Returns: nil when a length runs past the end.
    static func split(lengthPrefixed bytes: [UInt8], lengthSize: Int) -> [[UInt8]]? {
        var units: [[UInt8]] = []
        var position = 0
        while position < bytes.count {
            guard position + lengthSize <= bytes.count else { return nil }
            let length = bytes[position..<position + lengthSize].reduce(0) { $0 << 8 | Int($1) }
            position += lengthSize
            guard position + length <= bytes.count else { return nil }
            units.append(Array(bytes[position..<position + length]))
            position += length
        }
        return units
    }

    /// The type of a NAL unit, from its header byte; nil for an empty unit.
    static func type(of unit: [UInt8]) -> UInt8? { unit.first.map { $0 & 0x1F } }

    /// `seq_parameter_set_id` of an SPS NAL unit: the first Exp-Golomb code after
    /// profile_idc, the constraint flags and level_idc. Nil when the unit is not an SPS or
    /// is cut short.
    static func sequenceParameterSetID(of unit: [UInt8]) -> Int? {
        guard type(of: unit) == sequenceParameterSetType, unit.count > 4 else { return nil }
        var reader = BitReader(unit: unit, skippingBytes: 4)
        return reader.unsignedExpGolomb()
    }

    /// `pic_parameter_set_id` and the `seq_parameter_set_id` it refers to, the first two
    /// Exp-Golomb codes of a PPS NAL unit. Nil when the unit is not a PPS or is cut short.
    static func pictureParameterSetIDs(of unit: [UInt8]) -> (picture: Int, sequence: Int)? {
        guard type(of: unit) == pictureParameterSetType, unit.count > 1 else { return nil }
        var reader = BitReader(unit: unit, skippingBytes: 1)
        guard let picture = reader.unsignedExpGolomb(), let sequence = reader.unsignedExpGolomb() else { return nil }
        return (picture, sequence)
    }

    /// Reads bits of a NAL unit, most significant first, skipping the emulation prevention
    /// bytes (the 0x03 of every 0x00 0x00 0x03 sequence, H.264 7.4.1).
    struct BitReader {
        private var rbsp: [UInt8] = []
        private var bitPosition: Int

        /// A reader positioned after the first `skippingBytes` bytes of the unescaped unit
        /// (1 for the NAL header, 4 for an SPS's header, profile, flags and level).
        init(unit: [UInt8], skippingBytes: Int) {
            bitPosition = skippingBytes * 8
            var zeros = 0
            for byte in unit {
                if zeros >= 2 && byte == 3 {
                    zeros = 0
                    continue
                }
                zeros = byte == 0 ? zeros + 1 : 0
                rbsp.append(byte)
            }
        }

        mutating func bit() -> Int? {
            guard bitPosition < rbsp.count * 8 else { return nil }
            defer { bitPosition += 1 }
            return Int(rbsp[bitPosition / 8] >> (7 - UInt8(bitPosition % 8))) & 1
        }

        /// An `ue(v)` value: n zero bits, a one, then n bits (H.264 9.1). Nil past the end or
        /// for a code longer than 31 bits.
        mutating func unsignedExpGolomb() -> Int? {
            var leadingZeros = 0
            while true {
                guard let bit = bit() else { return nil }
                if bit == 1 { break }
                leadingZeros += 1
                if leadingZeros > 31 { return nil }
            }
            var suffix = 0
            for _ in 0..<leadingZeros {
                guard let bit = bit() else { return nil }
                suffix = suffix << 1 | bit
            }
            return (1 << leadingZeros) - 1 + suffix
        }
    }
}
