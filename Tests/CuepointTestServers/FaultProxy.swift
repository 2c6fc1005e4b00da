import CuepointTestSupport
import Foundation
import NIOConcurrencyHelpers

/// `Tests/Support/fault_proxy.py` in front of a real server: a slow or failing network, not a
/// stand-in for the store. Commands: ``setDelay(milliseconds:)``, ``failNextPuts(_:)``.
///
/// `@unchecked Sendable`: `pid` and `input` are set once in `init`; commands come from one test
/// at a time; `lines` is locked.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    private let pid: pid_t
    private let input: Int32
    private let lines: NIOLockedValueBox<[String]>

    /// Starts the proxy in front of 127.0.0.1:`upstreamPort`.
    public static func start(upstreamPort: Int) async throws -> FaultProxy {
        try await offThePool { try FaultProxy(upstreamPort: upstreamPort) }
    }

    private init(upstreamPort: Int) throws {
        // Spawned like ProcessRunner's programs (posix_spawn), with pipes for its standard input
        // (commands) and output (its log), read on a thread of our own.
        var toProxy: [Int32] = [0, 0], fromProxy: [Int32] = [0, 0]
        // Made close-on-exec under the spawn lock, so no other child spawned meanwhile inherits them.
        let made = ProcessRunner.spawnLock.withLock { () -> Bool in
            guard pipe(&toProxy) == 0, pipe(&fromProxy) == 0 else { return false }
            for descriptor in toProxy + fromProxy { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard made else { throw ServerStartError(server: "fault_proxy.py", log: "pipe() failed") }
        let arguments = ["python3", Repository.url("Tests/Support/fault_proxy.py").path, String(upstreamPort)]
        let spawned = Result {
            try ProcessRunner.spawn(arguments) { actions in
                posix_spawn_file_actions_adddup2(&actions, toProxy[0], 0)
                posix_spawn_file_actions_adddup2(&actions, fromProxy[1], 1)
            }
        }
        close(toProxy[0])
        close(fromProxy[1])
        let pid = try spawned.get()
        let lines = NIOLockedValueBox<[String]>([])
        let output = fromProxy[0]
        Thread.detachNewThread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(output, &buffer, buffer.count)
                if count <= 0 { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeFirst(newline + 1)
                    lines.withLockedValue { $0.append(line) }
                }
            }
            close(output)
        }
        self.pid = pid
        self.input = toProxy[1]
        self.lines = lines
        let listening = try Self.waitForLine(lines, from: 0) { $0.hasPrefix("listening ") }
        guard let port = Int(listening.dropFirst("listening ".count)) else {
            throw ServerStartError(server: "fault_proxy.py", log: listening)
        }
        self.port = port
    }

    /// Waits `milliseconds` before forwarding each request.
    public func setDelay(milliseconds: Int) throws { try command("delay \(milliseconds)") }

    /// Answers the next `count` PUTs with 503 SlowDown instead of forwarding them.
    public func failNextPuts(_ count: Int) throws { try command("fail-puts \(count)") }

    /// Holds every new request (a stalled store) until ``release()``.
    public func hold() throws { try command("hold") }

    /// Forwards the held requests and stops holding.
    public func release() throws { try command("release") }

    /// The request lines logged so far: `request PUT /shows/…` or `failed PUT /shows/…`.
    public var log: [String] { lines.withLockedValue { $0.filter { $0.hasPrefix("request ") || $0.hasPrefix("failed ") } } }

    /// Stops the proxy: closes its standard input, ends it and reaps it.
    public func stop() {
        close(input)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private func command(_ text: String) throws {
        let before = lines.withLockedValue { $0.count }
        let bytes = Array((text + "\n").utf8)
        guard write(input, bytes, bytes.count) == bytes.count else {
            throw ServerStartError(server: "fault_proxy.py", log: "cannot send `\(text)`")
        }
        _ = try Self.waitForLine(lines, from: before) { $0 == "ok" }
    }

    private static func waitForLine(
        _ lines: NIOLockedValueBox<[String]>, from start: Int, matching predicate: (String) -> Bool
    ) throws -> String {
        for _ in 0..<1000 {
            if let line = lines.withLockedValue({ Array($0.dropFirst(start)).first(where: predicate) }) { return line }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw ServerStartError(server: "fault_proxy.py", log: lines.withLockedValue { $0.joined(separator: "\n") })
    }
}
