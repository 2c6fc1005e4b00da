import CuepointRTMP
import Foundation
import NIOCore
import NIOConcurrencyHelpers

/// A router that accepts the keys it was given and keeps the sessions it started.
final class KeyRouter: PublishRouter {
    let keys: Set<String>
    private let started = NIOLockedValueBox<[PublishSession]>([])

    init(keys: Set<String>) { self.keys = keys }

    func authorize(app: String, key: String, peer: String) async -> PublishDecision {
        keys.contains(key) ? .accept : .refuse(.badName("no show has the stream key \"\(key)\""))
    }

    func publishStarted(_ session: PublishSession) { started.withLockedValue { $0.append(session) } }

    var sessions: [PublishSession] { started.withLockedValue { $0 } }

    /// The first session for `key`, waiting up to `seconds` for it.
    func session(_ key: String, within seconds: Double = 10) -> PublishSession? {
        var found: PublishSession?
        _ = poll(seconds) {
            found = sessions.first { $0.key == key }
            return found != nil
        }
        return found
    }
}

/// Collects a server's events.
final class EventLog: Sendable {
    private let events = NIOLockedValueBox<[RTMPServer.Event]>([])

    func record(_ event: RTMPServer.Event) { events.withLockedValue { $0.append(event) } }

    var all: [RTMPServer.Event] { events.withLockedValue { $0 } }

    /// The reasons of the connections closed so far.
    var closeReasons: [String] {
        all.compactMap { if case .connectionClosed(_, let reason) = $0 { reason } else { nil } }
    }

    var refusedConnections: Int {
        all.filter { if case .connectionRefused = $0 { true } else { false } }.count
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass (a deadline for a test to
/// give up, never a measured time).
func poll(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}

/// A started server with its router and event log; stopped by `stop()`.
struct TestServer {
    let server: RTMPServer
    let router: KeyRouter
    let log: EventLog
    let port: Int

    static func start(keys: Set<String> = ["KEY"], _ adjust: (inout RTMPServer.Configuration) -> Void = { _ in }) async throws
        -> TestServer
    {
        var configuration = RTMPServer.Configuration(host: "127.0.0.1", port: 0)
        adjust(&configuration)
        let router = KeyRouter(keys: keys)
        let log = EventLog()
        let server = RTMPServer(configuration: configuration, router: router, events: { log.record($0) })
        let port = try await server.start()
        return TestServer(server: server, router: router, log: log, port: port)
    }

    func stop() async { await server.stop() }
}

extension PublishSession {
    /// Reads until the session ends (or `seconds` pass): the bytes and the end reason.
    func readAll(within seconds: Double = 20) -> (bytes: [UInt8], end: PublishEndReason?) {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 32768)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let result = scratch.withUnsafeMutableBytes { read(into: $0, waitingAtMost: 50_000_000) }
            switch result {
            case .bytes(let count): bytes += scratch[..<count]
            case .nothingYet: continue
            case .ended(let reason): return (bytes, reason)
            }
        }
        return (bytes, nil)
    }
}

/// The open descriptors of this process that are connections accepted on 127.0.0.1:`port`
/// (the server's side: local port `port`, not listening), from /proc/net/tcp and /proc/self/fd.
/// Other tests running at the same time open descriptors of their own, so the whole count of
/// /proc/self/fd cannot tell a leak.
func acceptedDescriptors(port: Int) -> Int {
    // procfs files report size 0: read them to the end rather than by their size.
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/net/tcp"), let data = try? handle.readToEnd() else { return -1 }
    let table = String(decoding: data, as: UTF8.self)
    var inodes: Set<String> = []
    for line in table.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 9, let local = fields[1].split(separator: ":").last, Int(local, radix: 16) == port,
            fields[3] != "0A", fields[9] != "0"
        else { continue }
        inodes.insert(String(fields[9]))
    }
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return descriptors.filter { name in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)") else { return false }
        return target.hasPrefix("socket:[") && inodes.contains(String(target.dropFirst(8).dropLast()))
    }.count
}
