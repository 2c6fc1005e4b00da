import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// The crash loop: a live RTMP show (the `ffmpeg` program publishing in real time into `cuepoint
    /// run` with an RTMP listener that waits for reconnects), markers posted over the marker API
    /// every few seconds, a follower reading the live playlist over HTTP; cuepoint killed with
    /// SIGKILL and restarted, at seeded random moments and at crash points (`CrashPoint`: a segment
    /// commit, a playlist commit, a marker append, and last the replay export), the publisher
    /// killed at other moments.
    ///
    /// Afterwards: every acknowledged marker is in the recording; every segment published before
    /// a kill is byte-identical after it; no playlist the follower saw was invalid or listed a
    /// missing file; the recording plays in GStreamer with one EXT-X-DISCONTINUITY per gap; the
    /// replay exports.
    ///
    /// The suite runs 5 kills; `scripts/crash-loop.sh [KILLS] [SEED]` runs more
    /// (`CUEPOINT_CRASH_LOOP_KILLS`, `CUEPOINT_CRASH_LOOP_SEED`).
    @Suite("Crash loop", .ownThreads)
    struct CrashLoopTests {
        static var environment: [String: String] { ProcessInfo.processInfo.environment }

        @Test(
            "SIGKILL at random moments and at crash points, publisher killed too: acknowledged markers kept, published segments unchanged, follower saw only valid playlists, one discontinuity per gap, replay exports",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(30)))
        func crashLoop() async throws {
            let kills = max(2, Int(Self.environment["CUEPOINT_CRASH_LOOP_KILLS"] ?? "") ?? 5)
            let seed = UInt64(Self.environment["CUEPOINT_CRASH_LOOP_SEED"] ?? "") ?? 16
            try await TemporaryDirectory.with(label: "crash-loop") { folder in
                try await offThePool { try Self.run(kills: kills, seed: seed, folder: folder) }
            }
        }

        /// One kill of the loop: how it was aimed, and what was published when the process died.
        struct Kill: CustomStringConvertible {
            var number: Int
            var aim: String
            var afterSeconds: Double
            var published: [String: Data]
            var description: String {
                "kill \(number): \(aim) after \(String(format: "%.1f", afterSeconds)) s, \(published.count) files published"
            }
        }

        static func run(kills: Int, seed: UInt64, folder: URL) throws {
            var random = SplitMix64(seed: seed)
            let container: Container = seed % 2 == 0 ? .fmp4 : .ts
            let show = try CrashLoopShow(folder: folder, container: container)
            let publisher = CrashLoopShow.Publisher(show: show)
            let desk = CrashLoopShow.MarkerDesk(show: show, seed: seed &+ 1)
            let follower = CrashLoopShow.Follower(show: show)
            let points: [CrashPoint] = [.segmentCommit, .documentCommit, .markerAppend]
            var log: [Kill] = []
            var publisherKills = 0

            var job = try show.startCuepoint(0)
            publisher.start()
            // The first segments before the marker desk and the follower join.
            _ = SampleFeed.waitForSegments(show.recording, atLeast: 1, within: 60)
            desk.start()
            follower.start()

            // Kills 1 … kills−1 while the show runs; the last one during the replay export.
            for number in 1..<kills {
                let aimed = number % 3 == 0 || number % 3 == 2
                let started = Date()
                if aimed {
                    // This process was started armed (below); wait for it to reach its point.
                    if !job.wait(90) {
                        kill(job.process.processIdentifier, SIGKILL)
                        job.wait(10)
                        log.append(Kill(number: number, aim: "crash point not reached, killed", afterSeconds: 90, published: [:]))
                    }
                } else {
                    let lifetime = Double.random(in: 3...9, using: &random)
                    // Sometimes the publisher is killed meanwhile, at another random moment.
                    if Bool.random(using: &random) {
                        let at = Double.random(in: 0.5..<lifetime, using: &random)
                        Thread.sleep(forTimeInterval: at)
                        publisher.kill()
                        publisherKills += 1
                        Thread.sleep(forTimeInterval: lifetime - at)
                    } else {
                        Thread.sleep(forTimeInterval: lifetime)
                    }
                    kill(job.process.processIdentifier, SIGKILL)
                    job.wait(10)
                }
                let how = job.process.terminationReason == .uncaughtSignal && job.process.terminationStatus == SIGKILL
                if !how { Issue.record("cuepoint-\(number - 1) ended otherwise than by SIGKILL:\n\(job.printed)") }
                if log.last?.number != number {
                    log.append(
                        Kill(
                            number: number, aim: aimed ? "at \(job.process.environment?[CrashPoint.environmentVariable] ?? "?")" : "at random",
                            afterSeconds: Date().timeIntervalSince(started), published: try show.publishedFiles()))
                }
                print("crash loop: \(log.last!)")
                Thread.sleep(forTimeInterval: Double.random(in: 0...1, using: &random))
                // The next process: armed at a point when the next kill is aimed.
                let next = number + 1
                var crashPoint: String?
                if next < kills && (next % 3 == 0 || next % 3 == 2) {
                    let point = points[(next / 3) % points.count]
                    let hit = point == .markerAppend ? Int.random(in: 1...2, using: &random) : Int.random(in: 2...8, using: &random)
                    crashPoint = "\(point.rawValue):\(hit)"
                }
                job = try show.startCuepoint(number, crashPoint: crashPoint)
            }

            // The last process records a while, then is stopped with SIGINT and killed in its replay export.
            Thread.sleep(forTimeInterval: Double.random(in: 6...10, using: &random))
            desk.stop()
            // Two more segments, so the last markers' starts lie inside the recording.
            _ = SampleFeed.waitForSegments(show.recording, atLeast: SampleFeed.segmentCount(show.recording) + 2, within: 30)
            follower.stop()
            publisher.stop()
            let last = job
            kill(last.process.processIdentifier, SIGKILL)
            last.wait(10)
            log.append(Kill(number: kills, aim: "at random", afterSeconds: 0, published: try show.publishedFiles()))
            // Stopped for good: a process that records one more segment and finalises the recording,
            // killed while exporting the replay. (It must get input: a resumed job stopped before
            // any input arrives leaves the recording unfinished; see docs/reliability.md.)
            let final = try show.startCuepoint(kills, crashPoint: "\(CrashPoint.replayStaging.rawValue):1")
            _ = LiveIngest.poll(30) { final.stderr.contains("waiting") || final.stderr.contains("resuming") }
            publisher.start()
            _ = SampleFeed.waitForSegments(show.recording, atLeast: SampleFeed.segmentCount(show.recording) + 1, within: 60)
            publisher.stop()
            final.process.interrupt()
            let ended = final.wait(120)
            #expect(ended, "the last process ends: \(final.printed)")
            if !ended {
                kill(final.process.processIdentifier, SIGKILL)
                final.wait(10)
            }
            // (terminationReason of a running process traps: read only once it ended.)
            #expect(
                ended && final.process.terminationReason == .uncaughtSignal && final.process.terminationStatus == SIGKILL,
                "killed in the replay export:\n\(final.printed)")
            print("crash loop: kill \(kills + 1): at \(CrashPoint.replayStaging.rawValue) (after SIGINT)")

            // The replay, exported again by hand after the crash.
            let replayRun = try CuepointCLI.run(["replay", show.recording.path, "-o", show.replay.path, "--force", "--no-thumbnails"])
            #expect(replayRun.status == 0, "cuepoint replay after the crash: \(replayRun)")

            try check(show: show, kills: log, desk: desk, follower: follower, publisherKills: publisherKills)
        }

        static func check(
            show: CrashLoopShow, kills: [Kill], desk: CrashLoopShow.MarkerDesk, follower: CrashLoopShow.Follower,
            publisherKills: Int
        ) throws {
            let source = show.recording.appendingPathComponent("source")
            let index = try MediaPlaylist(parsing: String(contentsOf: source.appendingPathComponent("index.m3u8"), encoding: .utf8))
            print(
                "crash loop: \(kills.count + 1) kills of cuepoint, \(publisherKills) of the publisher; \(index.segments.count) segments, "
                    + "\(index.segments.filter(\.discontinuity).count) discontinuities; markers \(desk.adds.count) acknowledged of "
                    + "\(desk.tries), \(desk.closes.count) closes; the follower read \(follower.playlistsRead) playlists and "
                    + "\(follower.downloaded.count) files")
            #expect(index.endList)

            // Every segment published before a kill is byte-identical after it, and still listed.
            let listed = Set(index.segments.flatMap { [$0.uri] + ($0.map.map { [$0.uri] } ?? []) })
            for kill in kills {
                for (name, bytes) in kill.published {
                    #expect(listed.contains(name), "\(name), published before \(kill), is no longer listed")
                    let now = try? Data(contentsOf: source.appendingPathComponent(name))
                    #expect(now == bytes, "\(name), published before \(kill), changed")
                }
            }

            // The follower: only valid playlists, every listed file there, and the same bytes as now.
            #expect(follower.problems.isEmpty, "\(follower.problems.joined(separator: "\n"))")
            #expect(follower.playlistsRead > 0)
            for (name, bytes) in follower.downloaded {
                let now = try? Data(contentsOf: source.appendingPathComponent(name))
                #expect(now == bytes, "\(name) as the follower downloaded it differs from the file now")
            }

            // Every acknowledged marker is in the log and in the playlist; every acknowledged close too.
            let log = try String(contentsOf: show.recording.appendingPathComponent("markers.jsonl"), encoding: .utf8)
            let ranges = index.segments.flatMap(\.dateRanges)
            for id in desk.adds {
                #expect(log.contains("\"id\":\"\(id)\""), "acknowledged marker \(id) is not in markers.jsonl")
                #expect(ranges.contains { $0.id == id }, "acknowledged marker \(id) is not in index.m3u8")
            }
            let closed = Set(ranges.filter { $0.durationMilliseconds != nil || $0.endDate != nil }.map(\.id))
            for id in desk.closes {
                #expect(closed.contains(id), "the acknowledged close of \(id) is not in index.m3u8")
            }

            // One discontinuity per gap: PROGRAM-DATE-TIME continues exactly between segments without
            // EXT-X-DISCONTINUITY, and moves on (never back) across one; no more discontinuities than
            // interruptions.
            for (previous, next) in zip(index.segments, index.segments.dropFirst()) {
                guard let before = previous.programDateTime?.millisecondsSince1970,
                    let after = next.programDateTime?.millisecondsSince1970
                else {
                    Issue.record("\(next.uri): no PROGRAM-DATE-TIME")
                    continue
                }
                if next.discontinuity {
                    #expect(after >= before + previous.durationMilliseconds, "\(next.uri): PROGRAM-DATE-TIME goes back across the gap")
                } else {
                    #expect(after == before + previous.durationMilliseconds, "\(next.uri) follows \(previous.uri) without a discontinuity, but not in time")
                }
            }
            let discontinuities = index.segments.filter(\.discontinuity).count
            #expect(discontinuities >= 1 && discontinuities <= kills.count + publisherKills + 2, "\(discontinuities) discontinuities")
            try verifyRecording(
                directory: show.recording, container: show.container, segmentMilliseconds: 2_000, allowFrameGaps: true)
            if GStreamer.isInstalled { try expectPlays(source.appendingPathComponent("index.m3u8")) }

            // The replay: every closed acknowledged marker is a product of it.
            let products = try String(contentsOf: show.replay.appendingPathComponent("products.json"), encoding: .utf8)
            for id in desk.adds where closed.contains(id) {
                #expect(products.contains("\"\(id)\""), "\(id) is missing from the replay's products.json")
            }
        }
    }
}
