import CuepointTestSupport
import NIOCore
import Testing

@testable import CuepointRTMP

@Suite("Handshake", .ownThreads)
struct HandshakeTests {
    static func zeros(_ buffer: inout ByteBuffer, _ count: Int) { buffer.writeRepeatingByte(0xAB, count: count) }

    static let c1: [UInt8] = (0..<1536).map { UInt8(truncatingIfNeeded: $0 * 31) }

    @Test("C0+C1 gets S0, S1 (time, four zero bytes, random) and S2 = C1; C2 ends it, what follows stays")
    func simpleHandshake() throws {
        var machine = HandshakeMachine()
        var buffer = ByteBuffer(bytes: [3] + Self.c1)
        guard case .send(let reply) = try machine.receive(&buffer, uptimeMilliseconds: 0x0102_0304, random: Self.zeros)
        else { Issue.record("no S0/S1/S2"); return }
        let bytes = reply.bytes
        #expect(bytes.count == 1 + 2 * 1536)
        #expect(bytes[0] == 3)
        #expect(Array(bytes[1..<9]) == [1, 2, 3, 4, 0, 0, 0, 0])
        #expect(bytes[9..<1537].allSatisfy { $0 == 0xAB })
        #expect(Array(bytes[1537...]) == Self.c1)
        #expect(buffer.readableBytes == 0)

        var rest = ByteBuffer(bytes: Array(repeating: 7, count: 1536) + [0x03, 0x00])
        #expect(try machine.receive(&rest, uptimeMilliseconds: 0, random: Self.zeros) == .completed)
        #expect(machine.state == .done)
        #expect(rest.bytes == [0x03, 0x00])
    }

    @Test("the handshake split at every offset needs more bytes until C0+C1 and C2 are whole")
    func split() throws {
        let all: [UInt8] = [3] + Self.c1 + Array(repeating: 1, count: 1536)
        for offset in stride(from: 0, through: all.count, by: 97) + [1, 1536, 1537, 1538, 3072, 3073] {
            var machine = HandshakeMachine()
            var buffer = ByteBuffer(bytes: all[..<offset])
            var sent = 0
            func drive() throws {
                while true {
                    switch try machine.receive(&buffer, uptimeMilliseconds: 0, random: Self.zeros) {
                    case .needMoreBytes: return
                    case .send: sent += 1
                    case .completed: return
                    }
                }
            }
            try drive()
            buffer.writeBytes(all[offset...])
            try drive()
            #expect(machine.state == .done, "split at \(offset)")
            #expect(sent == 1)
        }
    }

    @Test("a first byte other than 3 is refused with the likely cause")
    func wrongVersion() throws {
        let cases: [(UInt8, String)] = [
            (UInt8(ascii: "G"), "like an HTTP request"),
            (0x16, "starts like TLS"),
            (6, "encrypted RTMP (RTMPE, version 6)"),
            (0, "starts with version 0x0; RTMP clients send 3"),
        ]
        for (byte, text) in cases {
            var machine = HandshakeMachine()
            var buffer = ByteBuffer(bytes: [byte])
            let error = try #require(throws: RTMPProtocolError.self) {
                try machine.receive(&buffer, uptimeMilliseconds: 0, random: Self.zeros)
            }
            #expect(error.message.contains(text), "\(byte): \(error)")
        }
    }
}
