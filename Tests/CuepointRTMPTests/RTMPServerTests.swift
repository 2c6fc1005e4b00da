import CuepointTestSupport
import CuepointRTMP
import Foundation
import NIOCore
import Testing

/// The server on a loopback port with hand-driven clients: the inputs real publishers never
/// send. The same server with FFmpeg and GStreamer publishing is tested in
/// `CuepointTests/Integration/RTMP`.
@Suite("RTMP server, raw clients", .serialized, .ownThreads)
struct RTMPServerTests {
    @Test("a garbage handshake is refused at once, naming what it looked like", .timeLimit(.minutes(1)))
    func garbageHandshake() async throws {
        let test = try await TestServer.start()
        let client = try RawClient(port: test.port)
        try client.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(await client.closedByServer())
        #expect(poll(5) { test.log.closeReasons.contains { $0.contains("like an HTTP request") } }, "\(test.log.all)")
        await test.stop()
    }

    @Test("a stalled handshake is closed after the handshake timeout", .timeLimit(.minutes(1)))
    func stalledHandshake() async throws {
        let test = try await TestServer.start { $0.handshakeTimeout = .seconds(1) }
        let client = try RawClient(port: test.port, timeout: 10)
        try client.send([3] + [UInt8](repeating: 0, count: 700))  // C0 and half of C1, then nothing
        #expect(await client.closedByServer())
        #expect(poll(5) { test.log.closeReasons == ["the handshake did not finish within 1 s"] }, "\(test.log.all)")
        await test.stop()
    }

    @Test(
        "200 idle connections: those over the limit closed at once, the rest timed out, no descriptor left open",
        .timeLimit(.minutes(2)))
    func idleConnections() async throws {
        let test = try await TestServer.start {
            $0.maximumConnections = 150
            $0.handshakeTimeout = .seconds(2)
        }
        var clients: [RawClient] = []
        for _ in 0..<200 { clients.append(try RawClient(port: test.port, timeout: 15)) }
        #expect(poll(10) { test.log.refusedConnections == 50 }, "refused: \(test.log.refusedConnections)")
        #expect(test.server.connectionCount == 150)
        #expect(acceptedDescriptors(port: test.port) == 150)
        // Every client sees its connection closed: 50 at once, 150 at the handshake timeout.
        for client in clients { #expect(await client.closedByServer()) }
        #expect(poll(10) { test.server.connectionCount == 0 && test.log.closeReasons.count == 150 })
        #expect(test.log.closeReasons.allSatisfy { $0 == "the handshake did not finish within 2 s" })
        clients.removeAll()
        #expect(poll(5) { acceptedDescriptors(port: test.port) == 0 }, "\(acceptedDescriptors(port: test.port)) still open")
        await test.stop()
    }

    @Test("a publisher that sends only metadata: the FLV header and script tag, then the idle timeout ends it", .timeLimit(.minutes(1)))
    func metadataOnly() async throws {
        let test = try await TestServer.start { $0.idleTimeout = .seconds(1) }
        let client = try RawClient(port: test.port)
        let status = try client.publish(key: "KEY")
        #expect(status["code"] == .string("NetStream.Publish.Start"))
        let properties = [AMF0Property("videocodecid", .number(7)), AMF0Property("audiocodecid", .number(10))]
        try client.sendMetadata(properties)
        let session = try #require(test.router.session("KEY"))
        let (bytes, end) = session.readAll()
        let script = FLVTag(.script, timestamp: 0, payload: AMF0Encoder.encode([.string("onMetaData"), .ecmaArray(properties)]))
        #expect(bytes == FLVTagTests.read([.fileHeader([.audio, .video]), script]))
        #expect(end == .timedOut(milliseconds: 1000))
        #expect(poll(5) { test.log.closeReasons == ["nothing arrived for 1 s"] }, "\(test.log.all)")
        await test.stop()
    }

    @Test("chunk size 1 and 0x7FFFFFFF carry the same media", .timeLimit(.minutes(1)), arguments: [UInt32(1), 0x7FFF_FFFF])
    func chunkSizes(size: UInt32) async throws {
        let test = try await TestServer.start()
        let client = try RawClient(port: test.port)
        try client.handshake()
        try client.setChunkSize(size)
        _ = try client.publish(key: "KEY", handshakeFirst: false)
        let frames = (0..<5).map { index in [0x17, 0x01] + ChunkDecoderTests.payload(1000 + index * 300, seed: UInt8(index)) }
        for (index, frame) in frames.enumerated() { try client.sendVideo(frame, timestamp: UInt32(index * 40)) }
        let session = try #require(test.router.session("KEY"))
        #expect(session.chunkSize == Int(size))
        client.shutdownWriting()
        let (bytes, end) = session.readAll()
        let tags = [FLVTag.fileHeader([.video])]
            + frames.enumerated().map { FLVTag(.video, timestamp: UInt32($0.offset * 40), payload: ByteBuffer(bytes: $0.element)) }
        #expect(bytes == FLVTagTests.read(tags))
        #expect(end == .publisherLeft)
        await test.stop()
    }

    @Test("Set Chunk Size 0 from a client closes the connection with the reason", .timeLimit(.minutes(1)))
    func chunkSizeZero() async throws {
        let test = try await TestServer.start()
        let client = try RawClient(port: test.port)
        try client.handshake()
        try client.setChunkSize(0)
        #expect(await client.closedByServer())
        #expect(poll(5) { test.log.closeReasons.first?.hasPrefix("Set Chunk Size 0 is not allowed") == true }, "\(test.log.all)")
        await test.stop()
    }

    @Test("a wrong key and a second publisher for a live key are refused with NetStream.Publish.BadName", .timeLimit(.minutes(1)))
    func refusals() async throws {
        let test = try await TestServer.start()
        let wrong = try RawClient(port: test.port)
        let refused = try wrong.publish(key: "NOPE")
        #expect(refused["code"] == .string("NetStream.Publish.BadName"))
        #expect(refused["description"] == .string("no show has the stream key \"NOPE\""))
        #expect(await wrong.closedByServer())

        let first = try RawClient(port: test.port)
        #expect(try first.publish(key: "KEY")["code"] == .string("NetStream.Publish.Start"))
        let second = try RawClient(port: test.port)
        let status = try second.publish(key: "KEY")
        #expect(status["code"] == .string("NetStream.Publish.BadName"))
        #expect(status["description"]?.stringValue?.contains("already being published") == true)
        #expect(await second.closedByServer())
        #expect(test.server.liveStreams == ["live/KEY"])
        #expect(test.router.sessions.count == 1)

        // Once the first has left, the key can be published again.
        first.shutdownWriting()
        #expect(poll(5) { test.server.liveStreams.isEmpty })
        let third = try RawClient(port: test.port)
        #expect(try third.publish(key: "KEY")["code"] == .string("NetStream.Publish.Start"))
        await test.stop()
    }

    @Test("a full session buffer stops reading; nothing is lost once the reader drains it", .timeLimit(.minutes(1)))
    func backpressure() async throws {
        let test = try await TestServer.start { $0.sessionBufferCapacity = 64 * 1024 }
        let client = try RawClient(port: test.port)
        _ = try client.publish(key: "KEY")
        let session = try #require(test.router.session("KEY"))
        let frame = [0x27, 0x01] + ChunkDecoderTests.payload(10_000)
        // 4 MB: far more than the session buffer and the sockets' buffers hold, so the
        // publisher can only finish sending while the reader drains.
        let writer = Thread {
            for index in 0..<400 { try? client.sendVideo(frame, timestamp: UInt32(index * 40)) }
            client.shutdownWriting()
        }
        writer.start()
        #expect(poll(10) { session.bytesBuffered > 64 * 1024 })
        try await Task.sleep(for: .milliseconds(500))  // the server has stopped reading: the buffer stays put
        // The capacity, a quarter of it (one batch of tags handed over together) and one message.
        #expect(session.bytesBuffered <= 64 * 1024 + 16 * 1024 + frame.count + 15)
        let (bytes, end) = session.readAll(within: 60)
        let expected = 13 + 400 * (11 + frame.count + 4)
        #expect(bytes.count == expected)
        #expect(end == .publisherLeft)
        await test.stop()
    }

    @Test("stopping the server ends its sessions after what they buffered", .timeLimit(.minutes(1)))
    func stop() async throws {
        let test = try await TestServer.start()
        let client = try RawClient(port: test.port)
        _ = try client.publish(key: "KEY")
        try client.sendVideo([0x17, 0x00, 1, 2, 3], timestamp: 0)
        let session = try #require(test.router.session("KEY"))
        #expect(poll(5) { session.tagsReceived == 1 })
        await test.stop()
        let (bytes, end) = session.readAll()
        let expected = 13 + 11 + 5 + 4  // the file header, one tag around 5 bytes
        #expect(bytes.count == expected)
        #expect(end == .serverStopped)
        #expect(await client.closedByServer())
    }

    @Test("the reader can end a session: the publisher's connection closes", .timeLimit(.minutes(1)))
    func endedByReader() async throws {
        let test = try await TestServer.start()
        let client = try RawClient(port: test.port)
        _ = try client.publish(key: "KEY")
        let session = try #require(test.router.session("KEY"))
        session.end()
        #expect(await client.closedByServer())
        #expect(session.endReason == .endedByReader)
        #expect(poll(5) { test.server.liveStreams.isEmpty })
        await test.stop()
    }
}

extension RawClient {
    /// Half-closes the connection: the server sees the end of the stream.
    func shutdownWriting() { shutdown(descriptor, Int32(SHUT_WR)) }
}
