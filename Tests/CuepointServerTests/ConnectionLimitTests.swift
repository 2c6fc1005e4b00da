import CuepointTestSupport
import Foundation
import Hummingbird
import Synchronization
import NIOConcurrencyHelpers
import Logging
import ServiceLifecycle
import Testing

@testable import CuepointServer

/// Issue 16, defect 8: idle connections and slowly trickled request headers were held open
/// forever, and enough of them exhaust the descriptors segment writes need. Tried here with
/// real TCP sockets against a live server.
@Suite(.ownThreads) struct ConnectionLimitTests {
    /// A TCP connection to the server, through the POSIX socket calls.
    final class Connection: @unchecked Sendable {
        // Invariant: `descriptor` is written only in init; other threads only send on it.
        let descriptor: Int32
        /// Bytes a trickling client has sent one at a time.
        let trickled = Atomic<Int>(0)

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(descriptor >= 0, "socket: \(String(cString: strerror(errno)))")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0, "connect: \(String(cString: strerror(errno)))")
        }

        deinit { Glibc.close(descriptor) }

        /// Sends `text`; false when the server has closed the connection.
        @discardableResult
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count
        }

        /// What arrives within `seconds`, until the server closes the connection or
        /// `enough(text so far)` holds; and whether it was closed.
        func receive(within seconds: Double, until enough: (String) -> Bool = { _ in false }) -> (
            text: String, closed: Bool
        ) {
            let deadline = Date().addingTimeInterval(seconds)
            var received: [UInt8] = []
            while Date() < deadline {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let wait = Int32(max(1, min(200, deadline.timeIntervalSinceNow * 1000)))
                guard poll(&ready, 1, wait) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
                received += buffer[0..<count]
                if enough(String(decoding: received, as: UTF8.self)) { break }
            }
            return (String(decoding: received, as: UTF8.self), false)
        }
    }

    /// Runs `body` with a server on a free loopback port, started as the command line starts it
    /// (its application in a `ServiceGroup`), not through HummingbirdTesting: its test application rebuilds the
    /// configuration with `ApplicationConfiguration.with(address:)`, which drops the connection
    /// limit.
    static func withServer(_ limits: ConnectionLimits, _ body: (Int) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "cuepoint-connections-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "#EXTM3U\n".write(toFile: directory + "/master.m3u8", atomically: true, encoding: .utf8)
        let server = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0, limits: limits)
        let (ports, bound) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "cuepoint.test")
        logger.logLevel = .error
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [server.application { port in bound.yield(port) }], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { bound.finish() }
                try await group.run()
            }
            var listening = ports.makeAsyncIterator()
            guard let port = await listening.next() else {
                Issue.record("the server did not start")
                try await tasks.waitForAll()
                return
            }
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// One request on a new connection, answered: the server is serving. Blocking.
    static func answered(port: Int) throws -> Bool {
        let connection = try Connection(port: port)
        connection.send(request)
        return connection.receive(within: 30) { $0.hasSuffix("#EXTM3U\n") }.text.hasPrefix("HTTP/1.1 200")
    }

    static let request = "GET /master.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// Runs blocking socket work on a thread of its own: the cooperative pool (two threads here)
    /// must stay free for the server under test.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    struct IdleOutcome: Sendable {
        var answeredBefore = false
        var closed = 0
        var trickled = 0
        var answeredAfter = false
    }

    @Test(
        "40 idle connections and a client trickling its header are closed after the idle timeout; requests still work")
    func idleAndSlowConnectionsAreClosed() async throws {
        try await Self.withServer(ConnectionLimits(idleTimeout: .seconds(1), maximumConnections: 64)) { port in
            let outcome = try await Self.onThread { () throws -> IdleOutcome in
                var outcome = IdleOutcome()
                let idle = try (0..<40).map { _ in try Connection(port: port) }
                // One byte of a request head every 200 ms, never finishing it.
                let slow = try Connection(port: port)
                Thread {
                    _ = slow.send("GET /master.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    while slow.send("a") {
                        slow.trickled.add(1, ordering: .relaxed)
                        Thread.sleep(forTimeInterval: 0.2)
                    }
                }.start()
                // Normal requests are answered meanwhile.
                outcome.answeredBefore = try Self.answered(port: port)
                // Each connection is waited for in turn; all share the same 30 s.
                let deadline = Date().addingTimeInterval(30)
                for connection in idle + [slow] {
                    if connection.receive(within: max(0.1, deadline.timeIntervalSinceNow)).closed {
                        outcome.closed += 1
                    }
                }
                outcome.trickled = slow.trickled.load(ordering: .relaxed)
                outcome.answeredAfter = try Self.answered(port: port)
                return outcome
            }
            #expect(outcome.answeredBefore, "a normal request is answered while 41 connections are open")
            #expect(outcome.closed == 41, "every idle and slow connection is closed by the server")
            #expect(outcome.trickled >= 1, "the slow client was sending when it was cut")
            #expect(outcome.answeredAfter)
        }
    }

    struct LimitOutcome: Sendable {
        var held: [String] = []
        var early: (text: String, closed: Bool) = ("", false)
        var late = ""
    }

    @Test("past the connection limit a client waits until a connection closes; then it is answered")
    func connectionLimit() async throws {
        try await Self.withServer(ConnectionLimits(idleTimeout: .seconds(60), maximumConnections: 4)) { port in
            let outcome = try await Self.onThread { () throws -> LimitOutcome in
                var outcome = LimitOutcome()
                // Four kept-alive connections, each answered once: the server holds all four.
                let held = try (0..<4).map { _ in try Connection(port: port) }
                for connection in held {
                    connection.send(Self.request)
                    outcome.held.append(connection.receive(within: 30) { $0.hasSuffix("#EXTM3U\n") }.text)
                }
                let waiting = try Connection(port: port)
                waiting.send(Self.request)
                // Not accepted: nothing can come back while four are held (a second is plenty
                // for an answer if the limit did not hold).
                outcome.early = waiting.receive(within: 1) { $0.hasSuffix("#EXTM3U\n") }
                Glibc.shutdown(held[0].descriptor, Int32(SHUT_RDWR))
                outcome.late = waiting.receive(within: 30) { $0.hasSuffix("#EXTM3U\n") }.text
                return outcome
            }
            for text in outcome.held { #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)") }
            #expect(
                outcome.early.text.isEmpty && !outcome.early.closed,
                "not accepted while four are held: \(outcome.early.text)")
            #expect(outcome.late.hasPrefix("HTTP/1.1 200"), "answered once a connection closed: \(outcome.late)")
        }
    }
}
