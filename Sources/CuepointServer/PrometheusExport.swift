import Cuepoint
public import Prometheus

/// Cuepoint's metrics in Prometheus's text format: a `PrometheusCollectorRegistry` of its own,
/// and the swift-metrics factory that records into it with the buckets Cuepoint's histograms
/// are documented with (`docs/http-api.md`).
///
/// Give ``factory`` to the pipeline (`RunOptions.metricsFactory`) and ``registry`` to the
/// server (`DirectoryServer.metricsRegistry`), which renders it at `/metrics`. One export per
/// server: two servers in one process (or two tests) never mix their counts, and nothing is
/// bootstrapped globally. An application that bootstraps its own `PrometheusMetricsFactory`
/// sets the same buckets from ``histogramBuckets``.
public struct PrometheusExport: Sendable {
    /// The text exposition's content type (format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Bucket bounds of every Cuepoint timer, by metric name: the pipeline's and the server's.
    public static var histogramBuckets: [String: [Duration]] {
        PipelineMetrics.histogramBuckets.merging(ServerMetrics.histogramBuckets) { pipeline, _ in pipeline }
    }

    /// What `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// Records swift-metrics into ``registry``; timers become histograms with Cuepoint's buckets.
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = Self.histogramBuckets
        self.factory = factory
    }
}
