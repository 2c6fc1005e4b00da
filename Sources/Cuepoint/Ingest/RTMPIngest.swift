import CuepointFFmpeg
import CuepointRTMP
import CuepointTime
import Foundation
import NIOCore
import Synchronization

/// Cuepoint's own RTMP server as the input of pipelines whose input says `rtmp_server: cuepoint`.
///
/// One server per listening address in the process, shared by every pipeline listening there
/// (so `cuepoint run A.yaml B.yaml` can take two shows on one port); each pipeline waits for its
/// own application and stream key. A publisher is accepted only while a pipeline waits for its
/// key (compared in constant time), and a second publisher for a key that is live is refused by
/// the server, so each pipeline has at most one publisher, as with FFmpeg's listener.
///
/// The server starts with the first pipeline that waits on the address and stops when the last
/// ``Lease`` is released (the end of the pipelines' runs).
final class RTMPIngest: PublishRouter {
    let address: String
    let server: RTMPServer
    private let waiters = Mutex<[Waiter]>([])

    private init(address: String, configuration: RTMPServer.Configuration) {
        self.address = address
        let box = EventSink()
        server = RTMPServer(configuration: configuration, router: box.forwarding, events: { box.event($0) })
        box.ingest = self
    }

    /// One pipeline's claim on an address: waits for that pipeline's publishers.
    final class Lease {
        let host: String
        let port: Int
        let app: String
        private let key: [UInt8]
        private let timeout: TimeAmount
        private var ingest: RTMPIngest?

        init(host: String, port: Int, app: String, key: String, timeout: TimeAmount) {
            self.host = host
            self.port = port
            self.app = app
            self.key = Array(key.utf8)
            self.timeout = timeout
        }

        deinit {
            if let ingest { RTMPIngest.release(ingest) }
        }

        /// Waits for an accepted publisher and opens its FLV stream; a publisher that leaves
        /// before its media started is reported and waited past.
        ///
        /// - Parameter deadline: when to give up (`DispatchTime.uptimeNanoseconds`); nil waits
        ///   until stopped.
        /// - Throws: `CuepointError` when the address cannot be listened on.
        func open(interrupt: InterruptPolicy, until deadline: UInt64?, warnings: WarningCollector, displayURL: String)
            throws(CuepointError) -> LiveInput.Outcome
        {
            let ingest = try acquire()
            while true {
                let waiter = Waiter(app: app, key: key, warnings: warnings, displayURL: displayURL)
                guard let session = ingest.wait(waiter, interrupt: interrupt, until: deadline) else {
                    return interrupt.isCancelled || deadline == nil ? .stopped : .waitExpired
                }
                do {
                    let demuxer = try Demuxer(
                        source: RTMPSessionSource(session), format: RTMPSessionSource.format, name: displayURL,
                        interrupt: interrupt)
                    return .opened(demuxer)
                } catch {
                    if interrupt.isCancelled || error.code == .exit { return .stopped }
                    warnings.add(
                        "\(displayURL): a publisher from \(session.peer) ended before its media started "
                            + "(\(session.endReason.map { "\($0)" } ?? error.message)); still waiting for the publisher")
                }
            }
        }

        private func acquire() throws(CuepointError) -> RTMPIngest {
            if let ingest { return ingest }
            var configuration = RTMPServer.Configuration(host: host, port: port)
            configuration.idleTimeout = timeout
            configuration.handshakeTimeout = timeout
            let acquired = try RTMPIngest.acquire(configuration)
            ingest = acquired
            return acquired
        }
    }

    // MARK: - Servers in the process

    private static let servers = Mutex<[String: (ingest: RTMPIngest, leases: Int)]>([:])

    /// The ingest listening at the configuration's address, started if it is not running yet.
    private static func acquire(_ configuration: RTMPServer.Configuration) throws(CuepointError) -> RTMPIngest {
        let address = "\(configuration.host):\(configuration.port)"
        // Started under the lock, so two pipelines on one address never race to bind it.
        let result: Result<RTMPIngest, RTMPServerError> = servers.withLock { servers in
            if let entry = servers[address] {
                servers[address] = (entry.ingest, entry.leases + 1)
                return .success(entry.ingest)
            }
            let ingest = RTMPIngest(address: address, configuration: configuration)
            do throws(RTMPServerError) {
                try ingest.server.startBlocking()
            } catch {
                return .failure(error)
            }
            servers[address] = (ingest, 1)
            return .success(ingest)
        }
        switch result {
        case .success(let ingest): return ingest
        case .failure(let error):
            throw CuepointError(
                subject: "rtmp://\(address)", message: "cannot listen (\(error.message))",
                fix: "check that the address is this machine's and no other program uses the port")
        }
    }

    private static func release(_ ingest: RTMPIngest) {
        let last: Bool = servers.withLock { servers in
            guard let entry = servers[ingest.address] else { return false }
            if entry.leases > 1 {
                servers[ingest.address] = (entry.ingest, entry.leases - 1)
                return false
            }
            servers[ingest.address] = nil
            return true
        }
        if last { ingest.server.stopBlocking() }
    }

    // MARK: - Waiting for publishers

    /// A pipeline waiting for its publisher: the application and key it takes, and the
    /// session once one is accepted.
    final class Waiter: @unchecked Sendable {
        // Invariant: `session` and `abandoned` are used with `condition` locked.
        let app: String
        let key: [UInt8]
        let warnings: WarningCollector
        let displayURL: String
        private let condition = NSCondition()
        private var session: PublishSession?
        private var abandoned = false

        init(app: String, key: [UInt8], warnings: WarningCollector, displayURL: String) {
            self.app = app
            self.key = key
            self.warnings = warnings
            self.displayURL = displayURL
        }

        func accepts(app: String, key: [UInt8]) -> Bool {
            // Both compared in full, so the time taken does not tell where a key differs.
            let sameKey = LiveInput.constantTimeEqual(key, self.key)
            return app == self.app && sameKey
        }

        /// Hands `session` over; false when the waiter has given up or already has one.
        func deliver(_ session: PublishSession) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !abandoned, self.session == nil else { return false }
            self.session = session
            condition.signal()
            return true
        }

        /// Waits up to `nanoseconds` for a session.
        func take(waitingAtMost nanoseconds: UInt64) -> PublishSession? {
            condition.lock()
            defer { condition.unlock() }
            if session == nil { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(nanoseconds) / 1e9)) }
            return session
        }

        /// Gives up; returns a session delivered meanwhile, which the caller must use or end.
        func abandon() -> PublishSession? {
            condition.lock()
            defer { condition.unlock() }
            abandoned = true
            return session
        }
    }

    /// Registers `waiter` and blocks (the pipeline thread) until a publisher for it is
    /// accepted, `interrupt` is cancelled or the deadline passes.
    private func wait(_ waiter: Waiter, interrupt: InterruptPolicy, until deadline: UInt64?) -> PublishSession? {
        waiters.withLock { $0.append(waiter) }
        defer { waiters.withLock { $0.removeAll { $0 === waiter } } }
        while !interrupt.isCancelled {
            let now = DispatchTime.now().uptimeNanoseconds
            if let deadline, now >= deadline { break }
            let slice = min(100_000_000, deadline.map { $0 - now } ?? 100_000_000)
            if let session = waiter.take(waitingAtMost: slice) { return session }
        }
        if let late = waiter.abandon() { late.end() }
        return nil
    }

    func authorize(app: String, key: String, peer: String) async -> PublishDecision {
        let bytes = Array(key.utf8)
        let waiting = waiters.withLock { $0.filter { $0.accepts(app: app, key: bytes) } }
        guard waiting.isEmpty else { return .accept }
        let description =
            waiters.withLock { $0.contains { $0.app == app } }
            ? "the stream key is not the one this recording waits for"
            : "no recording waits for the application \"\(app)\" on this port"
        return .refuse(.badName(description))
    }

    func publishStarted(_ session: PublishSession) {
        let bytes = Array(session.key.utf8)
        let candidates = waiters.withLock { $0.filter { $0.accepts(app: session.app, key: bytes) } }
        // The waiter may have given up between the authorization and now: nobody reads the session.
        if !candidates.contains(where: { $0.deliver(session) }) { session.end() }
    }

    /// Reports refused publishers and broken connections to the pipelines waiting here, as
    /// FFmpeg's listener path does.
    fileprivate func report(_ event: RTMPServer.Event) {
        let message: String
        switch event {
        case .publishRefused(let peer, let app, let key, let reason):
            message = "refused an RTMP publisher from \(peer) for \"\(app)/\(key)\" (\(reason)); still waiting for the publisher"
        case .connectionClosed(let peer, let reason) where reason != "the client closed the connection":
            message = "closed a connection from \(peer) (\(reason))"
        default:
            return
        }
        for waiter in waiters.withLock({ $0 }) { waiter.warnings.add("\(waiter.displayURL): \(message)") }
    }
}

/// Breaks the cycle between the server (which holds its router and event sink) and the
/// ingest (which holds the server): both reach the ingest through this weak box.
private final class EventSink: @unchecked Sendable {
    // Invariant: `ingest` is set once, right after the server is made, before it starts.
    weak var ingest: RTMPIngest?

    func event(_ event: RTMPServer.Event) { ingest?.report(event) }

    var forwarding: Forwarding { Forwarding(sink: self) }

    struct Forwarding: PublishRouter {
        let sink: EventSink

        func authorize(app: String, key: String, peer: String) async -> PublishDecision {
            await sink.ingest?.authorize(app: app, key: key, peer: peer) ?? .refuse(.badConnection("the server is stopping"))
        }

        func publishStarted(_ session: PublishSession) {
            if let ingest = sink.ingest { ingest.publishStarted(session) } else { session.end() }
        }
    }
}

extension LiveInput {
    /// A claim on Cuepoint's RTMP server for `base` (`rtmp://HOST[:PORT]/APP/`, the URL before
    /// the key); nil when the URL has no usable host.
    static func lease(base: String, key: String, timeout: MediaTime) -> RTMPIngest.Lease? {
        guard let schemeEnd = base.range(of: "://") else { return nil }
        let rest = base[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let app = rest[slash...].split(separator: "/").joined(separator: "/")
        var host = String(authority)
        var port = 1935
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) ?? -1 }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        }
        guard !host.isEmpty, (0...65535).contains(port) else { return nil }
        return RTMPIngest.Lease(
            host: host, port: port, app: app, key: key, timeout: .milliseconds(max(1, timeout.milliseconds)))
    }
}
