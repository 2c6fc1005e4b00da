import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import Cuepoint

extension Integration {
    /// An HTTP origin target (nginx's WebDAV module: PUT and DELETE, an Authorization header
    /// from an environment variable) with a live-only recording: segments that leave the live
    /// window are deleted on the origin too, after their availability time, and after the
    /// playlists that stopped listing them.
    @Suite("Publishing to an HTTP origin", .serialized, .ownThreads)
    struct OriginPublishTests {
        @Test(
            "a live-only show on nginx WebDAV: every listed segment is on the origin throughout, old ones are deleted there after their availability time, the last window stays",
            .enabled(if: ServerTools.hasNginx && LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs nginx (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func liveWindowOnAnOrigin() async throws {
            let origin = try await TestServers.shared.nginx()
            try await TemporaryDirectory.with(label: "publish-origin") { folder in
                let prefix = uniqueKey("origin")
                let published = origin.root.appendingPathComponent(prefix)
                let pipeline = folder.appendingPathComponent("show.yaml")
                try """
                version: 1
                name: show
                input:
                  url: file://\(folder.path)/feed.ts
                  live: true
                output:
                  directory: \(folder.path)/out
                  segment: 1s
                  live_window: 3
                  playlists: [live]
                  publish:
                    - url: \(origin.origin)/\(prefix)
                      authorization_env: ORIGIN_TOKEN
                """.write(to: pipeline, atomically: true, encoding: .utf8)
                // nginx answers only requests with the token, so the follower and the watcher read
                // what it stores from its root directory.
                let livePlaylist = published.appendingPathComponent("source/live.m3u8")
                let watcher = DeletionWatcher(
                    livePlaylist: { try? String(contentsOf: livePlaylist, encoding: .utf8) },
                    isGone: { !FileManager.default.fileExists(atPath: published.appendingPathComponent("source/\($0)").path) })
                let run = try await offThePool { () throws -> (LiveIngest.Job, [String], Int) in
                    // 30 s of sample.ts (looped) in real time: 2 s segments, a window of 6 s, so a
                    // segment's availability time is 10 s and the first ones are deleted mid-show.
                    let feeder = try FFmpegFeeder.start(
                        media: URL(fileURLWithPath: SampleInput.ts.path), fifo: folder.appendingPathComponent("feed.ts"), loops: 1,
                        seconds: 30)
                    defer { feeder.stop() }
                    let job = try LiveIngest.cuepoint(
                        ["run", pipeline.path], folder: folder, environment: ["ORIGIN_TOKEN": OriginServer.authorization])
                    // A follower reading what nginx stores: every segment live.m3u8 lists is there.
                    let done = DispatchSemaphore(value: 0)
                    nonisolated(unsafe) var problems: [String] = []
                    nonisolated(unsafe) var reads = 0
                    // Set by this thread, read by the follower's: a lock, not a bare flag (TSan).
                    let stop = NIOLockedValueBox(false)
                    let follower = Thread {
                        while !stop.withLockedValue({ $0 }) {
                            if let text = try? String(contentsOf: livePlaylist, encoding: .utf8),
                                let playlist = try? MediaPlaylist(parsing: text)
                            {
                                reads += 1
                                for segment in playlist.segments
                                where !FileManager.default.fileExists(atPath: published.appendingPathComponent("source/\(segment.uri)").path) {
                                    problems.append("\(segment.uri) listed but not on the origin")
                                }
                            }
                            Thread.sleep(forTimeInterval: 0.05)
                        }
                        done.signal()
                    }
                    follower.start()
                    watcher.start()
                    defer { watcher.stop() }
                    try job.ended(within: 120)
                    stop.withLockedValue { $0 = true }
                    done.wait()
                    return (job, problems, reads)
                }
                let (job, problems, reads) = run
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("published: \(origin.origin)/\(prefix)"), "\(job.printed)")
                #expect(job.stdout.contains("(complete)"), "\(job.printed)")
                #expect(reads > 10, "the follower read live.m3u8 \(reads) times")
                #expect(problems.isEmpty, "\(problems.prefix(5))")
                let local = folder.appendingPathComponent("out/show")
                let localFiles = Set(try FileManager.default.contentsOfDirectory(atPath: local.appendingPathComponent("source").path))
                let originFiles = Set(try FileManager.default.contentsOfDirectory(atPath: published.appendingPathComponent("source").path))
                let segments = originFiles.filter { $0.hasPrefix("seg_") }
                #expect(originFiles == localFiles, "the origin holds what the local directory holds: \(originFiles.sorted()) vs \(localFiles.sorted())")
                let live = try MediaPlaylist(
                    parsing: String(contentsOf: published.appendingPathComponent("source/live.m3u8"), encoding: .utf8))
                // About fifteen segments were recorded; those that left the window were deleted,
                // there as here, each only after its availability time: its duration plus the
                // longest playlist that listed it (the window of three and itself), counted from
                // when it left the playlist. The bound used is the least that can be: twice its
                // duration plus three of the shortest segments seen (about 10 s with sample.ts's
                // 2 s segments). The watcher sees it leave when the origin's playlist changes, one
                // upload and one poll (0.2 s) after the local playlist did: 1 s is allowed for
                // that. A deletion at once, or a segment later, fails this.
                let observed = watcher.observed
                let durations = watcher.segmentDurations
                let shortest = try #require(durations.values.min())
                #expect(observed.count >= 3, "the watcher saw deletions on the origin: \(observed.keys.sorted())")
                for (segment, times) in observed {
                    let after = times.gone.timeIntervalSince(times.left)
                    let availability = Double(2 * (durations[segment] ?? 0) + 3 * shortest) / 1000
                    #expect(
                        after >= availability - 1,
                        "\(segment) was deleted \(after) s after it left the origin's playlist; its availability time is \(availability) s")
                }
                #expect(Set(observed.keys).isDisjoint(with: segments), "the deleted segments stay deleted")
                #expect(live.endList)
                #expect(Set(live.segments.map(\.uri)).isSubset(of: segments))
                #expect(
                    try Data(contentsOf: published.appendingPathComponent("source/live.m3u8"))
                        == Data(contentsOf: local.appendingPathComponent("source/live.m3u8")))
            }
        }
    }
}
