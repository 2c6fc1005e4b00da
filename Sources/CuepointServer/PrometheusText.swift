import Cuepoint

/// The Prometheus text exposition format (version 0.0.4) of a pipeline's metrics, written by
/// hand: `# HELP` and `# TYPE` for each family, then one `name{labels} value` line per series.
///
/// Every family is always present, and the marker families list every source, so a scrape
/// sees the same series from the first second (zeros) to the last. Times are kept as integers
/// in `PipelineMetrics` and written here in seconds, exactly.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition of `snapshot`, plus the marker API's responses by status code.
    static func render(_ snapshot: PipelineMetrics.Snapshot, apiResponses: [Int: Int] = [:]) -> String {
        var text = Text()
        text.family("cuepoint_pipeline_running", "gauge", "1 while the pipeline reads its input, else 0.")
        text.sample("cuepoint_pipeline_running", [], snapshot.running ? "1" : "0")
        text.family("cuepoint_input_live", "gauge", "1 when the input is live.")
        text.sample("cuepoint_input_live", [], snapshot.isLive ? "1" : "0")

        text.family("cuepoint_ingest_bytes_total", "counter", "Payload bytes of the packets read from the input.")
        text.sample("cuepoint_ingest_bytes_total", [], String(snapshot.ingestBytes))
        text.family(
            "cuepoint_ingest_bits_per_second", "gauge", "Input bitrate over the last few seconds of wall-clock time.")
        text.sample("cuepoint_ingest_bits_per_second", [], String(snapshot.ingestBitsPerSecond))
        text.family("cuepoint_media_time_seconds", "gauge", "Media time reached since the recording started.")
        text.sample("cuepoint_media_time_seconds", [], seconds(milliseconds: snapshot.mediaMilliseconds))
        text.family(
            "cuepoint_fall_behind_seconds", "gauge",
            "How far the media time lags the wall clock for a live input (negative: ahead); 0 for files.")
        text.sample("cuepoint_fall_behind_seconds", [], seconds(milliseconds: snapshot.fallBehindMilliseconds))
        text.family("cuepoint_input_reconnects_total", "counter", "Reconnections of the input.")
        text.sample("cuepoint_input_reconnects_total", [], String(snapshot.reconnects))

        text.family("cuepoint_segments_total", "counter", "Segments written, per rendition.")
        for rendition in snapshot.segments.keys.sorted() {
            text.sample(
                "cuepoint_segments_total", [("rendition", rendition)], String(snapshot.segments[rendition] ?? 0))
        }
        text.family("cuepoint_segment_duration_seconds", "histogram", "Segment durations (EXTINF), per rendition.")
        for rendition in snapshot.segmentDurations.keys.sorted() {
            if let histogram = snapshot.segmentDurations[rendition] {
                text.histogram(
                    "cuepoint_segment_duration_seconds", [("rendition", rendition)], histogram,
                    bound: { seconds(milliseconds: $0) }, sum: seconds(milliseconds: histogram.sum))
            }
        }
        text.family(
            "cuepoint_publish_latency_seconds", "histogram",
            "From the packet that completes a segment to its playlists written.")
        text.histogram(
            "cuepoint_publish_latency_seconds", [], snapshot.publishLatency, bound: { seconds(nanoseconds: $0) },
            sum: seconds(nanoseconds: snapshot.publishLatency.sum))

        for (name, help, counts) in [
            ("cuepoint_markers_accepted_total", "Markers accepted, by source.", snapshot.markersAccepted),
            ("cuepoint_markers_rejected_total", "Marker adds and closes refused, by source.", snapshot.markersRejected),
            ("cuepoint_markers_closed_total", "Markers closed by a request, by source.", snapshot.markersClosed),
        ] {
            text.family(name, "counter", help)
            for source in PipelineMetrics.MarkerSource.allCases {
                text.sample(name, [("source", source.rawValue)], String(counts[source] ?? 0))
            }
        }
        if !apiResponses.isEmpty {
            text.family(
                "cuepoint_marker_api_responses_total", "counter", "Responses of the marker API, by status code.")
            for code in apiResponses.keys.sorted() {
                text.sample(
                    "cuepoint_marker_api_responses_total", [("code", String(code))], String(apiResponses[code] ?? 0))
            }
        }
        return text.output
    }

    /// `1234` ms → `1.234`, `-50` → `-0.05`, `6000` → `6`.
    static func seconds(milliseconds: Int64) -> String { decimal(milliseconds, scale: 3) }

    /// `2500000` ns → `0.0025`.
    static func seconds(nanoseconds: Int64) -> String { decimal(nanoseconds, scale: 9) }

    /// `value / 10^scale` written exactly, without trailing zeros.
    static func decimal(_ value: Int64, scale: Int) -> String {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = String(magnitude % UInt64(divisor))
        fraction = String(repeating: "0", count: scale - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (value < 0 ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// A label value with `\`, `"` and line feeds escaped.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// The LL-HLS families: blocking responses and part requests by status, and how long after a
    /// part was complete the blocking requests waiting for it were answered.
    static func render(_ metrics: PartStore.Metrics) -> String {
        var text = Text()
        text.family(
            "cuepoint_llhls_blocking_requests_total", "counter",
            "Blocking playlist requests (_HLS_msn) by status: 200, 400, 503.")
        for code in [200, 400, 503] {
            text.sample(
                "cuepoint_llhls_blocking_requests_total", [("code", String(code))],
                String(metrics.blockingRequests[code] ?? 0))
        }
        text.family("cuepoint_llhls_part_requests_total", "counter", "Part requests by status: 200, 404, 503.")
        for code in [200, 404, 503] {
            text.sample(
                "cuepoint_llhls_part_requests_total", [("code", String(code))], String(metrics.partRequests[code] ?? 0))
        }
        text.family(
            "cuepoint_llhls_part_to_response_seconds", "histogram",
            "From a part's completion to the response of a blocking playlist request that waited for it.")
        text.histogram(
            "cuepoint_llhls_part_to_response_seconds", [], metrics.blockingResponse,
            bound: { seconds(nanoseconds: $0) }, sum: seconds(nanoseconds: metrics.blockingResponse.sum))
        return text.output
    }

    private struct Text {
        var output = ""

        mutating func family(_ name: String, _ type: String, _ help: String) {
            output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            output += name
            if !labels.isEmpty {
                output += "{" + labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            output += " \(value)\n"
        }

        mutating func histogram(
            _ name: String, _ labels: [(String, String)], _ histogram: PipelineMetrics.Histogram,
            bound: (Int64) -> String, sum: String
        ) {
            for (upper, count) in zip(histogram.bounds, histogram.cumulativeCounts) {
                sample(name + "_bucket", labels + [("le", bound(upper))], String(count))
            }
            sample(name + "_bucket", labels + [("le", "+Inf")], String(histogram.count))
            sample(name + "_sum", labels, sum)
            sample(name + "_count", labels, String(histogram.count))
        }
    }
}
