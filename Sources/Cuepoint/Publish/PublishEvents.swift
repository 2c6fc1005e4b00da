import CuepointObjectStorage
import NIOConcurrencyHelpers

/// Turns what a target's ``Replicator`` reports into warnings a person can act on, and counts
/// failed attempts in the metrics. An outage is one warning when it starts and one when the
/// store answers again, not one per retried request; objects found already on the store are
/// counted, not warned about one by one.
final class PublishEvents: Sendable {
    let target: String
    private let warnings: WarningCollector
    private let metrics: PipelineMetrics?
    private let failing = NIOLockedValueBox(false)

    init(target: String, warnings: WarningCollector, metrics: PipelineMetrics?) {
        self.target = target
        self.warnings = warnings
        self.metrics = metrics
    }

    func handle(_ event: ReplicationEvent) {
        switch event {
        case .retrying(let key, _, let error, _):
            metrics?.publishAttemptFailed(target: target)
            let first = failing.withLockedValue { failing in
                defer { failing = true }
                return !failing
            }
            if first {
                warnings.add(
                    "\(target): cannot upload \(key) (\(Self.summary(error))); retrying with backoff while the recording"
                        + " goes on locally")
            } else {
                warnings.count("\(target): requests retried")
            }
        case .recovered(let key, let attempts):
            let wasFailing = failing.withLockedValue { failing in
                defer { failing = false }
                return failing
            }
            if wasFailing {
                warnings.add("\(target): the store answers again (\(key) went up after \(attempts) failed attempt(s))")
            }
        case .alreadyPresent:
            warnings.count("\(target): objects already on the store with the same bytes were left as they are")
        case .conflict(let key, let storedSize, let localSize):
            let difference =
                storedSize == localSize
                ? "other bytes of the same size, \(localSize)" : "another size (\(storedSize) bytes there, \(localSize) here)"
            warnings.add(
                "\(target): \(key) already exists on the store with \(difference); it was NOT overwritten — another"
                    + " machine may publish to this prefix: give each show its own")
        case .deleteRefused(let failure):
            warnings.add("\(target): the store refused to delete \(failure.key) (\(failure.code): \(failure.message))")
        case .skipped(let key, let error):
            warnings.add("\(target): \(key) was not uploaded: \(error.message) (the local file is gone)")
        case .halted(let error):
            warnings.add(
                "\(target): publishing stopped: \(Self.summary(error)) — \(error.fix); the recording goes on locally"
                    + " and what was not uploaded is reported at the end")
        }
    }

    /// `503 SlowDown (Please reduce your request rate.)`, or the transport error's text.
    static func summary(_ error: ObjectStorageError) -> String {
        let answer = [error.status.map(String.init), error.code].compactMap { $0 }.joined(separator: " ")
        return answer.isEmpty ? error.message : "\(answer): \(error.message)"
    }
}
