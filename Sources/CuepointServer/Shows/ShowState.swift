import Cuepoint

/// Where a show is, as reported by `GET /v1/shows/{id}`: read from its running pipeline
/// (``PipelineRunner/phase``) and from how its run ended, never guessed from files.
///
///     waiting_for_publisher ─► live ⇄ reconnect_wait ─► finalising ─► finished
///                 └─────────────── (publisher wait over, failure) ──────────► failed(reason)
public enum ShowState: Sendable, Equatable {
    /// The show waits for its first publisher (on the RTMP port, or a streaming server's hook).
    case waitingForPublisher
    /// Media arrives and is recorded.
    case live
    /// The publisher left; the show waits for it to come back (`input.reconnect.wait`).
    case reconnectWait
    /// The open segment closes, final playlists and the replay are written.
    case finalising
    /// The recording is complete (ended through the API, the input's end, a reconnect wait that
    /// expired, or the server's graceful stop).
    case finished
    /// The show ended without a usable recording, or its run failed; the reason says why and
    /// what to do.
    case failed(String)

    /// The state's name in the API and in `show.json`.
    public var name: String {
        switch self {
        case .waitingForPublisher: "waiting_for_publisher"
        case .live: "live"
        case .reconnectWait: "reconnect_wait"
        case .finalising: "finalising"
        case .finished: "finished"
        case .failed: "failed"
        }
    }

    /// Whether the show's run is over (it may be deleted).
    public var isOver: Bool {
        switch self {
        case .finished, .failed: true
        default: false
        }
    }

    /// The failure's reason; nil for every other state.
    public var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }

    /// The state of a show whose pipeline is in `phase`.
    static func of(_ phase: InputPhase) -> ShowState {
        switch phase {
        case .starting, .waitingForSource: .waitingForPublisher
        case .live: .live
        case .reconnectWait: .reconnectWait
        case .finalising, .ended: .finalising
        }
    }
}
