import Foundation
import NIOConcurrencyHelpers

/// `Tests/Support/fault_proxy.py` in front of a real server: a slow or failing network, not a
/// stand-in for the store. Commands: ``setDelay(milliseconds:)``, ``failNextPuts(_:)``.
///
/// `@unchecked Sendable`: `process` and `input` are set once in `init`; writes to `input` come
/// from one test at a time; `lines` is locked.
final class FaultProxy: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let input: FileHandle
    private let lines: NIOLockedValueBox<[String]>

    /// Starts the proxy in front of 127.0.0.1:`upstreamPort`.
    static func start(upstreamPort: Int) async throws -> FaultProxy {
        try await offPool { try FaultProxy(upstreamPort: upstreamPort) }
    }

    private init(upstreamPort: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepositoryPaths.script("Tests/Support/fault_proxy.py"), String(upstreamPort)]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        let lines = NIOLockedValueBox<[String]>([])
        let reader = stdout.fileHandleForReading
        Thread.detachNewThread {
            var pending = ""
            while true {
                let data = reader.availableData
                if data.isEmpty { return }
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    lines.withLockedValue { $0.append(line) }
                }
            }
        }
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.lines = lines
        let listening = try Self.waitForLine(lines, from: 0) { $0.hasPrefix("listening ") }
        guard let port = Int(listening.dropFirst("listening ".count)) else {
            throw ServerStartError(server: "fault_proxy.py", log: listening)
        }
        self.port = port
    }

    /// Waits `milliseconds` before forwarding each request.
    func setDelay(milliseconds: Int) throws { try command("delay \(milliseconds)") }

    /// Answers the next `count` PUTs with 503 SlowDown instead of forwarding them.
    func failNextPuts(_ count: Int) throws { try command("fail-puts \(count)") }

    /// Holds every new request (a stalled store) until ``release()``.
    func hold() throws { try command("hold") }

    /// Forwards the held requests and stops holding.
    func release() throws { try command("release") }

    /// The request lines logged so far: `request PUT /shows/…` or `failed PUT /shows/…`.
    var log: [String] { lines.withLockedValue { $0.filter { $0.hasPrefix("request ") || $0.hasPrefix("failed ") } } }

    func stop() {
        try? input.close()
        process.waitUntilExit()
    }

    private func command(_ text: String) throws {
        let before = lines.withLockedValue { $0.count }
        input.write(Data((text + "\n").utf8))
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
