import CuepointFFmpeg
import CuepointRTMP
import CuepointTime
import Foundation
import NIOCore
import NIOConcurrencyHelpers

/// Cuepoint's own RTMP server as the input of pipelines whose input says `rtmp_server: cuepoint`.
///
/// One server per listening address in the process, shared by every pipeline listening there
/// (so `cuepoint run A.yaml B.yaml` can take two shows on one port); each pipeline is a
/// ``Registration`` of its application and stream key, and waits for its publisher through it.
/// A publisher is accepted only while the pipeline of its key waits (keys compared in constant
/// time), and a second publisher for a key that is live is refused by the server, so each
/// pipeline has at most one publisher, as with FFmpeg's listener.
///
/// The server starts with the first pipeline that opens its input on the address and stops when
/// the last ``Lease`` is released (the end of the pipelines' runs).
final class RTMPIngest: PublishRouter {
    /// `HOST:PORT` as pipelines' input URLs name it (the port listened on, when asked for port 0).
    var address: String { boundAddress.withLockedValue { $0 } }
    private let boundAddress: NIOLockedValueBox<String>
    let server: RTMPServer
    private let registrations = NIOLockedValueBox<[Registration]>([])
    /// Open ``SharedRTMPListener``s: the server keeps listening while any is, pipelines or not.
    private let holds = NIOLockedValueBox(0)

    private init(address: String, configuration: RTMPServer.Configuration) {
        self.boundAddress = NIOLockedValueBox(address)
        let box = EventSink()
        server = RTMPServer(configuration: configuration, router: box.forwarding, events: { box.event($0) })
        box.ingest = self
    }

    /// One pipeline's claim on an address: its registration, and the server while it holds it.
    final class Lease {
        let host: String
        let port: Int
        let app: String
        private let key: [UInt8]
        private let timeout: TimeAmount
        private var held: (ingest: RTMPIngest, registration: Registration)?

        init(host: String, port: Int, app: String, key: String, timeout: TimeAmount) {
            self.host = host
            self.port = port
            self.app = app
            self.key = Array(key.utf8)
            self.timeout = timeout
        }

        deinit {
            if let held { RTMPIngest.release(held.ingest, held.registration) }
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
            let (ingest, registration) = try acquire(warnings: warnings, displayURL: displayURL)
            while true {
                guard let session = ingest.wait(registration, interrupt: interrupt, until: deadline) else {
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

        private func acquire(warnings: WarningCollector, displayURL: String) throws(CuepointError)
            -> (RTMPIngest, Registration)
        {
            if let held { return held }
            var configuration = RTMPServer.Configuration(host: host, port: port)
            configuration.idleTimeout = timeout
            configuration.handshakeTimeout = timeout
            let registration = Registration(app: app, key: key, warnings: warnings, displayURL: displayURL)
            let ingest = try RTMPIngest.acquire(configuration, registration)
            held = (ingest, registration)
            return (ingest, registration)
        }
    }

    // MARK: - Servers in the process

    private static let servers = NIOLockedValueBox<[String: RTMPIngest]>([:])

    /// The ingest listening at the configuration's address, started if it is not running yet,
    /// with `registration` added.
    private static func acquire(_ configuration: RTMPServer.Configuration, _ registration: Registration)
        throws(CuepointError) -> RTMPIngest
    {
        let address = "\(configuration.host):\(configuration.port)"
        // Started under the lock, so two pipelines on one address never race to bind it.
        let result: Result<RTMPIngest, RTMPServerError> = servers.withLockedValue { servers in
            if let ingest = servers[address] {
                ingest.registrations.withLockedValue { $0.append(registration) }
                return .success(ingest)
            }
            let ingest = RTMPIngest(address: address, configuration: configuration)
            do throws(RTMPServerError) {
                try ingest.server.startBlocking()
            } catch {
                return .failure(error)
            }
            ingest.registrations.withLockedValue { $0.append(registration) }
            servers[address] = ingest
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

    /// Removes `registration`; the last one stops the server.
    private static func release(_ ingest: RTMPIngest, _ registration: Registration) {
        let last: Bool = servers.withLockedValue { servers in
            let remaining = ingest.registrations.withLockedValue { registrations in
                registrations.removeAll { $0 === registration }
                return registrations.count
            }
            guard remaining == 0, ingest.holds.withLockedValue({ $0 }) == 0 else { return false }
            servers[ingest.address] = nil
            return true
        }
        if last { ingest.server.stopBlocking() }
    }

    /// Starts the server on `host:port` (0: a free port) and holds it open without a pipeline:
    /// pipelines whose input is `rtmp://host:PORT/APP/KEY` with `rtmp_server: cuepoint` then
    /// register on it, with PORT the one listened on.
    static func hold(_ configuration: RTMPServer.Configuration) throws(CuepointError) -> RTMPIngest {
        let result: Result<RTMPIngest, RTMPServerError> = servers.withLockedValue { servers in
            if configuration.port != 0, let ingest = servers["\(configuration.host):\(configuration.port)"] {
                ingest.holds.withLockedValue { $0 += 1 }
                return .success(ingest)
            }
            let ingest = RTMPIngest(address: "", configuration: configuration)
            let port: Int
            do throws(RTMPServerError) {
                port = try ingest.server.startBlocking()
            } catch {
                return .failure(error)
            }
            ingest.boundAddress.withLockedValue { $0 = "\(configuration.host):\(port)" }
            ingest.holds.withLockedValue { $0 += 1 }
            servers[ingest.address] = ingest
            return .success(ingest)
        }
        switch result {
        case .success(let ingest): return ingest
        case .failure(let error):
            throw CuepointError(
                subject: "rtmp://\(configuration.host):\(configuration.port)", message: "cannot listen (\(error.message))",
                fix: "check that the address is this machine's and no other program uses the port")
        }
    }

    /// Lets go of a ``hold(_:)``; the server stops when nothing holds it and no pipeline is registered.
    static func letGo(_ ingest: RTMPIngest) {
        let last: Bool = servers.withLockedValue { servers in
            let holds = ingest.holds.withLockedValue { holds in
                holds -= 1
                return holds
            }
            guard holds == 0, ingest.registrations.withLockedValue({ $0.isEmpty }) else { return false }
            servers[ingest.address] = nil
            return true
        }
        if last { ingest.server.stopBlocking() }
    }

    // MARK: - Waiting for publishers

    /// A pipeline on this address: the application and key it takes, where its warnings go,
    /// and, while it waits, the session of the publisher accepted for it.
    final class Registration: @unchecked Sendable {
        // Invariant: `waiting` and `session` are used with `condition` locked.
        let app: String
        let key: [UInt8]
        let warnings: WarningCollector
        let displayURL: String
        private let condition = NSCondition()
        private var waiting = false
        private var session: PublishSession?

        init(app: String, key: [UInt8], warnings: WarningCollector, displayURL: String) {
            self.app = app
            self.key = key
            self.warnings = warnings
            self.displayURL = displayURL
        }

        func matches(app: String, key: [UInt8]) -> Bool {
            // The key is compared in full even when the application differs: the time taken
            // does not tell where a key differs.
            let sameKey = LiveInput.constantTimeEqual(key, self.key)
            return app == self.app && sameKey
        }

        var isWaiting: Bool {
            condition.lock()
            defer { condition.unlock() }
            return waiting && session == nil
        }

        func startWaiting() {
            condition.lock()
            defer { condition.unlock() }
            waiting = true
            session = nil
        }

        /// Hands `session` over; false when the pipeline is not waiting or already has one.
        func deliver(_ session: PublishSession) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard waiting, self.session == nil else { return false }
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

        /// Stops waiting; returns the session delivered, if any.
        func stopWaiting() -> PublishSession? {
            condition.lock()
            defer { condition.unlock() }
            waiting = false
            defer { session = nil }
            return session
        }
    }

    /// Blocks (the pipeline thread) until a publisher for `registration` is accepted,
    /// `interrupt` is cancelled or the deadline passes.
    private func wait(_ registration: Registration, interrupt: InterruptPolicy, until deadline: UInt64?) -> PublishSession? {
        registration.startWaiting()
        while !interrupt.isCancelled {
            let now = DispatchTime.now().uptimeNanoseconds
            if let deadline, now >= deadline { break }
            let slice = min(100_000_000, deadline.map { $0 - now } ?? 100_000_000)
            if registration.take(waitingAtMost: slice) != nil { return registration.stopWaiting() }
        }
        // A session delivered at the last moment has nobody to read it.
        registration.stopWaiting()?.end()
        return nil
    }

    /// The registrations whose application and key match, found in constant time per key.
    private func registrations(app: String, key: String) -> [Registration] {
        let bytes = Array(key.utf8)
        return registrations.withLockedValue { $0 }.filter { $0.matches(app: app, key: bytes) }
    }

    func authorize(app: String, key: String, peer: String) async -> PublishDecision {
        let matching = registrations(app: app, key: key)
        if matching.contains(where: \.isWaiting) { return .accept }
        if !matching.isEmpty {
            return .refuse(.badName("the recording for this stream key is not waiting for a publisher now; try again"))
        }
        let sameApp = registrations.withLockedValue { $0.contains { $0.app == app } }
        return .refuse(
            .badName(
                sameApp
                    ? "the stream key is not the one this recording waits for"
                    : "no recording waits for the application \"\(app)\" on this port"))
    }

    func publishStarted(_ session: PublishSession) {
        // The pipeline may have stopped waiting since the authorization: nobody reads the session.
        if !registrations(app: session.app, key: session.key).contains(where: { $0.deliver(session) }) { session.end() }
    }

    /// Reports refused publishers and connections the server closed, once, to the pipeline of
    /// the key concerned, or else to the first pipeline on the address (one warning per event,
    /// however many shows share the port).
    fileprivate func report(_ event: RTMPServer.Event) {
        let message: String
        var concerned: [Registration] = []
        switch event {
        case .publishRefused(let peer, let app, let key, let reason):
            concerned = registrations(app: app, key: key)
            // A key that is a pipeline's own (a second publisher, a publisher between two
            // waits) is a secret: never printed. A wrong one is, to help whoever typed it.
            let shown = concerned.isEmpty ? key : "***"
            message = "refused an RTMP publisher from \(peer) for \"\(app)/\(shown)\" (\(reason))"
        case .connectionClosed(let peer, let reason) where reason != "the client closed the connection":
            message = "closed a connection from \(peer) (\(reason))"
        default:
            return
        }
        guard let registration = concerned.first ?? registrations.withLockedValue({ $0.first }) else { return }
        registration.warnings.add("\(registration.displayURL): \(message)")
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
