import Dispatch
import NIOConcurrencyHelpers

/// One timer for every running pipeline's derived gauges (``PipelineMetrics/refresh(uptimeNanoseconds:)``),
/// process-wide: a show server with hundreds of pipelines wakes four times a second to refresh them
/// all, not hundreds of times (a timer each cost about a seventh of the CPU of 50 copied streams).
///
/// Pipelines are held weakly and refreshed on a serial queue of the refresher's own, never on the
/// cooperative pool or a pipeline's thread (which may be blocked reading).
///
/// `@unchecked Sendable`: the timer (a `DispatchSourceTimer`, not `Sendable`) and the entries are
/// only touched inside `state`'s lock.
final class MetricsRefresher: @unchecked Sendable {
    /// The refresher of each refresh interval (in practice one: the default).
    private static let shared = NIOLockedValueBox<[Duration: MetricsRefresher]>([:])

    private struct Entry {
        weak var metrics: PipelineMetrics?
    }

    private let interval: Duration
    private let queue = DispatchQueue(label: "cuepoint.metrics")
    private let state = NIOLockedValueBox<(entries: [ObjectIdentifier: Entry], timer: (any DispatchSourceTimer)?)>(([:], nil))

    private init(interval: Duration) { self.interval = interval }

    /// Refreshes `metrics` every `interval` until ``remove(_:interval:)``.
    static func add(_ metrics: PipelineMetrics, interval: Duration) {
        let refresher = shared.withLockedValue { refreshers in
            if let existing = refreshers[interval] { return existing }
            let made = MetricsRefresher(interval: interval)
            refreshers[interval] = made
            return made
        }
        refresher.add(metrics)
    }

    /// Stops refreshing `metrics`.
    static func remove(_ metrics: PipelineMetrics, interval: Duration) {
        shared.withLockedValue { $0[interval] }?.remove(metrics)
    }

    private func add(_ metrics: PipelineMetrics) {
        state.withLockedValue { state in
            state.entries[ObjectIdentifier(metrics)] = Entry(metrics: metrics)
            guard state.timer == nil else { return }
            let (seconds, attoseconds) = interval.components
            let milliseconds = DispatchTimeInterval.milliseconds(Int(seconds * 1_000 + attoseconds / 1_000_000_000_000_000))
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + milliseconds, repeating: milliseconds)
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.resume()
            state.timer = timer
        }
    }

    private func remove(_ metrics: PipelineMetrics) {
        state.withLockedValue { state in
            state.entries[ObjectIdentifier(metrics)] = nil
            if state.entries.isEmpty {
                state.timer?.cancel()
                state.timer = nil
            }
        }
    }

    private func tick() {
        let running = state.withLockedValue { state in
            state.entries = state.entries.filter { $0.value.metrics != nil }
            return state.entries.values.compactMap(\.metrics)
        }
        let now = DispatchTime.now().uptimeNanoseconds
        for metrics in running { metrics.refresh(uptimeNanoseconds: now) }
    }
}
