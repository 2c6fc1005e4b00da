import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// An HTTP origin target (nginx's WebDAV module: PUT and DELETE, an Authorization header
    /// from an environment variable) with a live-only recording: segments that leave the live
    /// window are deleted on the origin too, after the playlists that stopped listing them.
    @Suite("Publishing to an HTTP origin", .serialized, .ownThreads)
    struct OriginPublishTests {
        @Test(
            "a live-only show on nginx WebDAV: every listed segment is on the origin throughout, old ones are deleted there, the last window stays",
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
                  url: pipe:0
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
                let run = try await offThePool { () throws -> (LiveIngest.Job, [String], Int) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        ["run", pipeline.path], folder: folder, environment: ["ORIGIN_TOKEN": OriginServer.authorization],
                        feeding: true)
                    // A follower reading what nginx stores: every segment live.m3u8 lists is there.
                    let done = DispatchSemaphore(value: 0)
                    nonisolated(unsafe) var problems: [String] = []
                    nonisolated(unsafe) var reads = 0
                    nonisolated(unsafe) var stop = false
                    let follower = Thread {
                        while !stop {
                            if let text = try? String(contentsOf: published.appendingPathComponent("source/live.m3u8"), encoding: .utf8),
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
                    for index in 1..<keyframes.count {
                        try SampleFeed.feed(job, SampleFeed.boundary(keyframes[index - 1])..<SampleFeed.boundary(keyframes[index]))
                        Thread.sleep(forTimeInterval: 0.7)
                    }
                    try SampleFeed.feed(job, SampleFeed.boundary(keyframes[keyframes.count - 1])..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    stop = true
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
                // Ten segments were recorded; those that left the window were deleted, there as here.
                #expect(segments.count < 10, "old segments were deleted on the origin: \(segments.sorted())")
                let live = try MediaPlaylist(
                    parsing: String(contentsOf: published.appendingPathComponent("source/live.m3u8"), encoding: .utf8))
                #expect(live.endList)
                #expect(Set(live.segments.map(\.uri)).isSubset(of: segments))
                #expect(
                    try Data(contentsOf: published.appendingPathComponent("source/live.m3u8"))
                        == Data(contentsOf: local.appendingPathComponent("source/live.m3u8")))
            }
        }
    }
}
