import NIOCore
import NIOConcurrencyHelpers

/// What every connection of one server shares: the configuration, the router, the event
/// sink, the open connections and the streams being published (the bookkeeping that refuses a
/// second publisher for a live key).
final class ServerCore: Sendable {
    let configuration: RTMPServer.Configuration
    let router: any PublishRouter
    private let eventSink: (@Sendable (RTMPServer.Event) -> Void)?
    private let state = NIOLockedValueBox(State())

    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        /// `app/key` of every stream being authorized or published.
        var liveStreams: Set<String> = []
        var stopping = false
    }

    init(configuration: RTMPServer.Configuration, router: any PublishRouter, events: (@Sendable (RTMPServer.Event) -> Void)?) {
        self.configuration = configuration
        self.router = router
        self.eventSink = events
    }

    func report(_ event: RTMPServer.Event) { eventSink?(event) }

    /// Admits a new connection unless the server is full or stopping.
    func admit(_ channel: any Channel) -> Bool {
        state.withLockedValue { state in
            guard !state.stopping, state.connections.count < configuration.maximumConnections else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var connectionCount: Int { state.withLockedValue { $0.connections.count } }

    var isStopping: Bool { state.withLockedValue { $0.stopping } }

    /// Marks `app/key` live; false when it already is.
    func reserve(app: String, key: String) -> Bool {
        state.withLockedValue { $0.liveStreams.insert(Self.name(app, key)).inserted }
    }

    func release(app: String, key: String) {
        _ = state.withLockedValue { $0.liveStreams.remove(Self.name(app, key)) }
    }

    var liveStreams: [String] { state.withLockedValue { $0.liveStreams.sorted() } }

    /// Stops admitting connections and returns the open ones, to be closed.
    func beginStopping() -> [any Channel] {
        state.withLockedValue { state in
            state.stopping = true
            return Array(state.connections.values)
        }
    }

    private static func name(_ app: String, _ key: String) -> String { app + "/" + key }
}
