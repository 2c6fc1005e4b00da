import CoreMetrics
import Cuepoint
import NIOConcurrencyHelpers

/// The server's own metrics, beside the pipeline's: the marker API's responses and the LL-HLS
/// requests, by status code, and how soon a blocking playlist request that waited for a part
/// was answered. Made with the pipeline's factory and dimensions (``PipelineMetrics/factory``),
/// so they go where the pipeline's go.
///
/// Every response is counted once, where the server answers it (the middleware or route), so
/// no refusal escapes the count: a query that cannot be parsed is a 400 like any other.
final class ServerMetrics: Sendable {
    enum Name {
        static let markerAPIResponses = "cuepoint_marker_api_responses_total"
        static let blockingRequests = "cuepoint_llhls_blocking_requests_total"
        static let partRequests = "cuepoint_llhls_part_requests_total"
        static let partToResponse = "cuepoint_llhls_part_to_response_seconds"
    }

    /// Bucket bounds of the server's timer (0.1 ms to 5 s).
    static let histogramBuckets: [String: [Duration]] = [
        Name.partToResponse: [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
    ]

    private let factory: any MetricsFactory
    private let dimensions: [(String, String)]
    /// Counters by metric name and status code, made on first use.
    private let counters = NIOLockedValueBox<[String: [Int: Counter]]>([:])
    private let partToResponse: CoreMetrics.Timer?

    /// - Parameters:
    ///   - factory: Where the metrics go; `MetricsSystem.factory` when nil.
    ///   - dimensions: Labels put first on every metric (the pipeline's).
    ///   - lowLatency: Whether the server answers LL-HLS requests: its families are then present
    ///     from the first scrape, with zeros for the usual codes.
    init(factory: (any MetricsFactory)?, dimensions: [(String, String)], lowLatency: Bool) {
        let factory = factory ?? MetricsSystem.factory
        self.factory = factory
        self.dimensions = dimensions
        partToResponse =
            lowLatency ? CoreMetrics.Timer(label: Name.partToResponse, dimensions: dimensions, factory: factory) : nil
        if lowLatency {
            for code in [200, 400, 503] { _ = counter(Name.blockingRequests, code: code) }
            for code in [200, 404, 503] { _ = counter(Name.partRequests, code: code) }
        }
    }

    /// A response of the marker API.
    func markerAPIResponded(_ code: Int) {
        counter(Name.markerAPIResponses, code: code).increment()
    }

    /// A response to an LL-HLS playlist request with delivery directives.
    func playlistRequestAnswered(_ code: Int) {
        counter(Name.blockingRequests, code: code).increment()
    }

    /// A response to an LL-HLS part request.
    func partRequestAnswered(_ code: Int) {
        counter(Name.partRequests, code: code).increment()
    }

    /// A blocking playlist request answered `nanoseconds` after the part it waited for was
    /// complete.
    func blockingRequestAnswered(afterPartNanoseconds nanoseconds: UInt64) {
        partToResponse?.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    private func counter(_ name: String, code: Int) -> Counter {
        counters.withLockedValue { counters in
            if let counter = counters[name]?[code] { return counter }
            let counter = Counter(label: name, dimensions: dimensions + [("code", String(code))], factory: factory)
            counters[name, default: [:]][code] = counter
            return counter
        }
    }
}
