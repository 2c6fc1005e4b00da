import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A store that fails during a live show never stalls the recording, and nothing recorded is
    /// lost: the store is stopped and restarted, held (a proxy that answers nothing), slowed, made
    /// to answer 503 to a PUT, and asked to take a segment where an object already is. The live
    /// input is SampleMedia/sample.ts written into `cuepoint segment pipe:0 --live` in chunks, so
    /// the test decides when each segment is complete.
    @Suite("Publishing faults", .serialized, .ownThreads)
    struct PublishFaultTests {
        static func arguments(_ output: URL, target: String, extra: [String] = []) -> [String] {
            ["segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s", "--publish", target] + extra
        }

        @Test(
            "the store stopped for 20 s mid-show: the recording goes on locally, the backlog goes up in order when it is back",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(4)))
        func storeDownMidShow() async throws {
            // A server of its own: it is stopped and started again.
            let server = try await offThePool { try S3Server.start(.seaweedFS) }
            defer { try? server.stop() }
            try await TemporaryDirectory.with(label: "publish-down") { folder in
                let show = StoreShow(server: server, label: "down")
                let output = folder.appendingPathComponent("out")
                let outcome = try await offThePool { () throws -> (LiveIngest.Job, LiveIngest.Player, Int, Int) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        Self.arguments(output, target: show.target), folder: folder, environment: show.environment(), feeding: true)
                    let follower = LiveIngest.Player(root: show.http, playlist: "source/index.m3u8")
                    follower.start()
                    defer { follower.stop() }
                    try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[3]))
                    guard LiveIngest.poll(30, { (try? MediaPlaylist(parsing: show.get("source/index.m3u8").text))?.segments.count ?? 0 >= 3 })
                    else { throw RecordingProblem(description: "three segments on the store expected:\n\(job.printed)") }
                    try server.stop()
                    let stoppedAt = Date()
                    let before = SampleFeed.segmentCount(output)
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[3])..<SampleFeed.boundary(keyframes[7]))
                    // Ingest is not stalled: the local recording grows while the store is down.
                    guard SampleFeed.waitForSegments(output, atLeast: before + 4) else {
                        throw RecordingProblem(description: "the local recording stalled while the store was down:\n\(job.printed)")
                    }
                    let duringOutage = SampleFeed.segmentCount(output)
                    Thread.sleep(forTimeInterval: max(0, 20 - Date().timeIntervalSince(stoppedAt)))
                    try server.startProcess()
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[7])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    return (job, follower, before, duringOutage)
                }
                let (job, follower, before, duringOutage) = outcome
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(duringOutage >= before + 4, "segments recorded while the store was down")
                #expect(job.stderr.contains("\(show.target): cannot upload "), "one warning when the outage starts\n\(job.printed)")
                #expect(job.stderr.contains("\(show.target): the store answers again"), "\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("(complete)"), "\(job.printed)")
                #expect(follower.notFound.isEmpty, "\(follower.notFound)")
                #expect(follower.sequencesNeverWentBack)
                let playlists = try await offThePool { try expectStoreHoldsRecording(output, on: show) }
                #expect(playlists["source"]?.endList == true)
                #expect(playlists["source"]?.segments.count == SampleFeed.segmentCount(output))
            }
        }

        @Test(
            "a store that answers nothing (held by a proxy): the recording goes on, /metrics shows the lag, a warning says so; all of it goes up once released",
            .enabled(if: PublishTools.ready && ServerTools.hasPython, "needs SeaweedFS, python3, ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func heldStoreNeverStallsIngest() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            let proxy = try await FaultProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            try await TemporaryDirectory.with(label: "publish-held") { folder in
                let show = StoreShow(server: server, label: "held")
                let output = folder.appendingPathComponent("out")
                let run = try await offThePool { () throws -> (LiveIngest.Job, String, Int) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        Self.arguments(output, target: show.target, extra: ["--serve", "127.0.0.1:0"]), folder: folder,
                        environment: show.environment(endpointPort: proxy.port), feeding: true)
                    guard let root = job.servedRoot() else { throw RecordingProblem(description: "not served:\n\(job.printed)") }
                    try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[2]))
                    guard LiveIngest.poll(30, { show.get("source/index.m3u8").status == 200 }) else {
                        throw RecordingProblem(description: "no playlist on the store:\n\(job.printed)")
                    }
                    try proxy.hold()
                    let before = SampleFeed.segmentCount(output)
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[2])..<SampleFeed.boundary(keyframes[6]))
                    guard SampleFeed.waitForSegments(output, atLeast: before + 4) else {
                        throw RecordingProblem(description: "the recording stalled behind a held store:\n\(job.printed)")
                    }
                    // The default lag warning is three segment durations (3 s).
                    guard LiveIngest.poll(20, { job.stderr.contains("behind the recording") }) else {
                        throw RecordingProblem(description: "no lag warning:\n\(job.printed)")
                    }
                    let metrics = LiveIngest.get("\(root)/metrics")
                    try proxy.release()
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[6])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    return (job, String(decoding: metrics.body, as: UTF8.self), before)
                }
                let (job, metrics, _) = run
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stderr.contains("\(show.target): the store has caught up with the recording"), "\(job.printed)")
                let label = "target=\"\(show.target)\""
                let pending = metrics.split(separator: "\n").first {
                    $0.hasPrefix("cuepoint_publish_pending_operations{") && $0.contains(label)
                }
                let pendingCount = pending.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
                #expect(pendingCount > 0, "pending operations while held: \(pending.map(String.init) ?? "none")\n\(metrics)")
                let oldest = metrics.split(separator: "\n").first {
                    $0.hasPrefix("cuepoint_publish_oldest_pending_seconds{") && $0.contains(label)
                }
                #expect((oldest.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0) >= 3, "\(oldest.map(String.init) ?? "none")")
                #expect(job.stdout.contains("(complete)"), "\(job.printed)")
                try await offThePool { try expectStoreHoldsRecording(output, on: show) }
            }
        }

        @Test(
            "a slow store (every request delayed 300 ms) and a 503 on one PUT: retried, everything arrives",
            .enabled(if: PublishTools.ready && ServerTools.hasPython, "needs SeaweedFS, python3, ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)), arguments: ["slow", "503"])
        func slowOrFailingStore(fault: String) async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            let proxy = try await FaultProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            try await TemporaryDirectory.with(label: "publish-\(fault)") { folder in
                let show = StoreShow(server: server, label: fault)
                let output = folder.appendingPathComponent("out")
                let job = try await offThePool { () throws -> LiveIngest.Job in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        Self.arguments(output, target: show.target), folder: folder,
                        environment: show.environment(endpointPort: proxy.port), feeding: true)
                    try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[2]))
                    guard LiveIngest.poll(30, { show.get("source/index.m3u8").status == 200 }) else {
                        throw RecordingProblem(description: "no playlist on the store:\n\(job.printed)")
                    }
                    if fault == "slow" { try proxy.setDelay(milliseconds: 300) } else { try proxy.failNextPuts(1) }
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[2])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    return job
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("(complete)"), "\(job.printed)")
                if fault == "503" {
                    #expect(proxy.log.contains { $0.hasPrefix("failed PUT ") }, "\(proxy.log)")
                    #expect(job.stderr.contains("503"), "the failed attempt is reported\n\(job.printed)")
                }
                try await offThePool { try expectStoreHoldsRecording(output, on: show) }
            }
        }

        @Test(
            "an object already where a segment should go: reported, never overwritten, and no playlist on the store lists it",
            .enabled(if: PublishTools.ready, "needs SeaweedFS, ffmpeg and ffprobe"), .timeLimit(.minutes(3)))
        func objectAlreadyAtASegmentKey() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-conflict") { folder in
                let show = StoreShow(server: server, label: "conflict")
                let output = folder.appendingPathComponent("out")
                let foreign = Array("not a segment of this show\n".utf8)
                let job = try await offThePool { () throws -> LiveIngest.Job in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        Self.arguments(output, target: show.target), folder: folder, environment: show.environment(), feeding: true)
                    try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[2]))
                    guard SampleFeed.waitForSegments(output, atLeast: 2),
                        LiveIngest.poll(30, { show.get("source/index.m3u8").status == 200 })
                    else { throw RecordingProblem(description: "no segments:\n\(job.printed)") }
                    // Another machine's object, at the key of a segment still to come.
                    let next = String(format: "source/seg_%06d.ts", SampleFeed.segmentCount(output) + 2)
                    try show.remote.create(next, with: foreign)
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[2])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    return job
                }
                #expect(job.process.exitStatus == 0, "the recording itself is whole\n\(job.printed)")
                let stray = try #require(job.stderr.firstMatch(of: /(source\/seg_[0-9]+\.ts) already exists on the store with another size/))
                let strayKey = String(stray.1)
                #expect(job.stderr.contains("it was NOT overwritten"), "\(job.printed)")
                #expect(job.stderr.contains("\(show.target): publishing stopped: "), "\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("INCOMPLETE"), "\(job.printed)")
                #expect(show.get(strayKey).body == Data(foreign), "the object on the store is untouched")
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(strayKey).path), "kept locally")
                // What the store's playlists list is this recording's, byte for byte; the stray key is not listed.
                let local = try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8)
                #expect(try MediaPlaylist(parsing: local).segments.contains { "source/\($0.uri)" == strayKey }, "listed locally")
                for playlist in ["source/index.m3u8", "source/live.m3u8"] {
                    let stored = show.get(playlist)
                    guard stored.status == 200 else { continue }
                    let listed = try MediaPlaylist(parsing: stored.text).segments.map { "source/\($0.uri)" }
                    #expect(!listed.contains(strayKey), "\(playlist) on the store lists \(strayKey): \(listed)")
                    for key in listed {
                        let bytes = FileManager.default.contents(atPath: output.appendingPathComponent(key).path)
                        #expect(bytes != nil && show.get(key).body == bytes, "\(key), listed in \(playlist) on the store")
                    }
                }
                #expect(show.get("source/index.m3u8").status == 200, "the playlist from before the conflict is on the store")
            }
        }
    }
}
