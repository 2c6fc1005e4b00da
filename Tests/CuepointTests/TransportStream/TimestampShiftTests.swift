import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct TimestampShiftTests {
    /// A video packet starting a PES packet: adaptation field with a PCR, then a PES header with a PTS.
    static func packet(pcrBase: Int64, pts: Int64) -> [UInt8] {
        var bytes: [UInt8] = [0x47, 0x41, 0x00, 0x30]  // PID 0x100, unit start, adaptation + payload
        let adaptation: [UInt8] = [
            0x50, UInt8(pcrBase >> 25 & 0xFF), UInt8(pcrBase >> 17 & 0xFF), UInt8(pcrBase >> 9 & 0xFF),
            UInt8(pcrBase >> 1 & 0xFF), UInt8((pcrBase & 1) << 7 | 0x7E), 0x2A,
        ]
        bytes += [UInt8(adaptation.count)] + adaptation
        bytes += PESHeader.bytes(streamID: 0xE0, pts: pts, payloadLength: 0)
        bytes += [UInt8](repeating: 0xAB, count: 188 - bytes.count)
        return bytes
    }

    static func read(_ bytes: [UInt8]) -> (pcrBase: Int64, pcrTail: UInt8, pts: Int64?) {
        let b = (6...10).map { Int64(bytes[$0]) }
        let base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
        let pes = bytes.withUnsafeBytes { PESHeader(UnsafeRawBufferPointer(rebasing: $0[12...])) }
        return (base, bytes[10] & 0x7F, pes?.pts)
    }

    @Test func movesThePCRAndThePTSAndKeepsTheRest() {
        var bytes = Self.packet(pcrBase: 126_000, pts: 132_000)
        let payload = Array(bytes[26...])
        bytes.withUnsafeMutableBytes { TimestampShift.apply(900_000, to: $0.baseAddress!) }
        let read = Self.read(bytes)
        #expect(read.pcrBase == 1_026_000)
        #expect(read.pcrTail == 0x7E)
        #expect(bytes[11] == 0x2A)  // the PCR extension
        #expect(read.pts == 1_032_000)
        #expect(Array(bytes[26...]) == payload)
    }

    @Test func wrapsAt33Bits() {
        var bytes = Self.packet(pcrBase: TimestampShift.wrap - 10, pts: TimestampShift.wrap - 5)
        bytes.withUnsafeMutableBytes { TimestampShift.apply(20, to: $0.baseAddress!) }
        let read = Self.read(bytes)
        #expect(read.pcrBase == 10)
        #expect(read.pts == 15)
    }

    @Test func leavesAPacketThatStartsNothingAlone() {
        var bytes = [UInt8](repeating: 0xFF, count: 188)
        bytes[0] = 0x47; bytes[1] = 0x01; bytes[2] = 0x00; bytes[3] = 0x10  // payload only, no unit start
        let before = bytes
        bytes.withUnsafeMutableBytes { TimestampShift.apply(1234, to: $0.baseAddress!) }
        #expect(bytes == before)
    }
}
