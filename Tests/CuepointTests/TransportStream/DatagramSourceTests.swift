import CuepointFFmpeg
import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Cuepoint's own UDP receiver on a real loopback socket: batches, nothing lost, a stop.
@Suite(.ownThreads) struct DatagramSourceTests {
    @Test func theBatchIntervalIsATwentiethOfTheShortestUnit() {
        #expect(DatagramSource.batchInterval(shortestUnit: .milliseconds(2000)) == 100_000_000)
        #expect(DatagramSource.batchInterval(shortestUnit: .milliseconds(6000)) == 100_000_000)
        #expect(DatagramSource.batchInterval(shortestUnit: .milliseconds(1000)) == 50_000_000)
        #expect(DatagramSource.batchInterval(shortestUnit: .milliseconds(500)) == 40_000_000)
        #expect(DatagramSource.batchInterval(shortestUnit: .milliseconds(200)) == 40_000_000)
    }

    /// Datagrams sent while the receiver waits out its batch interval all arrive, whole and in
    /// order, in one read; a stop ends a read that waits for more.
    @Test func aBatchTakesEveryDatagramWholeAndAStopEndsTheWait() async throws {
        try await offThePool {
            let port = try Self.freeUDPPort()
            let address = try UDPInputAddress.parse("udp://127.0.0.1:\(port)").get()
            let interrupt = InterruptPolicy()
            let source = try DatagramSource(
                address: address, timeoutNanoseconds: nil, interrupt: interrupt, displayURL: "udp://127.0.0.1:\(port)",
                batchInterval: 100_000_000)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1394 * 188, alignment: 16)
            defer { buffer.deallocate() }
            // The first read returns as soon as the first datagram is there.
            let sender = try Self.sender()
            defer { close(sender) }
            var expected: [UInt8] = []
            func send(_ index: Int) throws {
                let datagram = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1316)
                expected += datagram
                try Self.send(datagram, from: sender, to: port)
            }
            try send(0)
            var received: [UInt8] = []
            let first = try source.read(into: buffer)
            received += UnsafeRawBufferPointer(rebasing: buffer[0..<first])
            // Thirty more while the receiver waits out its interval: one read takes them all.
            for index in 1...30 { try send(index) }
            let second = try source.read(into: buffer)
            received += UnsafeRawBufferPointer(rebasing: buffer[0..<second])
            #expect(second == 30 * 1316)
            #expect(received == expected)
            #expect(source.datagrams == 31)
            // A read waiting for datagrams that never come ends at a stop, with .exit.
            let stopper = Thread {
                Thread.sleep(forTimeInterval: 0.3)
                interrupt.cancel()
            }
            stopper.start()
            #expect(throws: FFmpegError.self) { try source.read(into: buffer) }
        }
    }

    /// FFmpeg's probe reads through a 64 KB buffer: one read takes every waiting datagram that
    /// fits, not one (before, one datagram per batch made the probe of a stream in 1316-byte
    /// datagrams fall behind until the socket dropped data); a buffer smaller than a datagram
    /// gets it in pieces, in order, nothing lost; a full buffer is followed without a wait.
    @Test func smallBuffersTakeSeveralDatagramsAndCutNone() async throws {
        try await offThePool {
            let port = try Self.freeUDPPort()
            let address = try UDPInputAddress.parse("udp://127.0.0.1:\(port)").get()
            let source = try DatagramSource(
                address: address, timeoutNanoseconds: nil, interrupt: InterruptPolicy(),
                displayURL: "udp://127.0.0.1:\(port)", batchInterval: 100_000_000)
            let sender = try Self.sender()
            defer { close(sender) }
            var expected: [UInt8] = []
            for index in 0..<40 {
                let datagram = (0..<1316).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
                expected += datagram
                try Self.send(datagram, from: sender, to: port)
            }
            let probeBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { probeBuffer.deallocate() }
            let first = try source.read(into: probeBuffer)
            #expect(first == 40 * 1316)
            var received = [UInt8](UnsafeRawBufferPointer(rebasing: probeBuffer[0..<first]))
            // Datagrams of 13160 bytes into 5000-byte reads: cut, kept, delivered in order.
            for index in 0..<3 {
                let datagram = (0..<13160).map { UInt8(truncatingIfNeeded: index &* 7 &+ $0 / 3) }
                expected += datagram
                try Self.send(datagram, from: sender, to: port)
            }
            let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 5000, alignment: 16)
            defer { small.deallocate() }
            let waitsBefore = source.batchWaits
            var reads = 0
            while received.count < expected.count {
                let count = try source.read(into: small)
                received += UnsafeRawBufferPointer(rebasing: small[0..<count])
                reads += 1
            }
            #expect(received == expected)
            #expect(reads == 8)  // 39480 bytes in reads of 5000
            // One batch wait at most (the first read): full reads follow one another at once.
            #expect(source.batchWaits - waitsBefore <= 1)
        }
    }

    static func freeUDPPort() throws -> UInt16 {
        let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(probe) }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &local.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(probe, address, length) == 0 && getsockname(probe, address, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return UInt16(bigEndian: local.sin_port)
    }

    static func sender() throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        return descriptor
    }

    static func send(_ bytes: [UInt8], from descriptor: Int32, to port: UInt16) throws {
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &target.sin_addr)
        let sent = bytes.withUnsafeBytes { data in
            withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, data.baseAddress, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == bytes.count else { throw POSIXError(.EIO) }
    }
}
