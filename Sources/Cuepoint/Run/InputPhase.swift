/// Where a running pipeline is with its input, as it happens (``PipelineRunner/phase``): what
/// the show server reports as a show's state, never guessed from files.
///
///     starting ─► waitingForSource ─► live ─► reconnectWait ─► live … ─► finalising ─► ended
///
/// A recorded input (a file) goes from `starting` straight to `live`.
public enum InputPhase: String, Sendable, Equatable {
    /// The run has not opened its input yet (checks, resume), or has not been started.
    case starting
    /// A live input waits for its first source (a publisher, a caller, the first datagram).
    case waitingForSource
    /// Media is being read and recorded.
    case live
    /// The source dropped; the run waits for it to come back (`input.reconnect.wait`).
    case reconnectWait
    /// The input is over: the open segment closes, final playlists and the replay are written.
    case finalising
    /// The run has returned.
    case ended
}
