import CuepointTestSupport
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct AvcConfigurationTests {
    /// An SPS as x264 writes it for High profile level 3.0 with `sps-id=1` (cut after the id).
    static let highSPS: [UInt8] = [0x67, 0x64, 0x00, 0x1E, 0b0100_1011, 0x2C]
    /// A PPS with id 1 referring to SPS 1: ue(1) = 010, ue(1) = 010.
    static let pps1: [UInt8] = [0x68, 0b0100_1010, 0xBC]
    static let sps0: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0b1010_1100]
    static let pps0: [UInt8] = [0x68, 0b1100_0000]

    /// version, High, flags, level 3.1, 4-byte lengths, 1 SPS, …, 1 PPS, …, High trailer.
    static let record: [UInt8] =
        [1, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x05] + sps0 + [0x01, 0x00, 0x02] + pps0 + [0xFD, 0xF8, 0xF8, 0x00]

    @Test func parsesAndRebuildsARecordByteForByte() throws {
        let configuration = try AvcConfiguration(bytes: Self.record)
        #expect(configuration.profile == 100)
        #expect(configuration.level == 31)
        #expect(configuration.nalLengthSize == 4)
        #expect(configuration.sequenceParameterSets == [Self.sps0])
        #expect(configuration.pictureParameterSets == [Self.pps0])
        #expect(configuration.trailer == [0xFD, 0xF8, 0xF8, 0x00])
        #expect(configuration.bytes == Self.record)
    }

    @Test func mergingAppendsParameterSetsAndKeepsTheHigherLevel() throws {
        let merged = try AvcConfiguration(bytes: Self.record)
            .merging(sequenceParameterSets: [Self.highSPS], pictureParameterSets: [Self.pps1])
        #expect(
            merged.bytes
                == [1, 0x64, 0x00, 0x1F, 0xFF, 0xE2, 0x00, 0x05] + Self.sps0 + [0x00, 0x06] + Self.highSPS
                + [0x02, 0x00, 0x02] + Self.pps0 + [0x00, 0x03] + Self.pps1 + [0xFD, 0xF8, 0xF8, 0x00])
        let higher = [0x67, 0x64, 0x00, 0x28, 0b0100_0000] as [UInt8]
        #expect(
            try AvcConfiguration(bytes: Self.record).merging(sequenceParameterSets: [higher], pictureParameterSets: [])
                .level == 40)
        // A record without a trailer round-trips too.
        let short = AvcConfiguration(
            profile: 77, profileCompatibility: 0x40, level: 30, nalLengthSize: 4,
            sequenceParameterSets: [Self.sps0], pictureParameterSets: [Self.pps0])
        #expect(try AvcConfiguration(bytes: short.bytes) == short)
    }

    @Test func readsParameterSetIDs() {
        #expect(AvcNalUnits.sequenceParameterSetID(of: Self.sps0) == 0)
        #expect(AvcNalUnits.sequenceParameterSetID(of: Self.highSPS) == 1)
        #expect(AvcNalUnits.pictureParameterSetIDs(of: Self.pps0).map { [$0.picture, $0.sequence] } == [0, 0])
        #expect(AvcNalUnits.pictureParameterSetIDs(of: Self.pps1).map { [$0.picture, $0.sequence] } == [1, 1])
        // ue(31) = 00000 1 00000: PPS 31 for SPS 0 (ue(0) = 1).
        #expect(
            AvcNalUnits.pictureParameterSetIDs(of: [0x68, 0b0000_0100, 0b0001_0000]).map { [$0.picture, $0.sequence] }
                == [31, 0])
        #expect(AvcNalUnits.sequenceParameterSetID(of: Self.pps0) == nil)
        #expect(AvcNalUnits.pictureParameterSetIDs(of: Self.sps0) == nil)
        #expect(AvcNalUnits.sequenceParameterSetID(of: [0x67, 0x64, 0x00, 0x1F, 0x00]) == nil)
    }

    @Test func skipsEmulationPreventionBytes() {
        // profile 66, flags 0, level 0 end in two zero bytes, so the 0x03 that follows is an
        // emulation prevention byte and the id is read from the next byte: ue = 0b00101 → 4.
        #expect(AvcNalUnits.sequenceParameterSetID(of: [0x67, 0x42, 0x00, 0x00, 0x03, 0b0010_1000]) == 4)
    }

    @Test func splitsLengthPrefixedUnits() {
        #expect(
            AvcNalUnits.split(lengthPrefixed: [0, 0, 0, 2, 0x67, 0x64, 0, 0, 0, 1, 0x68], lengthSize: 4)
                == [[0x67, 0x64], [0x68]])
        #expect(AvcNalUnits.split(lengthPrefixed: [0, 2, 0x67], lengthSize: 2) == nil)
        #expect(AvcNalUnits.split(lengthPrefixed: [], lengthSize: 4) == [])
    }

    @Test(
        arguments: [
            ([0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1F], "the configuration is Annex B (start codes), not an avcC record"),
            ([2, 0x64, 0, 0x1F, 0xFF, 0xE1, 0], "avcC version 2 is not 1"),
            ([1, 0x64, 0], "3 bytes are too few for an avcC record (at least 7)"),
            ([1, 0x64, 0, 0x1F, 0xFF, 0xE1, 0x00, 0x09, 0x67], "SPS 1 of 1 (9 bytes) runs past the end of avcC"),
            ([1, 0x64, 0, 0x1F, 0xFF, 0xE1, 0x00, 0x01, 0x67], "avcC ends before its PPS count"),
            ([1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0x02], "avcC ends before the length of PPS 1 of 2"),
            ([1, 0x64, 0, 0x1F, 0xFE, 0xE0, 0x00], "avcC declares 3-byte NAL lengths"),
        ] as [([UInt8], String)])
    func rejectsBadRecords(bytes: [UInt8], message: String) {
        #expect(throws: AvcConfiguration.ParseError(description: message)) { try AvcConfiguration(bytes: bytes) }
    }
}
