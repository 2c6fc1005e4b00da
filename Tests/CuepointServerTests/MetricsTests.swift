import Cuepoint
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// `/metrics`: Prometheus text that parses line by line, with the values the pipeline recorded.
@Suite struct MetricsTests {
    /// One line of the text format: a comment (`# HELP`/`# TYPE`) or `name{labels} value`.
    static var help: Regex<AnyRegexOutput> { try! Regex(#"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$"#) }
    static var type: Regex<AnyRegexOutput> {
        try! Regex(#"^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$"#)
    }
    static var sample: Regex<AnyRegexOutput> {
        try! Regex(
            #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf|-Inf|NaN)$"#
        )
    }

    /// Checks every line and returns the samples by their `name{labels}`.
    static func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: String] {
        #expect(text.hasSuffix("\n"), sourceLocation: sourceLocation)
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(line)
            if line.hasPrefix("#") {
                #expect(
                    line.wholeMatch(of: help) != nil || line.wholeMatch(of: type) != nil, "\(line)",
                    sourceLocation: sourceLocation)
                continue
            }
            #expect(line.wholeMatch(of: sample) != nil, "\(line)", sourceLocation: sourceLocation)
            if let space = line.lastIndex(of: " ") {
                samples[String(line[..<space])] = String(line[line.index(after: space)...])
            }
        }
        return samples
    }

    static func recorded() -> PipelineMetrics {
        let metrics = PipelineMetrics()
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
        metrics.sample(mediaMilliseconds: 7_506, fallBehindMilliseconds: -50, uptimeNanoseconds: 1_000_000_000)
        return metrics
    }

    @Test("the exposition parses, and holds the counters, gauges and histograms recorded")
    func exposition() {
        let text = PrometheusText.render(Self.recorded().snapshot(), apiResponses: [201: 1, 401: 2])
        let samples = Self.parse(text)
        #expect(samples["cuepoint_pipeline_running"] == "1")
        #expect(samples["cuepoint_ingest_bytes_total"] == "1500")
        #expect(samples["cuepoint_media_time_seconds"] == "7.506")
        #expect(samples["cuepoint_fall_behind_seconds"] == "-0.05")
        #expect(samples["cuepoint_input_reconnects_total"] == "0")
        #expect(samples[#"cuepoint_segments_total{rendition="source"}"#] == "2")
        #expect(samples[#"cuepoint_segments_total{rendition="odd \"name\"\\ here"}"#] == "2", "label values escaped")
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="1"}"#] == "0")
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="2"}"#] == "1")
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="8"}"#] == "2")
        #expect(samples[#"cuepoint_segment_duration_seconds_bucket{rendition="source",le="+Inf"}"#] == "2")
        #expect(samples[#"cuepoint_segment_duration_seconds_sum{rendition="source"}"#] == "7.506")
        #expect(samples[#"cuepoint_segment_duration_seconds_count{rendition="source"}"#] == "2")
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="0.0025"}"#] == "1")
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="5"}"#] == "1", "7 s is past the last bound")
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="+Inf"}"#] == "2")
        #expect(samples["cuepoint_publish_latency_seconds_sum"] == "7.002")
        #expect(samples[#"cuepoint_markers_accepted_total{source="api"}"#] == "1")
        #expect(samples[#"cuepoint_markers_accepted_total{source="file"}"#] == "2")
        #expect(samples[#"cuepoint_markers_accepted_total{source="list"}"#] == "0", "every source, from the start")
        #expect(samples[#"cuepoint_markers_rejected_total{source="api"}"#] == "1")
        #expect(samples[#"cuepoint_markers_closed_total{source="api"}"#] == "1")
        #expect(samples[#"cuepoint_marker_api_responses_total{code="401"}"#] == "2")
    }

    @Test("a fresh pipeline's metrics parse too: every family present, zeros")
    func emptyExposition() {
        let samples = Self.parse(PrometheusText.render(PipelineMetrics().snapshot()))
        #expect(samples["cuepoint_ingest_bytes_total"] == "0")
        #expect(samples[#"cuepoint_publish_latency_seconds_bucket{le="+Inf"}"#] == "0")
        #expect(samples[#"cuepoint_markers_rejected_total{source="file"}"#] == "0")
        #expect(samples["cuepoint_fall_behind_seconds"] == "0")
    }

    @Test("the ingest bitrate is measured over the last seconds of the monotonic clock")
    func bitrate() {
        let metrics = PipelineMetrics()
        let second: UInt64 = 1_000_000_000
        metrics.sample(mediaMilliseconds: 0, fallBehindMilliseconds: nil, uptimeNanoseconds: 10 * second)
        #expect(metrics.snapshot().ingestBitsPerSecond == 0, "no rate before a second has passed")
        metrics.addIngestBytes(250_000)
        metrics.sample(mediaMilliseconds: 1_000, fallBehindMilliseconds: nil, uptimeNanoseconds: 12 * second)
        #expect(metrics.snapshot().ingestBitsPerSecond == 1_000_000)
        #expect(metrics.snapshot().fallBehindMilliseconds == 0, "files (not live) have no fall-behind")
    }

    @Test("seconds are written exactly from integers")
    func decimals() {
        #expect(PrometheusText.seconds(milliseconds: 6_000) == "6")
        #expect(PrometheusText.seconds(milliseconds: 6_006) == "6.006")
        #expect(PrometheusText.seconds(milliseconds: -50) == "-0.05")
        #expect(PrometheusText.seconds(milliseconds: 0) == "0")
        #expect(PrometheusText.seconds(nanoseconds: 2_500_000) == "0.0025")
        #expect(PrometheusText.seconds(nanoseconds: 1) == "0.000000001")
    }

    @Test("GET /metrics serves the text format; a server without metrics has no /metrics")
    func route() async throws {
        let directory = NSTemporaryDirectory() + "cuepoint-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = Self.recorded()
        try await DirectoryServer(directory: directory, host: "127.0.0.1", port: 0, metrics: metrics).application()
            .test(.live) { client in
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let samples = Self.parse(String(buffer: response.body))
                #expect(samples[#"cuepoint_segments_total{rendition="source"}"#] == "2")
            }
        try await DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application().test(.live) {
            client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
