import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// Replays made from, and written to, an object store: the pipeline's `replay:` section for
    /// a published recording, and `cuepoint replay s3://… -o s3://…`; the package's
    /// `replay.json` is the last object written.
    @Suite("Replay on the store", .serialized, .ownThreads)
    struct StoredReplayTests {
        @Test(
            "a published recording with a replay: section on the store, then cuepoint replay s3://… -o s3://… (replay.json last, refused without --force)",
            .enabled(if: PublishTools.ready && ServerTools.hasPython, "needs SeaweedFS (scripts/setup.sh --test), python3, ffmpeg and ffprobe"),
            .timeLimit(.minutes(4)))
        func replayOnTheStore() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            let proxy = try await FaultProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            try await TemporaryDirectory.with(label: "publish-replay") { folder in
                let show = StoreShow(server: server, label: "replay")
                let package = StoreShow(server: server, label: "replay-package")
                let pipeline = folder.appendingPathComponent("show.yaml")
                try """
                version: 1
                name: show
                input:
                  url: \(Repository.sampleMedia("sample.mp4").path)
                output:
                  directory: \(folder.path)/out
                  container: fmp4
                  segment: 4s
                  publish:
                    - url: \(show.target)
                      finish_timeout: 1m
                markers:
                  from:
                    - file: \(Repository.sampleMedia("products.jsonl").path)
                replay:
                  directory: \(package.target)
                  clips: none
                  thumbnail_width: 160
                """.write(to: pipeline, atomically: true, encoding: .utf8)
                let run = try await offThePool { try CuepointCLI.run(["run", pipeline.path], environment: show.environment()) }
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout.contains("published: \(show.target): ") && run.stdout.contains("(complete)"), "\(run)")
                #expect(run.stdout.contains("replay: 6 product(s)") || run.stdout.contains("6 product(s)"), "\(run)")
                try await offThePool { try expectStoreHoldsRecording(folder.appendingPathComponent("out/show"), on: show) }
                for file in ["replay.json", "master.m3u8", "products.json", "chapters.json", "replay.mp4", "index.html"] {
                    #expect(package.get(file).status == 200, "\(file) in the package on the store")
                }
                #expect(package.get("replay.mp4").headers["content-type"] == "video/mp4")
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/show-replay").path), "nothing local")

                // The CLI, both sides on the store, through a proxy that logs the requests.
                let second = StoreShow(server: server, label: "replay-cli")
                let environment = show.environment(endpointPort: proxy.port)
                let replay = try await offThePool {
                    try CuepointCLI.run(
                        ["replay", show.target, "-o", second.target, "--clips", "none", "--no-thumbnails"], environment: environment)
                }
                #expect(replay.status == 0, "\(replay)")
                #expect(replay.stdout.contains("6 product(s)"), "\(replay)")
                let puts = proxy.log.filter { $0.hasPrefix("request PUT /\(server.bucket)/\(second.prefix)/") }
                #expect(puts.count > 5, "\(proxy.log)")
                #expect(puts.last?.contains("/replay.json") == true, "replay.json is written last: \(puts.suffix(3))")
                let products = try JSONSerialization.jsonObject(with: second.get("products.json").body) as? [String: Any]
                #expect(products != nil, "products.json on the store parses")
                if GStreamer.isInstalled {
                    let played = try await offThePool { try GStreamer.play("\(second.http)/master.m3u8") }
                    #expect(played.ok, "GStreamer plays the replay package from the store: \(played.error)")
                }

                // Again without --force: refused before anything is exported.
                let again = try await offThePool {
                    try CuepointCLI.run(["replay", show.target, "-o", second.target], environment: show.environment())
                }
                #expect(again.status == 1, "\(again)")
                #expect(again.errorLines == ["cuepoint: \(second.target): already holds a replay; pass --force (or `force: true` under `replay:`) to replace it, or choose another target"], "\(again)")
            }
        }
    }
}
