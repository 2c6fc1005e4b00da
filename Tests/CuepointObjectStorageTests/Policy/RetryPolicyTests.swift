import CuepointTestSupport
import CuepointObjectStorage
import Testing

@Suite(.ownThreads) struct RetryPolicyTests {
    func error(_ kind: ObjectStorageError.Kind, status: Int? = nil, code: String? = nil) -> ObjectStorageError {
        ObjectStorageError(kind: kind, operation: "PUT", target: "s3://shows", key: "k", status: status, code: code, message: "m")
    }

    static let transient: [(ObjectStorageError.Kind, Int?, String?)] = [
        (.serverError, 500, "InternalError"), (.slowDown, 503, "SlowDown"), (.slowDown, 429, nil),
        (.transport, nil, nil), (.clockSkew, 403, "RequestTimeTooSkewed"), (.refused, 400, "RequestTimeout"),
        (.refused, 408, nil), (.refused, 409, "OperationAborted"),
    ]

    static let final: [(ObjectStorageError.Kind, Int?, String?)] = [
        (.signatureRefused, 403, "SignatureDoesNotMatch"), (.unknownAccessKey, 403, "InvalidAccessKeyId"),
        (.accessDenied, 403, "AccessDenied"), (.noSuchBucket, 404, "NoSuchBucket"), (.noSuchKey, 404, "NoSuchKey"),
        (.alreadyExists, 412, "PreconditionFailed"), (.refused, 400, "InvalidArgument"), (.localFile, nil, nil),
        (.invalidResponse, 200, nil),
    ]

    @Test(arguments: RetryPolicyTests.transient)
    func transientFailuresAreRetried(kind: ObjectStorageError.Kind, status: Int?, code: String?) {
        var random = SeededRandom(seed: 1)
        let decision = RetryPolicy().decision(after: error(kind, status: status, code: code), failedAttempts: 1, random: &random)
        #expect(decision != .giveUp)
    }

    @Test(arguments: RetryPolicyTests.final)
    func finalFailuresAreNot(kind: ObjectStorageError.Kind, status: Int?, code: String?) {
        var random = SeededRandom(seed: 1)
        #expect(RetryPolicy().decision(after: error(kind, status: status, code: code), failedAttempts: 1, random: &random) == .giveUp)
    }

    @Test func delaysAreFullJitterUnderADoublingCeiling() {
        let policy = RetryPolicy(baseDelayMilliseconds: 100, maximumDelayMilliseconds: 5_000)
        #expect((1...8).map { policy.ceilingMilliseconds(failedAttempts: $0) } == [100, 200, 400, 800, 1600, 3200, 5000, 5000])
        #expect(policy.ceilingMilliseconds(failedAttempts: 500) == 5000)
        var random = SeededRandom(seed: 42)
        var delays: [Int] = []
        for attempt in 1...200 {
            guard case .retry(let delay) = policy.decision(after: error(.serverError), failedAttempts: attempt, random: &random)
            else { Issue.record("a 5xx was not retried at attempt \(attempt)"); return }
            #expect((0...policy.ceilingMilliseconds(failedAttempts: attempt)).contains(delay))
            delays.append(delay)
        }
        // Jitter: the delays at the cap are spread, not all equal.
        #expect(Set(delays.suffix(50)).count > 40)
    }

    @Test func theSameSeedGivesTheSameDelays() {
        func delays(seed: UInt64) -> [RetryPolicy.Decision] {
            var random = SeededRandom(seed: seed)
            return (1...20).map { RetryPolicy().decision(after: error(.transport), failedAttempts: $0, random: &random) }
        }
        #expect(delays(seed: 7) == delays(seed: 7))
        #expect(delays(seed: 7) != delays(seed: 8))
    }

    @Test func attemptsCanBeLimited() {
        var random = SeededRandom(seed: 3)
        let policy = RetryPolicy(maximumAttempts: 3)
        #expect(policy.decision(after: error(.transport), failedAttempts: 2, random: &random) != .giveUp)
        #expect(policy.decision(after: error(.transport), failedAttempts: 3, random: &random) == .giveUp)
    }
}
