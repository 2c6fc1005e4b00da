import NIOCore

/// The server side of the RTMP handshake (RTMP specification §5.2), the simple form that
/// FFmpeg's, GStreamer's and OBS's clients accept.
///
/// ```
/// client                          server
///   C0 (version 3) + C1 (1536) ──►
///                              ◄── S0 (3) + S1 (1536: time, zeros, random) + S2 (= C1)
///   C2 (1536, ignored)         ──►
///   chunks …                   ──►
/// ```
///
/// S1's bytes 4 to 7 are zero, which tells a client that the server does not take part in the
/// digest ("complex") handshake; clients then skip verifying it (FFmpeg verifies S1's digest
/// only when it plays from a server that sent a non-zero version there). S2 echoes C1 exactly,
/// so a client that checks the echo finds its own bytes.
///
/// Pure: bytes in, bytes out; the timeout is the connection's business.
struct HandshakeMachine {
    /// The size of C1, C2, S1 and S2.
    static let packetSize = 1536
    /// The only plain-RTMP version (6 is RTMPE, Adobe's encrypted variant).
    static let version: UInt8 = 3

    enum State { case waitingForC0C1, waitingForC2, done }
    private(set) var state = State.waitingForC0C1

    /// What to do after `receive`.
    enum Action: Equatable {
        /// Nothing yet: the bytes are incomplete.
        case needMoreBytes
        /// Send S0, S1 and S2.
        case send(ByteBuffer)
        /// The handshake is over; what is left in the buffer belongs to the chunk stream.
        case completed
    }

    /// Consumes handshake bytes from `buffer`.
    ///
    /// - Parameters:
    ///   - uptimeMilliseconds: the server's time for S1's first field.
    ///   - random: fills S1's 1528 random bytes.
    /// - Throws: ``RTMPProtocolError`` for a C0 that is not version 3.
    mutating func receive(
        _ buffer: inout ByteBuffer, uptimeMilliseconds: UInt32, random: (inout ByteBuffer, Int) -> Void
    ) throws(RTMPProtocolError) -> Action {
        switch state {
        case .waitingForC0C1:
            if let version = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), version != Self.version {
                throw RTMPProtocolError(Self.describeWrongVersion(version))
            }
            guard buffer.readableBytes >= 1 + Self.packetSize else { return .needMoreBytes }
            buffer.moveReaderIndex(forwardBy: 1)
            let c1 = buffer.readSlice(length: Self.packetSize)!
            var reply = ByteBuffer()
            reply.reserveCapacity(1 + 2 * Self.packetSize)
            reply.writeInteger(Self.version)
            reply.writeInteger(uptimeMilliseconds)
            reply.writeInteger(UInt32(0))
            random(&reply, Self.packetSize - 8)
            reply.writeImmutableBuffer(c1)
            state = .waitingForC2
            return .send(reply)
        case .waitingForC2:
            guard buffer.readableBytes >= Self.packetSize else { return .needMoreBytes }
            buffer.moveReaderIndex(forwardBy: Self.packetSize)
            state = .done
            return .completed
        case .done:
            return .completed
        }
    }

    /// Why a first byte that is not 3 cannot start an RTMP connection, with the likely cause.
    static func describeWrongVersion(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        switch byte {
        case 6, 8, 9:
            return "the handshake asks for encrypted RTMP (RTMPE, version \(byte)); publish with plain rtmp:// instead"
        case 0x16:
            return "the handshake starts like TLS (byte 0x16); this port speaks plain rtmp://, not rtmps://"
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return "the handshake starts with \"\(Character(Unicode.Scalar(byte)))\" (0x\(hex)), like an HTTP request; "
                + "this port speaks RTMP: publish to rtmp://HOST:PORT/APP/KEY"
        default:
            return "the handshake starts with version 0x\(hex); RTMP clients send 3"
        }
    }
}
