/// A rate limit per client: a token bucket for each client address, kept as the generic cell
/// rate algorithm (GCRA) does, with one number per client.
///
/// A bucket holds up to `burst` tokens and refills at `rate` tokens a second; each request takes
/// one. GCRA stores only the *theoretical arrival time* (TAT) of the next request at the steady
/// rate: a request at `now` is allowed when `TAT - now` is at most the tolerance
/// `(burst - 1) × interval` (the bucket still has a token), and then pushes TAT one interval
/// further. A client whose TAT is in the past has a full bucket and is forgotten when the table
/// is pruned.
///
/// Pure: time is passed in (nanoseconds of a monotonic clock), so tests need no sleeping.
struct ClientRateLimit: Sendable {
    enum Decision: Equatable, Sendable {
        case allowed
        /// Refused; a token is back after this many nanoseconds.
        case limited(retryAfterNanoseconds: UInt64)
    }

    /// Clients remembered before the table is pruned of those with full buckets.
    static let pruneThreshold = 10_000

    /// Nanoseconds per token.
    let interval: UInt64
    /// How far ahead of now a client's TAT may be: `(burst - 1) × interval`.
    let tolerance: UInt64
    private var theoreticalArrival: [String: UInt64] = [:]

    /// - Parameters:
    ///   - rate: Tokens added per second (above 0; 0.5 is one every 2 s).
    ///   - burst: Tokens a bucket holds (at least 1).
    init(rate: Double, burst: Int) {
        interval = UInt64(1_000_000_000 / min(max(rate, 0.001), 1_000_000_000))
        tolerance = interval * UInt64(max(1, burst) - 1)
    }

    /// Takes a token from `client`'s bucket, if it has one.
    mutating func admit(_ client: String, now: UInt64) -> Decision {
        let arrival = max(theoreticalArrival[client] ?? now, now)
        if arrival - now > tolerance {
            return .limited(retryAfterNanoseconds: arrival - now - tolerance)
        }
        theoreticalArrival[client] = arrival + interval
        if theoreticalArrival.count > Self.pruneThreshold {
            theoreticalArrival = theoreticalArrival.filter { $0.value > now }
        }
        return .allowed
    }

    /// Clients currently remembered.
    var clientCount: Int { theoreticalArrival.count }
}
