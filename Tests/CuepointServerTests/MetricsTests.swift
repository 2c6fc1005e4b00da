import CuepointTestSupport
import Cuepoint
import CuepointTime
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import NIOConcurrencyHelpers
import Testing

@testable import CuepointServer

/// `/metrics`: the pipeline's swift-metrics, recorded into a registry of the test's own (no
/// global bootstrap), rendered by swift-prometheus, parsed line by line here.
@Suite(.ownThreads) struct MetricsTests {
    /// A wall clock the test moves by hand.
    final class ManualClock: WallClock {
        private let milliseconds: NIOLockedValueBox<Int64>
        init(_ start: Int64 = 1_741_975_200_000) { milliseconds = NIOLockedValueBox(start) }
        func now() -> WallClockTime { WallClockTime(millisecondsSince1970: milliseconds.withLockedValue { $0 }) }
        func advance(milliseconds delta: Int64) { milliseconds.withLockedValue { $0 += delta } }
    }

    /// Pipeline metrics recording into a fresh export; refreshed only when the test says so.
    static func pipeline(clock: any WallClock = SystemWallClock()) -> (PipelineMetrics, PrometheusExport) {
        let export = PrometheusExport()
        return (PipelineMetrics(factory: export.factory, clock: clock, refreshInterval: nil), export)
    }

    static func recorded() -> (PipelineMetrics, PrometheusExport) {
        let (metrics, export) = pipeline()
        metrics.setRunning(true, isLive: true)
        metrics.addIngestBytes(1_000)
        metrics.addIngestBytes(500)
        metrics.recordSegments(
            [("source", 6_006), (#"odd "name"\ here"#, 6_006)], publishLatencyNanoseconds: 2_000_000)
        metrics.recordSegments(
            [("source", 1_500), (#"odd "name"\ here"#, 1_500)], publishLatencyNanoseconds: 7_000_000_000)
        metrics.markersAccepted(2, from: .file)
        metrics.markersAccepted(from: .api)
        metrics.markersRejected(from: .api)
        metrics.markerClosed(from: .api)
        metrics.mediaReached(milliseconds: 7_506)
        metrics.refresh(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds)
        metrics.setRunning(false, isLive: true)
        return (metrics, export)
    }

    @Test("the exposition parses, and holds the counters, gauges and histograms recorded")
    func exposition() {
        let (_, export) = Self.recorded()
        let exposition = Exposition(export.registry.emitToString())
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        let samples = exposition.samples
        #expect(samples["cuepoint_pipeline_running"] == 0)
        #expect(samples["cuepoint_input_live"] == 1)
        #expect(samples["cuepoint_ingest_bytes_total"] == 1500)
        #expect(samples["cuepoint_media_time_seconds"] == 7.506)
        #expect(samples["cuepoint_input_reconnects_total"] == 0)
        #expect(samples[#"cuepoint_segments_total{rendition="source"}"#] == 2)
        #expect(samples[#"cuepoint_segments_total{rendition="odd \"name\"\\ here"}"#] == 2, "label values escaped")
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="1.0"}"#] == 0)
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="2.0"}"#] == 1)
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="8.0"}"#] == 2)
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="+Inf"}"#] == 2)
        #expect(exposition.text(#"cuepoint_segment_duration_seconds_sum{rendition="source"}"#) == "7.506", "exact")
        #expect(samples[#"cuepoint_segment_duration_seconds_count{rendition="source"}"#] == 2)
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="0.0025"}"#] == 1)
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="5.0"}"#] == 1, "7 s is past the last bound")
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="+Inf"}"#] == 2)
        #expect(exposition.text("cuepoint_publish_latency_seconds_sum") == "7.002")
        #expect(samples[#"cuepoint_markers_accepted_total{source="api"}"#] == 1)
        #expect(samples[#"cuepoint_markers_accepted_total{source="file"}"#] == 2)
        #expect(samples[#"cuepoint_markers_accepted_total{source="list"}"#] == 0, "every source, from the start")
        #expect(samples[#"cuepoint_markers_rejected_total{source="api"}"#] == 1)
        #expect(samples[#"cuepoint_markers_closed_total{source="api"}"#] == 1)
    }

    @Test("a fresh pipeline's metrics parse too: every family present, zeros")
    func emptyExposition() {
        let (_, export) = Self.pipeline()
        let exposition = Exposition(export.registry.emitToString())
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        #expect(exposition.samples["cuepoint_ingest_bytes_total"] == 0)
        #expect(exposition.samples[#"cuepoint_publish_latency_seconds_bucket{le="+Inf"}"#] == 0)
        #expect(exposition.samples[#"cuepoint_markers_rejected_total{source="file"}"#] == 0)
        #expect(exposition.samples["cuepoint_fall_behind_seconds"] == 0)
    }

    @Test("dimensions come first on every series: two pipelines share a registry without mixing")
    func dimensions() {
        let export = PrometheusExport()
        let a = PipelineMetrics(factory: export.factory, dimensions: [("show", "a")])
        let b = PipelineMetrics(factory: export.factory, dimensions: [("show", "b")])
        a.recordSegments([("source", 2_000)], publishLatencyNanoseconds: 1_000)
        b.markersAccepted(3, from: .api)
        let exposition = Exposition(export.registry.emitToString())
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        #expect(exposition.samples[#"cuepoint_segments_total{show="a",rendition="source"}"#] == 1)
        #expect(exposition.samples[#"cuepoint_markers_accepted_total{show="b",source="api"}"#] == 3)
        #expect(exposition.samples[#"cuepoint_markers_accepted_total{show="a",source="api"}"#] == 0)
        #expect(exposition.samples.keys.allSatisfy { $0.contains(#"show=""#) }, "every series names its pipeline")
    }

    /// Issue 16, defect 7: with the input stopped, the gauges kept the last bitrate and a
    /// constant fall-behind. They follow the wall clock now, with or without packets.
    @Test("during a stall the bitrate falls to 0 over its window and the fall-behind keeps growing")
    func stall() {
        let clock = ManualClock()
        let (metrics, export) = Self.pipeline(clock: clock)
        let second: UInt64 = 1_000_000_000
        metrics.setRunning(true, isLive: true)
        defer { metrics.setRunning(false, isLive: true) }
        metrics.recordingStarted(at: clock.now())
        // The monotonic clock of the test, ahead of the refreshes `setRunning` makes.
        let start = DispatchTime.now().uptimeNanoseconds + 3_600 * second
        func scrape(at seconds: UInt64) -> Exposition {
            metrics.refresh(uptimeNanoseconds: start + seconds * second)
            return Exposition(export.registry.emitToString())
        }
        #expect(scrape(at: 0).samples["cuepoint_ingest_bits_per_second"] == 0, "no rate before a second has passed")
        // Two seconds of media at 1 Mbit/s, in real time.
        for step in 1...2 {
            metrics.addIngestBytes(125_000)
            metrics.mediaReached(milliseconds: Int64(step) * 1_000)
            clock.advance(milliseconds: 1_000)
            _ = scrape(at: UInt64(step))
        }
        let flowing = scrape(at: 2)
        #expect(flowing.samples["cuepoint_ingest_bits_per_second"] == 1_000_000)
        #expect(flowing.samples["cuepoint_fall_behind_seconds"] == 0)
        #expect(flowing.samples["cuepoint_ingest_bytes_total"] == 250_000)
        // The input stops: no bytes, no media, the wall clock goes on.
        var lags: [Double] = []
        var rates: [Double] = []
        for step in 3...9 {
            clock.advance(milliseconds: 1_000)
            let stalled = scrape(at: UInt64(step))
            lags.append(stalled.samples["cuepoint_fall_behind_seconds"] ?? -1)
            rates.append(stalled.samples["cuepoint_ingest_bits_per_second"] ?? -1)
        }
        #expect(lags == [1, 2, 3, 4, 5, 6, 7], "one more second behind each second")
        #expect(rates.first.map { $0 > 0 && $0 < 1_000_000 } == true, "falling over the window: \(rates)")
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "never rising without bytes: \(rates)")
        #expect(rates.last == 0, "five seconds into the stall, nothing was read: \(rates)")
        #expect(scrape(at: 9).samples["cuepoint_media_time_seconds"] == 2)
    }

    @Test("a file input has no fall-behind; the ingest counter catches up at every refresh")
    func fileInput() {
        let clock = ManualClock()
        let (metrics, export) = Self.pipeline(clock: clock)
        metrics.setRunning(true, isLive: false)
        metrics.recordingStarted(at: clock.now())
        metrics.addIngestBytes(4_096)
        clock.advance(milliseconds: 60_000)
        metrics.refresh(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds)
        let samples = Exposition(export.registry.emitToString()).samples
        #expect(samples["cuepoint_fall_behind_seconds"] == 0)
        #expect(samples["cuepoint_ingest_bytes_total"] == 4_096)
        #expect(samples["cuepoint_pipeline_running"] == 1)
        metrics.setRunning(false, isLive: false)
    }

    @Test("GET /metrics renders the server's registry as of the scrape; a server without one has no /metrics")
    func route() async throws {
        let directory = NSTemporaryDirectory() + "cuepoint-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (metrics, export) = Self.pipeline()
        metrics.setRunning(true, isLive: false)
        metrics.recordSegments([("source", 6_006)], publishLatencyNanoseconds: 2_000_000)
        // Counted at the next refresh: the scrape's.
        metrics.addIngestBytes(777)
        try await DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0, metrics: metrics, metricsRegistry: export.registry
        ).application().test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let exposition = Exposition(String(buffer: response.body))
            #expect(exposition.problems.isEmpty, "\(exposition.problems)")
            #expect(exposition.samples[#"cuepoint_segments_total{rendition="source"}"#] == 1)
            #expect(exposition.samples["cuepoint_ingest_bytes_total"] == 777)
        }
        metrics.setRunning(false, isLive: false)
        try await DirectoryServer(directory: directory, host: "127.0.0.1", port: 0, metrics: metrics).application()
            .test(.live) { client in
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .notFound)
            }
    }
}

/// A Prometheus text exposition (format 0.0.4), checked line by line: `# HELP`, `# TYPE`, and
/// `name{labels} value` samples.
struct Exposition {
    /// The samples by `name{labels}`, as numbers.
    var samples: [String: Double] = [:]
    /// The samples by `name{labels}`, as written.
    var texts: [String: String] = [:]
    /// Each family's type (`counter`, `gauge`, `histogram`), by name.
    var families: [String: String] = [:]
    /// Each family's label names (without `le`), by name.
    var labels: [String: Set<String>] = [:]
    /// Lines that are not the format.
    var problems: [String] = []

    static var help: Regex<Substring> { #/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$/# }
    static var type: Regex<(Substring, Substring, Substring)> {
        #/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/#
    }
    static var sample: Regex<(Substring, Substring, Substring?, Substring)> {
        #/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?|\+Inf|-Inf|NaN)$/#
    }
    static var labelName: Regex<(Substring, Substring)> { #/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\\n]|\\.)*"/# }

    init(_ text: String) {
        if !text.isEmpty, !text.hasSuffix("\n") { problems.append("no line feed at the end") }
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("#") {
                if let match = line.wholeMatch(of: Self.type) {
                    families[String(match.1)] = String(match.2)
                } else if line.wholeMatch(of: Self.help) == nil {
                    problems.append(line)
                }
                continue
            }
            guard let match = line.wholeMatch(of: Self.sample) else {
                problems.append(line)
                continue
            }
            let series = String(match.1) + String(match.2 ?? "")
            texts[series] = String(match.3)
            samples[series] = Double(match.3)
            var family = String(match.1)
            for suffix in ["_bucket", "_sum", "_count"] where family.hasSuffix(suffix) && families[family] == nil {
                family = String(family.dropLast(suffix.count))
            }
            let names = (match.2.map { String($0) } ?? "").matches(of: Self.labelName).map { String($0.1) }
            labels[family, default: []].formUnion(names.filter { $0 != "le" })
        }
        for family in labels.keys where families[family] == nil { problems.append("\(family): no # TYPE line") }
    }

    /// The value of `series` as written.
    func text(_ series: String) -> String? { texts[series] }
}
