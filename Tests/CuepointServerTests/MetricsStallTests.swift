import CuepointTestSupport
import Cuepoint
import CuepointTime
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// Issue 16, defect 7, end to end: a live pipeline whose input stops (a FIFO that stays open
/// and sends nothing, so the read loop is blocked in `av_read_frame`), scraped over HTTP while
/// it is stalled. The bitrate and the fall-behind used to keep the values of the last packet.
@Suite(.ownThreads) struct MetricsStallTests {
    @Test(
        "/metrics during a stalled live input: the bitrate falls to 0, the fall-behind grows", .timeLimit(.minutes(3)))
    func stalledInput() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory() + "cuepoint-stall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("input.ts")
        try #require(mkfifo(fifo.path, 0o600) == 0, "mkfifo: \(String(cString: strerror(errno)))")
        let media = try Data(
            contentsOf: Repository.root.appendingPathComponent("SampleMedia/sample.ts"))
        let export = PrometheusExport()
        var options = RunOptions()
        options.metricsFactory = export.factory
        let runner = PipelineRunner(
            spec: PipelineSpec(
                name: "stall", input: InputSpec(url: "file://" + fifo.path, live: true),
                output: OutputSpec(container: .ts, segmentDuration: .milliseconds(2_000), liveWindow: 3)),
            directory: folder.appendingPathComponent("recording"), options: options)

        // Half the input, then nothing (the FIFO stays open) until released, then the rest.
        let release = DispatchSemaphore(value: 0)
        let written = DispatchSemaphore(value: 0)
        let half = (media.count / 2 / 188) * 188
        Thread {
            // Close-on-exec: a program another test starts meanwhile must not hold this end open.
            let descriptor = open(fifo.path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try? handle.write(contentsOf: media.prefix(half))
            written.signal()
            release.wait()
            try? handle.write(contentsOf: media.suffix(from: half))
            try? handle.close()
        }.start()
        let run = Task { await runner.record() }
        defer { release.signal() }

        let directory = folder.appendingPathComponent("recording").path
        try await DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0, metrics: runner.metrics,
            metricsRegistry: export.registry
        ).application().test(.live) { client in
            func scrape() async throws -> [String: Double] {
                Exposition(String(buffer: try await client.execute(uri: "/metrics", method: .get).body)).samples
            }
            // The first half is in the FIFO (all but what its buffer holds has been read)...
            let deadline = Date().addingTimeInterval(60)
            while written.wait(timeout: .now()) == .timedOut, Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            // ...and read: the pipeline is blocked on the FIFO once its counts stop moving.
            func progress(_ samples: [String: Double]) -> [Double?] {
                [samples["cuepoint_ingest_bytes_total"], samples["cuepoint_media_time_seconds"]]
            }
            var early = try await scrape()
            var unchangedSince = Date()
            while Date().timeIntervalSince(unchangedSince) < 1, Date() < deadline {
                try await Task.sleep(for: .milliseconds(250))
                let now = try await scrape()
                if progress(now) != progress(early) { unchangedSince = Date() }
                early = now
            }
            try #require((early["cuepoint_media_time_seconds"] ?? 0) > 0, "the pipeline read the first half")
            // Longer than the bitrate's window (5 s). (That the bitrate is above 0 while bytes
            // arrive depends on how soon this machine scrapes: MetricsTests checks it with a
            // manual clock.)
            try await Task.sleep(for: .seconds(6))
            let late = try await scrape()
            let behind = (early["cuepoint_fall_behind_seconds"] ?? 0, late["cuepoint_fall_behind_seconds"] ?? 0)
            #expect((late["cuepoint_ingest_bytes_total"] ?? 0) > 0, "the first half was counted")
            #expect(late["cuepoint_ingest_bits_per_second"] == 0, "nothing read for six seconds")
            #expect(behind.1 > behind.0, "the stall puts the recording further behind the wall clock: \(behind)")
            #expect(early["cuepoint_media_time_seconds"] == late["cuepoint_media_time_seconds"], "no media arrived")
            #expect(late["cuepoint_pipeline_running"] == 1)
            release.signal()
        }
        let summary = try await run.value.get()
        #expect(!summary.stopped)
    }
}
