import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// What a store did not take by the end of a run stays in the local directory (the spool),
    /// is reported, and goes up later with `cuepoint publish DIR URL`.
    @Suite("cuepoint publish", .serialized, .ownThreads)
    struct PublishCommandTests {
        @Test(
            "a store that answers nothing at the end: INCOMPLETE after --publish-timeout, the files kept locally; cuepoint publish uploads them later",
            .enabled(if: PublishTools.ready && ServerTools.hasPython, "needs SeaweedFS, python3, ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func leftoversGoUpLater() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            let proxy = try await FaultProxy.start(upstreamPort: server.port)
            var proxyRunning = true
            defer { if proxyRunning { proxy.stop() } }
            try await TemporaryDirectory.with(label: "publish-later") { folder in
                let show = StoreShow(server: server, label: "later")
                let output = folder.appendingPathComponent("out")
                let job = try await offThePool { () throws -> LiveIngest.Job in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        ["segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s", "--publish", show.target,
                         "--publish-timeout", "2s"], folder: folder, environment: show.environment(endpointPort: proxy.port),
                        feeding: true)
                    try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[2]))
                    guard LiveIngest.poll(30, { show.get("source/index.m3u8").status == 200 }) else {
                        throw RecordingProblem(description: "no playlist on the store:\n\(job.printed)")
                    }
                    try proxy.hold()
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[2])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 60)
                    return job
                }
                // Held requests are dropped, never forwarded late.
                proxy.stop()
                proxyRunning = false
                #expect(job.process.exitStatus == 0, "the recording itself is whole\n\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("(INCOMPLETE, "), "\(job.printed)")
                #expect(
                    job.stderr.contains("did not reach the store before the end; they stay in the local recording")
                        && job.stderr.contains("cuepoint publish RECORDING \(show.target)"), "\(job.printed)")
                let stored = try MediaPlaylist(parsing: show.get("source/index.m3u8").text)
                #expect(!stored.endList, "the store has an unfinished playlist before the catch-up")
                #expect(SampleFeed.segmentCount(output) == 10)

                let later = try await offThePool {
                    try CuepointCLI.run(["publish", output.path, show.target], environment: show.environment())
                }
                #expect(later.status == 0, "\(later)")
                #expect(later.stdout.contains("published: \(show.target): ") && later.stdout.contains("(complete)"), "\(later)")
                let playlists = try await offThePool { try expectStoreHoldsRecording(output, on: show) }
                #expect(playlists["source"]?.endList == true)

                // Bad input: not a recording, and a target that cannot work.
                let notARecording = try await offThePool {
                    try CuepointCLI.run(["publish", folder.path, show.target], environment: show.environment())
                }
                #expect(notARecording.status == 1)
                #expect(
                    notARecording.errorLines == ["cuepoint: \(folder.path): not a recording (no master.m3u8 or recording.json); pass the directory a pipeline recorded into"],
                    "\(notARecording)")
                let noBucket = try await offThePool { try CuepointCLI.run(["publish", output.path, "s3:///x"], environment: show.environment()) }
                #expect(noBucket.status == 2, "\(noBucket)")
                #expect(noBucket.errorLines.first?.contains("no bucket in the target") == true, "\(noBucket)")
            }
        }
    }
}
