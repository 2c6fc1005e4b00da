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
