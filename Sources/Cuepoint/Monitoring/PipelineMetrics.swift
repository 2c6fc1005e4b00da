public import CoreMetrics
public import CuepointTime
import Dispatch
import Synchronization
import NIOConcurrencyHelpers

/// What a running pipeline has done, for monitoring, recorded through swift-metrics: counters,
/// gauges and timers made by a `MetricsFactory`, so an application that embeds the library
/// gets Cuepoint's metrics in whatever backend it bootstrapped (`MetricsSystem.factory`, the
/// default), and `cuepoint --serve` exports them at `/metrics` through a Prometheus registry of
/// its own. `docs/http-api.md` lists every name and label.
///
/// Every metric carries ``dimensions`` first (none by default): the labels that tell one
/// pipeline's metrics from another's when several share a backend (a show server adds
/// `("show", NAME)`), then its own label (`rendition`, `source`).
///
/// The pipeline updates the metrics at its edges. The per-packet updates,
/// ``addIngestBytes(_:)`` and ``mediaReached(milliseconds:)``, are a relaxed atomic add and a
/// relaxed atomic store. The derived gauges (ingest bitrate, media
/// time, fall-behind) and the ingest byte counter are brought up to date by ``refresh(uptimeNanoseconds:)``,
/// which a timer calls four times a second while the pipeline runs (one ``MetricsRefresher``
/// for every pipeline of the process) and a scrape calls before it reads: they move with the wall clock even while the read loop is blocked on an input that
/// stalled (the bitrate falls to 0 over its window, the fall-behind keeps growing). Nothing here
/// touches FFmpeg.
///
/// Times are integers (milliseconds, nanoseconds) until they reach a metric: timers take
/// nanoseconds, gauges take seconds.
public final class PipelineMetrics: Sendable {
    /// Names of the metrics, as `docs/http-api.md` documents them.
    public enum Name {
        public static let running = "cuepoint_pipeline_running"
        public static let inputLive = "cuepoint_input_live"
        public static let transportStreamCopy = "cuepoint_transport_stream_copy"
        public static let ingestBytes = "cuepoint_ingest_bytes_total"
        public static let ingestBitrate = "cuepoint_ingest_bits_per_second"
        public static let mediaTime = "cuepoint_media_time_seconds"
        public static let fallBehind = "cuepoint_fall_behind_seconds"
        public static let reconnects = "cuepoint_input_reconnects_total"
        public static let segments = "cuepoint_segments_total"
        public static let segmentDuration = "cuepoint_segment_duration_seconds"
        public static let publishLatency = "cuepoint_publish_latency_seconds"
        public static let markersAccepted = "cuepoint_markers_accepted_total"
        public static let markersRejected = "cuepoint_markers_rejected_total"
        public static let markersClosed = "cuepoint_markers_closed_total"
        public static let publishPendingOperations = "cuepoint_publish_pending_operations"
        public static let publishPendingBytes = "cuepoint_publish_pending_bytes"
        public static let publishOldestPending = "cuepoint_publish_oldest_pending_seconds"
        public static let publishFailedAttempts = "cuepoint_publish_failed_attempts_total"
    }

    /// Bucket bounds of the timers that are histograms in Prometheus, by metric name. A
    /// `MetricsFactory` cannot be told buckets through swift-metrics, so the backend is
    /// configured with these (`PrometheusExport` in `CuepointServer` does it).
    public static let histogramBuckets: [String: [Duration]] = [
        Name.segmentDuration: [1, 2, 4, 6, 8, 10, 15, 30].map { .seconds($0) },
        Name.publishLatency: [
            .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2_500), .seconds(5),
        ],
    ]

    /// How far back the ingest bitrate looks, in nanoseconds of the monotonic clock.
    static let bitrateWindowNanoseconds: UInt64 = 5_000_000_000
    /// How often the derived gauges are refreshed while the pipeline runs, by default.
    public static let defaultRefreshInterval = Duration.milliseconds(250)

    /// Where a marker came from, as the metrics label it (a bounded set: never a file's path).
    public enum MarkerSource: String, Sendable, CaseIterable {
        /// The library API and the HTTP API.
        case api
        /// A JSON-lines file (`markers.from: - file:`, `--markers`).
        case file
        /// The pipeline file's inline list.
        case list
    }

    /// Where the metrics are made; the server makes its own (marker API and LL-HLS responses)
    /// with the same factory and ``dimensions``.
    public let factory: any MetricsFactory
    /// The labels that identify this pipeline, first on every metric.
    public let dimensions: [(String, String)]

    private let running: Gauge
    private let inputLive: Gauge
    private let transportStreamCopy: Gauge
    private let ingestBytesCounter: Counter
    private let ingestBitrate: Gauge
    private let mediaTime: Gauge
    private let fallBehind: Gauge
    private let reconnects: Counter
    private let publishLatency: CoreMetrics.Timer
    private let markersAccepted: [MarkerSource: Counter]
    private let markersRejected: [MarkerSource: Counter]
    private let markersClosed: [MarkerSource: Counter]
    private let renditions = NIOLockedValueBox<[String: RenditionMetrics]>([:])
    private let publishTargets = NIOLockedValueBox<[String: PublishMetrics]>([:])

    private struct RenditionMetrics {
        var segments: Counter
        var durations: CoreMetrics.Timer
    }

    private struct PublishMetrics {
        var pendingOperations: Gauge
        var pendingBytes: Gauge
        var oldestPending: Gauge
        var failedAttempts: Counter
    }

    private let clock: any WallClock
    private let refreshInterval: Duration?
    private let ingestBytes = Atomic<Int64>(0)
    /// The media time reached, in milliseconds from the recording's start.
    private let mediaMilliseconds = Atomic<Int64>(0)
    private let state = NIOLockedValueBox(State())

    private struct State {
        var isRunning = false
        var isLive = false
        /// The fall-behind at the last refresh while running, in milliseconds (kept once the
        /// pipeline stops).
        var lagMilliseconds: Int64 = 0
        /// The wall clock of recording time 0 in the current epoch (live inputs).
        var recordingZero: WallClockTime?
        /// Ingest bytes already added to the counter.
        var countedBytes: Int64 = 0
        /// (monotonic nanoseconds, ingest bytes) at each refresh of the last window, oldest first.
        var ingestSamples: [(nanoseconds: UInt64, bytes: Int64)] = []
    }

    /// - Parameters:
    ///   - factory: Where the metrics are made; `MetricsSystem.factory` (what the application
    ///     bootstrapped) when nil.
    ///   - dimensions: Labels put first on every metric, e.g. `[("show", "spring-sale")]`.
    ///   - clock: The wall clock the fall-behind of a live input is measured against.
    ///   - refreshInterval: How often a timer refreshes the derived gauges while the pipeline
    ///     runs; nil: no timer (the caller calls ``refresh(uptimeNanoseconds:)``, as a test
    ///     with a manual clock does).
    public init(
        factory: (any MetricsFactory)? = nil, dimensions: [(String, String)] = [],
        clock: any WallClock = SystemWallClock(),
        refreshInterval: Duration? = PipelineMetrics.defaultRefreshInterval
    ) {
        let factory = factory ?? MetricsSystem.factory
        self.factory = factory
        self.dimensions = dimensions
        self.clock = clock
        self.refreshInterval = refreshInterval
        func gauge(_ name: String) -> Gauge { Gauge(label: name, dimensions: dimensions, factory: factory) }
        func counters(_ name: String) -> [MarkerSource: Counter] {
            Dictionary(
                uniqueKeysWithValues: MarkerSource.allCases.map {
                    ($0, Counter(label: name, dimensions: dimensions + [("source", $0.rawValue)], factory: factory))
                })
        }
        running = gauge(Name.running)
        inputLive = gauge(Name.inputLive)
        transportStreamCopy = gauge(Name.transportStreamCopy)
        ingestBitrate = gauge(Name.ingestBitrate)
        mediaTime = gauge(Name.mediaTime)
        fallBehind = gauge(Name.fallBehind)
        ingestBytesCounter = Counter(label: Name.ingestBytes, dimensions: dimensions, factory: factory)
        reconnects = Counter(label: Name.reconnects, dimensions: dimensions, factory: factory)
        publishLatency = CoreMetrics.Timer(label: Name.publishLatency, dimensions: dimensions, factory: factory)
        // Every source from the start, so a scrape sees the same series from the first second.
        markersAccepted = counters(Name.markersAccepted)
        markersRejected = counters(Name.markersRejected)
        markersClosed = counters(Name.markersClosed)
        for gauge in [running, inputLive, transportStreamCopy, ingestBitrate, mediaTime, fallBehind] { gauge.record(0) }
    }

    deinit {
        if let refreshInterval { MetricsRefresher.remove(self, interval: refreshInterval) }
    }

    // MARK: Updates (the pipeline's edges)

    /// How far a live run is behind the wall clock, in milliseconds, as of the last refresh
    /// (`cuepoint_fall_behind_seconds`); 0 for files and before the first source.
    public var lagMilliseconds: Int64 { state.withLockedValue { $0.lagMilliseconds } }

    /// The media time reached, in milliseconds from the recording's start
    /// (`cuepoint_media_time_seconds`).
    public var mediaMillisecondsReached: Int64 { mediaMilliseconds.load(ordering: .relaxed) }

    /// Counts the payload of one packet read from the input: the per-packet update, one
    /// relaxed atomic add (the counter catches up at the next refresh).
    public func addIngestBytes(_ count: Int) {
        ingestBytes.wrappingAdd(Int64(count), ordering: .relaxed)
    }

    /// Says which path reads the input: 1 for the transport stream copy path (MPEG-TS cut into
    /// MPEG-TS segments without demuxing), 0 for libavformat.
    public func setTransportStreamCopy(_ isOn: Bool) { transportStreamCopy.record(isOn ? 1 : 0) }

    /// Marks the pipeline as reading (or no longer reading) its input. While it reads, a timer
    /// refreshes the derived gauges four times a second, whether packets arrive or not.
    public func setRunning(_ isRunning: Bool, isLive: Bool) {
        state.withLockedValue {
            $0.isRunning = isRunning
            $0.isLive = isLive
        }
        running.record(isRunning ? 1 : 0)
        inputLive.record(isLive ? 1 : 0)
        if let refreshInterval {
            if isRunning {
                MetricsRefresher.add(self, interval: refreshInterval)
            } else {
                MetricsRefresher.remove(self, interval: refreshInterval)
            }
        }
        refresh(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds)
    }

    /// Records completed segments (one per rendition, all cut by the same packet) and how long
    /// publishing them took.
    ///
    /// - Parameters:
    ///   - segments: Each segment's rendition and duration (EXTINF) in milliseconds.
    ///   - publishLatencyNanoseconds: From the packet that completed them to their playlists
    ///     written, on the monotonic clock.
    public func recordSegments(
        _ segments: [(rendition: String, durationMilliseconds: Int64)], publishLatencyNanoseconds: UInt64
    ) {
        for segment in segments {
            let metrics = renditions.withLockedValue { renditions in
                if let existing = renditions[segment.rendition] { return existing }
                let labels = dimensions + [("rendition", segment.rendition)]
                let made = RenditionMetrics(
                    segments: Counter(label: Name.segments, dimensions: labels, factory: factory),
                    durations: CoreMetrics.Timer(label: Name.segmentDuration, dimensions: labels, factory: factory))
                renditions[segment.rendition] = made
                return made
            }
            metrics.segments.increment()
            metrics.durations.recordMilliseconds(segment.durationMilliseconds)
        }
        publishLatency.recordNanoseconds(Int64(clamping: publishLatencyNanoseconds))
    }

    /// Counts markers accepted from `source`.
    public func markersAccepted(_ count: Int = 1, from source: MarkerSource) {
        guard count > 0 else { return }
        markersAccepted[source]?.increment(by: count)
    }

    /// Counts marker requests (adds or closes) refused from `source`.
    public func markersRejected(_ count: Int = 1, from source: MarkerSource) {
        guard count > 0 else { return }
        markersRejected[source]?.increment(by: count)
    }

    /// Counts a marker closed by a request from `source`.
    public func markerClosed(from source: MarkerSource) {
        markersClosed[source]?.increment()
    }

    /// How far a publish target (an object store or HTTP origin) is behind the local recording:
    /// operations not yet acknowledged by it, their bytes, and the age of the oldest, in
    /// milliseconds. Sampled by the run while it publishes (``Publication``).
    ///
    /// - Parameter target: the target as written (`s3://shows/spring-sale`), the `target` label.
    public func publishLag(target: String, pendingOperations: Int, pendingBytes: Int, oldestPendingMilliseconds: Int64) {
        let metrics = publishMetrics(target)
        metrics.pendingOperations.record(pendingOperations)
        metrics.pendingBytes.record(pendingBytes)
        metrics.oldestPending.record(Double(oldestPendingMilliseconds) / 1000)
    }

    /// Counts a request to a publish target that failed and will be tried again.
    public func publishAttemptFailed(target: String) {
        publishMetrics(target).failedAttempts.increment()
    }

    private func publishMetrics(_ target: String) -> PublishMetrics {
        publishTargets.withLockedValue { targets in
            if let existing = targets[target] { return existing }
            let labels = dimensions + [("target", target)]
            let made = PublishMetrics(
                pendingOperations: Gauge(label: Name.publishPendingOperations, dimensions: labels, factory: factory),
                pendingBytes: Gauge(label: Name.publishPendingBytes, dimensions: labels, factory: factory),
                oldestPending: Gauge(label: Name.publishOldestPending, dimensions: labels, factory: factory),
                failedAttempts: Counter(label: Name.publishFailedAttempts, dimensions: labels, factory: factory))
            targets[target] = made
            return made
        }
    }

    /// Counts a reconnection of the input.
    public func inputReconnected() {
        reconnects.increment()
    }

    /// Recording time 0 of a new epoch is at `start` on the wall clock (the first packet of a
    /// live input, or of a reconnection): the fall-behind is measured from it.
    public func recordingStarted(at start: WallClockTime) {
        state.withLockedValue { $0.recordingZero = start }
    }

    /// The media time reached, in milliseconds from the recording's start: a per-packet
    /// update, one relaxed atomic store (the gauge follows at the next refresh).
    public func mediaReached(milliseconds: Int64) {
        mediaMilliseconds.store(milliseconds, ordering: .relaxed)
    }

    // MARK: Derived gauges

    /// Brings the ingest byte counter and the derived gauges up to date at `uptimeNanoseconds`
    /// (now, on the monotonic clock):
    ///
    /// - the bitrate: the bytes read between the oldest refresh of the last five seconds and
    ///   now, over the time between them (0 until a second has passed; 0 again five seconds
    ///   into a stall);
    /// - the media time reached;
    /// - for a live input while the pipeline runs, the fall-behind: wall-clock time since
    ///   recording time 0 of the epoch minus the media time reached (it grows while no media
    ///   arrives); once the pipeline stops it keeps its last value; 0 for files.
    public func refresh(uptimeNanoseconds: UInt64) {
        let bytes = ingestBytes.load(ordering: .relaxed)
        let media = mediaMilliseconds.load(ordering: .relaxed)
        let now = clock.now()
        let (newBytes, bitrate, lag) = state.withLockedValue { state in
            let newBytes = bytes - state.countedBytes
            state.countedBytes = bytes
            // Refreshes from the timer and from scrapes may arrive out of order by a hair.
            let uptimeNanoseconds = max(uptimeNanoseconds, state.ingestSamples.last?.nanoseconds ?? 0)
            state.ingestSamples.append((uptimeNanoseconds, bytes))
            while let first = state.ingestSamples.first, state.ingestSamples.count > 2,
                uptimeNanoseconds &- first.nanoseconds > Self.bitrateWindowNanoseconds
            {
                state.ingestSamples.removeFirst()
            }
            var bitrate: Int64 = 0
            if let first = state.ingestSamples.first, uptimeNanoseconds &- first.nanoseconds >= 1_000_000_000,
                uptimeNanoseconds >= first.nanoseconds
            {
                let elapsedMilliseconds = Int64(clamping: (uptimeNanoseconds - first.nanoseconds) / 1_000_000)
                bitrate = (bytes - first.bytes) * 8_000 / elapsedMilliseconds
            }
            if state.isRunning, state.isLive, let zero = state.recordingZero {
                state.lagMilliseconds = now.millisecondsSince1970 - zero.millisecondsSince1970 - media
            }
            return (newBytes, bitrate, state.lagMilliseconds)
        }
        if newBytes > 0 { ingestBytesCounter.increment(by: newBytes) }
        ingestBitrate.record(bitrate)
        mediaTime.record(Double(media) / 1000)
        fallBehind.record(Double(lag) / 1000)
    }
}
