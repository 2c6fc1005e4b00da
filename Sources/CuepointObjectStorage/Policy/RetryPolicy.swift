/// Which failed requests are tried again, and after how long: exponential backoff with full
/// jitter (AWS's recommendation: a random delay between zero and the exponential ceiling, so
/// many clients that failed together do not retry together).
///
/// ```
/// ceiling(n) = min(maximumDelay, baseDelay × 2^(n-1))   n = failed attempts so far
/// delay(n)   = uniform(0 ... ceiling(n))
/// ```
///
/// | failure | retried? |
/// |---|---|
/// | 5xx, `InternalError`, `ServiceUnavailable` | yes |
/// | 503 `SlowDown`, 429 | yes |
/// | no answer: connection refused or reset, timeout | yes |
/// | `RequestTimeout` (400), 408, `OperationAborted` (409) | yes |
/// | `RequestTimeTooSkewed` (the client has corrected its clock; the next try carries it) | yes |
/// | 403 `SignatureDoesNotMatch`, `InvalidAccessKeyId`, `AccessDenied` | no: fix the keys |
/// | 404 `NoSuchBucket`, `NoSuchKey` | no |
/// | 412 `PreconditionFailed` (the object exists) | no: it is never overwritten |
/// | an unreadable answer or local file | no |
///
/// Pure: the random source is passed in (a ``SeededRandom`` in tests), and the caller sleeps.
public struct RetryPolicy: Sendable, Equatable {
    /// The ceiling of the first retry's delay, in milliseconds.
    public var baseDelayMilliseconds: Int
    /// The largest delay, in milliseconds: a store down for a long time is tried this often.
    public var maximumDelayMilliseconds: Int
    /// How many attempts in all before a transient failure is given up; `nil` for never (the
    /// ``Replicator`` while the pipeline runs: nothing may be lost).
    public var maximumAttempts: Int?

    public init(baseDelayMilliseconds: Int = 100, maximumDelayMilliseconds: Int = 5_000, maximumAttempts: Int? = nil) {
        precondition(baseDelayMilliseconds > 0 && maximumDelayMilliseconds >= baseDelayMilliseconds)
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.maximumDelayMilliseconds = maximumDelayMilliseconds
        self.maximumAttempts = maximumAttempts
    }

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Equatable {
        /// Try again after this many milliseconds.
        case retry(afterMilliseconds: Int)
        /// Stop: the failure is final, or the attempts are used up.
        case giveUp
    }

    /// Whether a failure may go away by itself (see the table above).
    public static func isTransient(_ error: ObjectStorageError) -> Bool {
        switch error.kind {
        case .serverError, .slowDown, .transport, .clockSkew:
            return true
        case .refused:
            return error.status == 408 || ["RequestTimeout", "OperationAborted", "InternalError"].contains(error.code)
        case .alreadyExists, .unknownAccessKey, .signatureRefused, .accessDenied, .noSuchBucket, .noSuchKey,
            .invalidResponse, .localFile:
            return false
        }
    }

    /// The ceiling of the delay after `failedAttempts` failures, in milliseconds.
    public func ceilingMilliseconds(failedAttempts: Int) -> Int {
        let doublings = min(max(failedAttempts - 1, 0), 30)
        return min(maximumDelayMilliseconds, baseDelayMilliseconds << doublings)
    }

    /// The decision after `failedAttempts` attempts (1 after the first failure) ended with `error`.
    public func decision(
        after error: ObjectStorageError, failedAttempts: Int, random: inout some RandomNumberGenerator
    ) -> Decision {
        guard Self.isTransient(error) else { return .giveUp }
        if let maximumAttempts, failedAttempts >= maximumAttempts { return .giveUp }
        return .retry(afterMilliseconds: Int.random(in: 0...ceilingMilliseconds(failedAttempts: failedAttempts), using: &random))
    }
}
