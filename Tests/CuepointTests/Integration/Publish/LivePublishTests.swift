import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A live show published to an object store while it is recorded, judged only from the
    /// store's HTTP endpoint: followers poll the live playlists throughout (no listed segment
    /// ever answers 404, media sequence numbers never go back), GStreamer follows the EVENT
    /// playlist during the show and plays the VOD after it, and the store ends with the local
    /// recording byte for byte.
    @Suite("Publishing a live show", .serialized, .ownThreads)
    struct LivePublishTests {
        static let key = "pub-\(UUID().uuidString.prefix(8))"

        @Test(
            "ffmpeg publishes RTMP in real time; cuepoint records with --publish s3://…: players on the store see a consistent show",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(4)))
        func liveShowOnSeaweedFS() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await Self.liveShow(on: server, seconds: 12)
        }

        @Test(
            "the same live show on Ceph RGW (strict signatures: every request carries its payload hash)",
            .enabled(if: PublishTools.ready && ServerTools.hasCephRGW, "needs Ceph RGW (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(5)))
        func liveShowOnCephRGW() async throws {
            let server = try await TestServers.shared.s3(.cephRGW)
            try await Self.liveShow(on: server, seconds: 8)
        }

        static func liveShow(on server: S3Server, seconds: Double) async throws {
            try await TemporaryDirectory.with(label: "publish-live") { folder in
                let show = StoreShow(server: server, label: "live")
                let output = folder.appendingPathComponent("out")
                let markers = folder.appendingPathComponent("products.jsonl")
                try Data().write(to: markers)
                let run = try await offThePool { () throws -> LiveRun in
                    try Self.record(show, output: output, markers: markers, folder: folder, seconds: seconds)
                }
                #expect(run.job.process.exitStatus == 0, "\(run.job.printed)")
                #expect(
                    run.job.stdout.contains("published: \(show.target): ") && run.job.stdout.contains("(complete)"),
                    "\(run.job.printed)")

                // Followers on the store, during the show.
                for follower in run.followers {
                    #expect(follower.reloads >= 5, "\(follower.playlist): reloaded \(follower.reloads) times")
                    #expect(follower.notFound.isEmpty, "\(follower.playlist): \(follower.notFound)")
                    #expect(follower.sequencesNeverWentBack, "\(follower.playlist): \(follower.sequences)")
                    #expect(follower.segments.count >= 3, "\(follower.playlist): saw \(follower.segments.keys.sorted())")
                }
                if GStreamer.isInstalled {
                    // The player script crashing (or never ending) fails here, loudly.
                    switch run.liveGStreamer {
                    case .success(let live)?:
                        #expect(live.ok, "GStreamer following \(show.http)/source/index.m3u8 during the show: \(live.error)")
                        #expect(live.videoFrames > 0)
                    case .failure(let error)?:
                        Issue.record("GStreamer following \(show.http)/source/index.m3u8 failed to run: \(error)")
                    case nil:
                        Issue.record("GStreamer following \(show.http)/source/index.m3u8 did not finish")
                    }
                }

                // After the show: the store holds the recording, with the headers a CDN needs.
                let playlists = try await offThePool { try expectStoreHoldsRecording(output, on: show) }
                let index = try #require(playlists["source"])
                #expect(index.endList && index.playlistType == .event, "the store's playlist is finished")
                let recorded = index.segments.reduce(Int64(0)) { $0 + $1.durationMilliseconds }
                #expect(recorded >= Int64(seconds - 4) * 1000, "\(recorded) ms in \(index.segments.count) segments")
                #expect(index.segments.flatMap(\.dateRanges).contains { $0.id == "mug-1" }, "the marker's date range")
                let segment = try #require(index.segments.first)
                let media = show.get("source/\(segment.uri)")
                #expect(media.headers["content-type"] == "video/iso.segment")
                #expect(media.headers["cache-control"] == "max-age=1209600, immutable")
                let playlist = show.get("source/index.m3u8")
                #expect(playlist.headers["content-type"] == "application/vnd.apple.mpegurl")
                #expect(playlist.headers["cache-control"] == "max-age=86400", "a finished playlist is long-lived")
                #expect(show.get("markers.jsonl").text.contains("\"mug-1\""), "markers.jsonl is replicated")
                #expect(run.liveCacheControl.contains { $0.hasPrefix("max-age=") && $0 != "max-age=86400" }, "\(run.liveCacheControl)")

                if GStreamer.isInstalled {
                    let vod = try await offThePool { try GStreamer.play("\(show.http)/source/index.m3u8") }
                    #expect(vod.ok, "GStreamer playing the store's VOD: \(vod.error)")
                    #expect(vod.durationSeconds > seconds - 4, "\(vod)")
                }
            }
        }

        struct LiveRun: Sendable {
            var job: LiveIngest.Job
            var followers: [LiveIngest.Player]
            /// GStreamer following the EVENT playlist during the show: its result, the error that
            /// kept it from playing, or nil when it did not finish (or is not installed).
            var liveGStreamer: Result<GStreamer.PlayResult, any Error>?
            /// The Cache-Control of the live playlist while the show was on.
            var liveCacheControl: [String]
        }

        /// Records `seconds` of an RTMP publisher in real time with `--publish`, with followers
        /// and GStreamer on the store; a marker once segments flow; SIGINT after the publisher ends.
        static func record(_ show: StoreShow, output: URL, markers: URL, folder: URL, seconds: Double) throws -> LiveRun {
            let port = LiveIngest.freePort()
            let job = try LiveIngest.cuepoint(
                [
                    "segment", "rtmp://127.0.0.1:\(port)/live/\(key)", "--listen", "-o", output.path, "--segment", "1s",
                    "--container", "fmp4", "--timeout", "3s", "--markers", markers.path, "--publish", show.target,
                ], folder: folder, environment: show.environment())
            // The access check comes first, then the listener; the publisher retries nothing.
            guard LiveIngest.poll(60, { isListening(onTCPPort: port) || !job.process.isRunning }), job.process.isRunning else {
                let how = job.process.isRunning ? "still running, not listening on \(port) after 60 s" : "ended: exit \(job.process.exitStatus.map(String.init) ?? "?")"
                throw RecordingProblem(description: "cuepoint did not listen (\(how)):\n\(job.printed)")
            }
            let publisher = try LiveIngest.publish(
                "rtmp://127.0.0.1:\(port)/live/\(key)", format: "flv", seconds: seconds, folder: folder, label: "publisher")
            let followers = [
                LiveIngest.Player(root: show.http, playlist: "source/live.m3u8"),
                LiveIngest.Player(root: show.http, playlist: "source/index.m3u8"),
            ]
            for follower in followers { follower.start() }
            defer { for follower in followers { follower.stop() } }
            // The first segment on the store: GStreamer starts following the EVENT playlist.
            guard LiveIngest.poll(30, { show.get("source/index.m3u8").status == 200 }) else {
                throw RecordingProblem(description: "no playlist on the store:\n\(job.printed)\n\(publisher.printed)")
            }
            nonisolated(unsafe) var live: Result<GStreamer.PlayResult, any Error>?
            let gstreamer = Thread {
                if GStreamer.isInstalled { live = Result { try GStreamer.play("\(show.http)/source/index.m3u8", timeout: 90) } }
            }
            gstreamer.start()
            let marker = "{\"id\":\"mug-1\",\"title\":\"Mug\",\"url\":\"https://s.example/mug\",\"start\":\"now\"}\n"
            try Data(marker.utf8).write(to: markers)
            var liveCacheControl: [String] = []
            while publisher.process.isRunning {
                if let value = show.get("source/live.m3u8").headers["cache-control"] { liveCacheControl.append(value) }
                Thread.sleep(forTimeInterval: 0.5)
            }
            publisher.wait(30)
            Thread.sleep(forTimeInterval: 1)
            kill(job.process.processIdentifier, SIGINT)
            try job.ended(within: 90)
            Thread.sleep(forTimeInterval: 1)
            for follower in followers { follower.stop() }
            _ = LiveIngest.poll(100) { !gstreamer.isExecuting }
            return LiveRun(job: job, followers: followers, liveGStreamer: live, liveCacheControl: liveCacheControl)
        }
    }
}
