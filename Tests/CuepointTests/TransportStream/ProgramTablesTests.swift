import CuepointTestSupport
import Testing

@testable import Cuepoint

/// PAT and PMT sections, read and written; checked against the bytes FFmpeg's muxer writes.
@Suite(.ownThreads) struct ProgramTablesTests {
    /// The PAT FFmpeg 5.1's mpegts muxer writes by default (transport_stream_id 1, program 1 on PID
    /// 0x1000), from the first packet of `ffmpeg -f mpegts` output, pointer field removed.
    static let ffmpegPAT: [UInt8] = [
        0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00, 0x2A, 0xB1, 0x04, 0xB2,
    ]

    @Test func readsFFmpegsProgramAssociationWithItsCRC() {
        let table = ProgramAssociation(section: Self.ffmpegPAT)
        #expect(table == ProgramAssociation(transportStreamID: 1, programNumber: 1, mapPID: 0x1000))
    }

    @Test func writesTheSameBytesFFmpegWrites() {
        #expect(ProgramAssociation(transportStreamID: 1, programNumber: 1, mapPID: 0x1000).section == Self.ffmpegPAT)
    }

    @Test func refusesASectionWithABadCRC() {
        var damaged = Self.ffmpegPAT
        damaged[9] ^= 0x01
        #expect(ProgramAssociation(section: damaged) == nil)
    }

    @Test func programMapRoundTrips() {
        let map = ProgramMap(
            programNumber: 1, version: 3, clockPID: 0x100, programDescriptors: [0x05, 0x04] + Array("CUEI".utf8),
            streams: [
                .init(streamType: 0x1B, pid: 0x100, descriptors: []),
                .init(streamType: 0x0F, pid: 0x101, descriptors: [0x0A, 0x04, 0x65, 0x6E, 0x67, 0x00]),
                .init(streamType: 0x15, pid: 0x102, descriptors: TransportStreamOutput.metadataDescriptor),
            ])
        #expect(ProgramMap(section: map.section) == map)
    }

    @Test func sectionsLongerThanOnePacketSpanPackets() {
        let streams = (0..<40).map { ProgramMap.Stream(streamType: 0x06, pid: UInt16(0x200 + $0), descriptors: [0x52, 0x01, UInt8($0)]) }
        let map = ProgramMap(programNumber: 7, clockPID: 0x200, streams: streams)
        var counter: UInt8 = 14
        let packets = ProgramTables.packets(carrying: map.section, pid: 0x1000, counter: &counter)
        #expect(packets.count % 188 == 0 && packets.count > 188)
        #expect(counter == UInt8((14 + packets.count / 188) % 16))
        var assembler = SectionAssembler()
        var read: [UInt8]?
        for start in stride(from: 0, to: packets.count, by: 188) {
            let header = TransportPacket(packets.withUnsafeBytes { $0.baseAddress! + start })!
            #expect(header.pid == 0x1000)
            let payload = Array(packets[start + header.payloadOffset..<start + 188])
            if let section = payload.withUnsafeBytes({ assembler.feed($0, startsUnit: header.startsUnit) }) { read = section }
        }
        #expect(read.flatMap(ProgramMap.init(section:)) == map)
    }
}
