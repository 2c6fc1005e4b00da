import CuepointTestSupport
import CuepointRTMP
import Foundation
import NIOCore
import Testing

@Suite("Chunk decoder", .ownThreads)
struct ChunkDecoderTests {
    /// `count` payload bytes that never repeat a 4-byte extended timestamp by accident.
    static func payload(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) | 0x80 }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    static func message(
        _ type: UInt8, stream: UInt32 = 0, time: UInt32 = 0, chunkStream: UInt32, _ payload: [UInt8]
    ) -> RTMPMessage {
        RTMPMessage(
            type: RTMPMessageType(rawValue: type), streamID: stream, timestamp: time, chunkStreamID: chunkStream,
            payload: ByteBuffer(bytes: payload))
    }

    /// A byte table and the messages it holds, in the order of a connection (chunk-size
    /// changes apply to what follows them).
    static let cases: [(name: String, hex: String, messages: [RTMPMessage])] = {
        let long = payload(300)
        let extended = payload(200, seed: 3)
        let fmle = payload(200, seed: 5)
        let aborted = payload(128, seed: 9)
        let huge = payload(300, seed: 11)
        return [
            (
                "type 0, one-byte basic header",
                "03 000000 000005 14 00000000 \(Hex.of("hello"))",
                [message(20, chunkStream: 3, Array("hello".utf8))]
            ),
            (
                "two-byte basic header (chunk stream 74)",
                "00 0A 000010 000001 12 01000000 AA",
                [message(18, stream: 1, time: 16, chunkStream: 74, [0xAA])]
            ),
            (
                "three-byte basic header (chunk stream 364)",
                "01 2C01 000010 000001 12 01000000 BB",
                [message(18, stream: 1, time: 16, chunkStream: 364, [0xBB])]
            ),
            (
                "a 300-byte message in chunks of 128",
                "04 000000 00012C 08 01000000 \(hex(Array(long[0..<128]))) C4 \(hex(Array(long[128..<256]))) C4 \(hex(Array(long[256...])))",
                [message(8, stream: 1, chunkStream: 4, long)]
            ),
            (
                "timestamp deltas: types 1, 2, and 3 starting a message",
                "06 000028 000002 09 01000000 AAAA 46 000021 000003 09 BBBBBB 86 000022 CCCCCC C6 DDDDDD",
                [
                    message(9, stream: 1, time: 40, chunkStream: 6, [0xAA, 0xAA]),
                    message(9, stream: 1, time: 73, chunkStream: 6, [0xBB, 0xBB, 0xBB]),
                    message(9, stream: 1, time: 107, chunkStream: 6, [0xCC, 0xCC, 0xCC]),
                    message(9, stream: 1, time: 141, chunkStream: 6, [0xDD, 0xDD, 0xDD]),
                ]
            ),
            (
                "type 3 after type 0 adds the type-0 field (FFmpeg's writer relies on it)",
                "07 000028 000001 08 01000000 11 C7 22",
                [
                    message(8, stream: 1, time: 40, chunkStream: 7, [0x11]),
                    message(8, stream: 1, time: 80, chunkStream: 7, [0x22]),
                ]
            ),
            (
                "extended timestamp repeated after type 3 (specification, FFmpeg)",
                "05 FFFFFF 0000C8 09 01000000 01000000 \(hex(Array(extended[0..<128]))) C5 01000000 \(hex(Array(extended[128...])))",
                [message(9, stream: 1, time: 0x0100_0000, chunkStream: 5, extended)]
            ),
            (
                "extended timestamp not repeated after type 3 (Flash Media Live Encoder)",
                "08 FFFFFF 0000C8 09 01000000 01000001 \(hex(Array(fmle[0..<128]))) C8 \(hex(Array(fmle[128...])))",
                [message(9, stream: 1, time: 0x0100_0001, chunkStream: 8, fmle)]
            ),
            (
                "Abort drops the partial message of its chunk stream",
                "04 000000 00012C 08 01000000 \(hex(aborted)) 02 000000 000004 02 00000000 00000004 04 000000 000002 08 01000000 EEEE",
                [
                    message(2, chunkStream: 2, [0, 0, 0, 4]),
                    message(8, stream: 1, chunkStream: 4, [0xEE, 0xEE]),
                ]
            ),
            (
                "Set Chunk Size 1: a message in one-byte chunks",
                "02 000000 000004 01 00000000 00000001 03 000000 000003 14 00000000 41 C3 42 C3 43",
                [
                    message(1, chunkStream: 2, [0, 0, 0, 1]),
                    message(20, chunkStream: 3, [0x41, 0x42, 0x43]),
                ]
            ),
            (
                "Set Chunk Size 0x7FFFFFFF: a whole message in one chunk",
                // The Set Chunk Size message itself still comes in chunks of 1 (the case before).
                "02 000000 000004 01 00000000 7F C2 FF C2 FF C2 FF 04 000000 00012C 08 01000000 \(hex(huge))",
                [
                    message(1, chunkStream: 2, [0x7F, 0xFF, 0xFF, 0xFF]),
                    message(8, stream: 1, chunkStream: 4, huge),
                ]
            ),
        ]
    }()

    static var stream: [UInt8] { cases.flatMap { Hex.bytes($0.hex) } }
    static var allMessages: [RTMPMessage] { cases.flatMap(\.messages) }

    /// Decodes `parts` fed one after the other into one buffer, as reads from a socket.
    static func decode(_ parts: [ArraySlice<UInt8>], limits: ChunkDecoder.Limits = .init()) throws -> [RTMPMessage] {
        var decoder = ChunkDecoder(limits: limits)
        var buffer = ByteBuffer()
        var messages: [RTMPMessage] = []
        for part in parts {
            buffer.writeBytes(part)
            while let message = try decoder.next(from: &buffer) { messages.append(message) }
        }
        #expect(buffer.readableBytes == 0, "bytes left over")
        return messages
    }

    @Test("each byte table decodes to its messages")
    func tables() throws {
        var decoder = ChunkDecoder()
        for (name, hex, expected) in Self.cases {
            var buffer = Hex.buffer(hex)
            var messages: [RTMPMessage] = []
            do {
                while let message = try decoder.next(from: &buffer) { messages.append(message) }
            } catch {
                Issue.record("\(name): \(error)")
                return
            }
            #expect(messages == expected, "\(name)")
            #expect(buffer.readableBytes == 0, "\(name): bytes left over")
        }
        #expect(decoder.chunkSize == ChunkDecoder.maximumChunkSize)
    }

    @Test("a read split at every offset gives the same messages")
    func splitAtEveryOffset() throws {
        let bytes = Self.stream
        for offset in 0...bytes.count {
            let messages = try Self.decode([bytes[..<offset], bytes[offset...]])
            #expect(messages == Self.allMessages, "split at \(offset)")
        }
    }

    @Test("one byte at a time gives the same messages")
    func byteByByte() throws {
        let bytes = Self.stream
        #expect(try Self.decode(bytes.indices.map { bytes[$0...$0] }) == Self.allMessages)
    }

    @Test("Set Chunk Size 0 and values over 31 bits are refused")
    func badChunkSizes() throws {
        for value in ["00000000", "80000000", "FFFFFFFF"] {
            var buffer = Hex.buffer("02 000000 000004 01 00000000 \(value)")
            var decoder = ChunkDecoder()
            let error = try #require(throws: RTMPProtocolError.self) { try decoder.next(from: &buffer) }
            #expect(error.message.hasPrefix("Set Chunk Size \(UInt32(value, radix: 16)!) is not allowed: RTMP chunk sizes are 1 to 2147483647"))
        }
    }

    @Test("broken chunk streams are refused with what was wrong")
    func brokenStreams() throws {
        let cases: [(String, String)] = [
            ("C3 00", "chunk stream 3 starts with a type-3 header"),
            ("43 000000 000001 14 00", "chunk stream 3 starts with a type-1 header"),
            (
                "04 000000 00012C 08 01000000 \(Self.hex(Self.payload(128))) 04 000000 000001 08 01000000 00",
                "chunk stream 4: a type-0 header arrived while 172 bytes of the previous message were still due"
            ),
            ("02 000000 000002 01 00000000 0001", "a Set Chunk Size message of 2 bytes (it needs 4)"),
        ]
        for (hex, problem) in cases {
            var buffer = Hex.buffer(hex)
            var decoder = ChunkDecoder()
            let error = try #require(throws: RTMPProtocolError.self) {
                while try decoder.next(from: &buffer) != nil {}
            }
            #expect(error.message.hasPrefix(problem), "\(hex): \(error)")
        }
    }

    @Test("limits: message size, chunk streams, bytes of partial messages")
    func limits() throws {
        var decoder = ChunkDecoder(limits: .init(maximumMessageSize: 1000))
        var big = Hex.buffer("04 000000 0003E9 09 01000000")
        let tooLong = try #require(throws: RTMPProtocolError.self) { try decoder.next(from: &big) }
        #expect(tooLong.message == "a video message of 1001 bytes on chunk stream 4 is longer than the limit of 1000 bytes")

        var many = ByteBuffer()
        for id in 3..<10 { many.writeBytes(Hex.bytes("\(String(format: "%02X", id)) 000000 000001 08 01000000 00")) }
        var streams = ChunkDecoder(limits: .init(maximumChunkStreams: 4))
        let tooMany = try #require(throws: RTMPProtocolError.self) { while try streams.next(from: &many) != nil {} }
        #expect(tooMany.message == "more than 4 chunk streams on one connection")

        // Two 600-byte messages started on two chunk streams, each waiting for its next chunk.
        var partial = Hex.buffer("04 000000 000258 09 01000000 \(Self.hex(Self.payload(128))) 06 000000 000258 09 01000000")
        var pending = ChunkDecoder(limits: .init(maximumMessageSize: 1000, maximumPendingBytes: 1000))
        let tooMuch = try #require(throws: RTMPProtocolError.self) { while try pending.next(from: &partial) != nil {} }
        #expect(tooMuch.message == "partial messages on one connection would hold more than 1000 bytes")
    }
}

@Suite("Chunk encoder", .ownThreads)
struct ChunkEncoderTests {
    @Test("Set Chunk Size as FFmpeg's and nginx-rtmp's servers write it")
    func setChunkSize() {
        var buffer = ByteBuffer()
        let message = RTMPMessage(type: .setChunkSize, chunkStreamID: 2, payload: ByteBuffer(bytes: [0, 0, 0x10, 0]))
        ChunkEncoder().encode(message, into: &buffer)
        #expect(buffer.bytes == Hex.bytes("02 000000 000004 01 00000000 00001000"))
    }

    @Test("the encoder writes the decoder's byte tables: chunks of 128, extended timestamps repeated")
    func tables() {
        for name in ["a 300-byte message in chunks of 128", "extended timestamp repeated after type 3 (specification, FFmpeg)"] {
            let (_, hex, messages) = ChunkDecoderTests.cases.first { $0.name == name }!
            var buffer = ByteBuffer()
            ChunkEncoder().encode(messages[0], into: &buffer)
            #expect(buffer.bytes == Hex.bytes(hex), "\(name)")
        }
    }

    @Test("basic headers of every size round-trip through the decoder")
    func roundTrip() throws {
        var buffer = ByteBuffer()
        var expected: [RTMPMessage] = []
        let encoder = ChunkEncoder(chunkSize: 50)
        for (index, chunkStream) in [2, 63, 64, 319, 320, 65599].enumerated() {
            let message = RTMPMessage(
                type: .video, streamID: 1, timestamp: UInt32(index * 1000), chunkStreamID: UInt32(chunkStream),
                payload: ByteBuffer(bytes: ChunkDecoderTests.payload(120, seed: UInt8(index))))
            expected.append(message)
            encoder.encode(message, into: &buffer)
        }
        var decoder = ChunkDecoder()
        var control = Hex.buffer("02 000000 000004 01 00000000 00000032")
        _ = try decoder.next(from: &control)
        var decoded: [RTMPMessage] = []
        while let message = try decoder.next(from: &buffer) { decoded.append(message) }
        #expect(decoded == expected)
    }
}
