import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointServer
import CuepointTime
import Foundation
import Hummingbird
import Prometheus
import HummingbirdTesting
import NIOConcurrencyHelpers
import Testing

/// The marker API in front of a real `PipelineRunner`: a live input (a FIFO this test feeds
/// with sample.ts), a marker posted over HTTP while the pipeline runs, and the marker in the
/// log, in the playlist and in `/metrics`.
@Suite(.ownThreads) struct MarkerAPIRunnerTests {
    @Test("POST /v1/markers on a running pipeline: 201, logged, listed, published, counted", .timeLimit(.minutes(3)))
    func postsToARunningPipeline() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory() + "cuepoint-api-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("input.ts")
        try #require(mkfifo(fifo.path, 0o600) == 0, "mkfifo: \(String(cString: strerror(errno)))")
        let media = try Data(contentsOf: Repository.root.appendingPathComponent("SampleMedia/sample.ts"))
        let directory = folder.appendingPathComponent("recording")
        let spec = PipelineSpec(
            name: "api-runner", input: InputSpec(url: "file://" + fifo.path, live: true),
            output: OutputSpec(container: .ts, segmentDuration: .milliseconds(2_000), liveWindow: 3),
            markers: MarkersSpec())
        let export = PrometheusExport()
        var options = RunOptions()
        options.metricsFactory = export.factory
        let runner = PipelineRunner(spec: spec, directory: directory, options: options)

        // The feeder writes the first half of the file, waits to be released, then the rest:
        // the pipeline is running (blocked on the FIFO) while the request is made.
        let release = DispatchSemaphore(value: 0)
        let half = (media.count / 2 / 188) * 188
        Thread {
            // Close-on-exec: a program another test starts meanwhile must not hold this end open.
            let descriptor = open(fifo.path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try? handle.write(contentsOf: media.prefix(half))
            release.wait()
            try? handle.write(contentsOf: media.suffix(from: half))
            try? handle.close()
        }.start()
        let run = Task { await runner.record() }

        let app = DirectoryServer(
            directory: directory.path, host: "127.0.0.1", port: 0,
            markerAPI: MarkerAPI(token: "t0ken", endpoint: runner), metrics: runner.metrics,
            metricsRegistry: export.registry
        ).application()
        try await app.test(.live) { client in
            let deadline = Date().addingTimeInterval(20)
            while !runner.acceptsMarkers, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try #require(runner.acceptsMarkers, "the pipeline did not start")
            let response = try await client.execute(
                uri: "/v1/markers", method: .post, headers: [.authorization: "Bearer t0ken"],
                // An explicit start (already written: it goes with the next segment): "now" would
                // depend on how long this machine took to get here, while the input waits.
                body: ByteBuffer(
                    string:
                        #"{"id":"live-1","title":"Live \"Deal\"","url":"https://shop.example/p/1","start":1,"duration":1}"#
                ))
            #expect(response.status == .created, "\(String(buffer: response.body))")
            #expect(runner.markers.map(\.id) == ["live-1"])
            // Acknowledged means logged.
            let log = try String(contentsOf: directory.appendingPathComponent("markers.jsonl"), encoding: .utf8)
            #expect(log.contains(#""event":"add""#) && log.contains(#""id":"live-1""#), "\(log)")
            let duplicate = try await client.execute(
                uri: "/v1/markers", method: .post, headers: [.authorization: "Bearer t0ken"],
                body: ByteBuffer(string: #"{"id":"live-1","title":"Again","url":"https://shop.example/p/1"}"#))
            #expect(duplicate.status == .conflict)
            release.signal()
        }
        let summary = try await run.value.get()
        #expect(!summary.stopped)
        let index = try String(contentsOf: directory.appendingPathComponent("source/index.m3u8"), encoding: .utf8)
        let playlist = try MediaPlaylist(parsing: index)
        #expect(
            playlist.segments.flatMap(\.dateRanges).map(\.id) == ["live-1"], "the marker is published:\n\(index)")
        let samples = Exposition(export.registry.emitToString()).samples
        #expect(samples[#"cuepoint_markers_accepted_total{source="api"}"#] == 1)
        #expect(samples[#"cuepoint_markers_rejected_total{source="api"}"#] == 1)
        let segments = Double(try #require(summary.renditions.first?.segments))
        #expect(samples[#"cuepoint_segments_total{rendition="source"}"#] == segments)
        #expect(samples["cuepoint_publish_latency_seconds_count"] == segments)
        #expect((samples["cuepoint_ingest_bytes_total"] ?? 0) > 0)
        #expect(samples["cuepoint_pipeline_running"] == 0)
    }
}
