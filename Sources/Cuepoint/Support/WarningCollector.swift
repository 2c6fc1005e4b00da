public import Logging
import NIOConcurrencyHelpers

/// Collects the warnings of a run: one-off warnings are logged at once (and passed to `report`);
/// repeated conditions (dropped packets) are counted and summarised at the end.
public final class WarningCollector: Sendable {
    private struct State {
        var messages: [String] = []
        var counts: [String: Int] = [:]
        var countOrder: [String] = []
    }

    private let state = NIOLockedValueBox(State())
    private let report: @Sendable (String) -> Void
    private let logger: Logger?

    /// - Parameters:
    ///   - logger: where each warning is logged, at `.warning`; nil logs nothing.
    ///   - report: also called with each warning.
    public init(logger: Logger? = nil, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.logger = logger
        self.report = report
    }

    /// Records and reports a warning.
    public func add(_ message: String) {
        state.withLockedValue { $0.messages.append(message) }
        logger?.warning("\(message)")
        report(message)
    }

    /// Counts one occurrence of a repeated condition.
    public func count(_ condition: String) {
        state.withLockedValue { state in
            if state.counts[condition] == nil { state.countOrder.append(condition) }
            state.counts[condition, default: 0] += 1
        }
    }

    /// Every warning, with counted conditions as "condition (N times)".
    public var all: [String] {
        state.withLockedValue { state in
            state.messages + state.countOrder.map { "\($0) (\(state.counts[$0]!)×)" }
        }
    }

    /// Reports the counted conditions (call once at the end).
    public func reportCounts() {
        let counted = state.withLockedValue { state in state.countOrder.map { "\($0) (\(state.counts[$0]!)×)" } }
        for line in counted {
            logger?.warning("\(line)")
            report(line)
        }
    }
}
