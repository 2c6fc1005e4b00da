/// When to warn that a store is falling behind the recording, and when to say it caught up:
/// a pure state machine fed the age of the oldest operation not yet on the store.
///
/// ```
/// caught up ──oldest ≥ threshold──► behind (warn: "N s behind, K operations, B bytes waiting")
///     ▲                                │
///     └──── oldest < threshold / 2 ────┘ (warn: "caught up")
/// ```
///
/// The half-threshold on the way back keeps a store that hovers around the threshold from
/// warning at every sample.
struct LagWarning: Sendable, Equatable {
    /// What to say.
    enum Change: Sendable, Equatable {
        /// The oldest pending operation reached the threshold.
        case fellBehind
        /// The backlog is young again.
        case caughtUp
    }

    /// The age of the oldest pending operation that counts as behind, in milliseconds.
    let thresholdMilliseconds: Int64
    /// Whether the store is behind now.
    private(set) var isBehind = false

    init(thresholdMilliseconds: Int64) {
        self.thresholdMilliseconds = max(1, thresholdMilliseconds)
    }

    /// Takes a sample: the age of the oldest pending operation (0 when none), in milliseconds.
    mutating func observe(oldestPendingMilliseconds age: Int64) -> Change? {
        if !isBehind, age >= thresholdMilliseconds {
            isBehind = true
            return .fellBehind
        }
        if isBehind, age < thresholdMilliseconds / 2 {
            isBehind = false
            return .caughtUp
        }
        return nil
    }
}
