import CuepointRTMP
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A hand-driven RTMP client over a blocking socket, for the inputs no real client sends:
/// garbage, stalls, chosen chunk sizes, metadata alone. Real publishers (FFmpeg, GStreamer)
/// are tested in `CuepointTests/Integration/RTMP`.
final class RawClient: @unchecked Sendable {
    // Invariant: one thread at a time drives a client (the test, or a writer thread it started and waits for).
    let descriptor: Int32
    private var encoder = ChunkEncoder()
    private var decoder = ChunkDecoder()
    private var received = ByteBuffer()

    /// Connects to 127.0.0.1:`port`; reads time out after `timeout` seconds.
    init(port: Int, timeout: Double = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket: errno \(errno)") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure("connect: errno \(code)")
        }
    }

    deinit { Glibc.close(descriptor) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure("send: errno \(errno)") }
            offset += sent
        }
    }

    func send(_ buffer: ByteBuffer) throws { try send(Array(buffer.readableBytesView)) }

    /// Reads exactly `count` bytes.
    func receive(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes[offset...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw Failure(got == 0 ? "closed by the server" : "recv: errno \(errno)") }
            offset += got
        }
        return bytes
    }

    /// Whether the server closed the connection: a read returns end of file (or a reset)
    /// within the socket's timeout. Reads and drops whatever the server still sends.
    ///
    /// The blocking reads run on a thread of their own: waiting seconds on one of the
    /// cooperative pool's two threads starved the other suites running beside this one.
    func closedByServer() async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.closedByServerBlocking()) }.start()
        }
    }

    func closedByServerBlocking() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got > 0 { continue }
            return got == 0 || errno == ECONNRESET
        }
    }

    /// The simple handshake: C0+C1, read S0+S1+S2, send C2 (S1 echoed).
    func handshake() throws {
        try send([3] + [UInt8](repeating: 0x5A, count: 1536))
        let reply = try receive(1 + 2 * 1536)
        guard reply[0] == 3 else { throw Failure("S0 is \(reply[0])") }
        try send(Array(reply[1..<1537]))
    }

    func send(_ message: RTMPMessage) throws {
        var buffer = ByteBuffer()
        encoder.encode(message, into: &buffer)
        try send(buffer)
    }

    /// Announces `size` with Set Chunk Size and chunks what follows with it.
    func setChunkSize(_ size: UInt32) throws {
        var payload = ByteBuffer()
        payload.writeInteger(size)
        try send(RTMPMessage(type: .setChunkSize, chunkStreamID: 2, payload: payload))
        if size >= 1, size <= 0x7FFF_FFFF { encoder.chunkSize = Int(size) }
    }

    func command(_ values: [AMF0Value], stream: UInt32 = 0) throws {
        try send(RTMPMessage(type: .commandAMF0, streamID: stream, chunkStreamID: 3, payload: AMF0Encoder.encode(values)))
    }

    /// The next message from the server.
    func nextMessage() throws -> RTMPMessage {
        while true {
            if let message = try decoder.next(from: &received) { return message }
            var scratch = [UInt8](repeating: 0, count: 4096)
            let got = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw Failure(got == 0 ? "closed by the server" : "recv: errno \(errno)") }
            received.writeBytes(scratch[..<got])
        }
    }

    /// The next command from the server, skipping control messages.
    func nextCommand() throws -> [AMF0Value] {
        while true {
            let message = try nextMessage()
            if message.type == .commandAMF0 { return try AMF0Decoder().decodeAll(message.payload) }
        }
    }

    /// Handshake (unless done already), connect to `app`, createStream, publish `key`: the
    /// onStatus the server answered.
    func publish(app: String = "live", key: String, handshakeFirst: Bool = true) throws -> AMF0Value {
        if handshakeFirst { try handshake() }
        try command([.string("connect"), .number(1), .object([AMF0Property("app", .string(app))])])
        _ = try nextCommand()
        try command([.string("createStream"), .number(2), .null])
        let created = try nextCommand()
        let stream = UInt32(created.last?.numberValue ?? 1)
        try command([.string("publish"), .number(3), .null, .string(key), .string("live")], stream: stream)
        let status = try nextCommand()
        return status.last ?? .null
    }

    /// `@setDataFrame onMetaData` with the given properties, on stream 1.
    func sendMetadata(_ properties: [AMF0Property]) throws {
        let payload = AMF0Encoder.encode([.string("@setDataFrame"), .string("onMetaData"), .ecmaArray(properties)])
        try send(RTMPMessage(type: .dataAMF0, streamID: 1, chunkStreamID: 4, payload: payload))
    }

    func sendVideo(_ bytes: [UInt8], timestamp: UInt32) throws {
        try send(RTMPMessage(type: .video, streamID: 1, timestamp: timestamp, chunkStreamID: 6, payload: ByteBuffer(bytes: bytes)))
    }
}

