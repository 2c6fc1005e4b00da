import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// One run, two targets: `--publish s3://…` (SeaweedFS) and `--publish http://…` (nginx
    /// WebDAV) together. Each has its own replicator and backlog; both end with the whole
    /// recording, and neither store's playlists ever list an object that is not there.
    @Suite("Publishing to two targets at once", .serialized, .ownThreads)
    struct TwoTargetPublishTests {
        @Test(
            "cuepoint segment pipe:0 --publish s3://… --publish http://…: both stores hold the recording, every listed object present throughout",
            .enabled(
                if: PublishTools.ready && ServerTools.hasNginx, "needs SeaweedFS and nginx (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func s3AndAnOriginInOneRun() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            let origin = try await TestServers.shared.nginx()
            try await TemporaryDirectory.with(label: "publish-two") { folder in
                let show = StoreShow(server: server, label: "two")
                let originPrefix = uniqueKey("two")
                let originTarget = "\(origin.origin)/\(originPrefix)?authorization-env=ORIGIN_TOKEN"
                let output = folder.appendingPathComponent("out")
                let environment = show.environment().merging(["ORIGIN_TOKEN": OriginServer.authorization]) { $1 }
                let published = origin.root.appendingPathComponent(originPrefix)
                let run = try await offThePool { () throws -> (LiveIngest.Job, [LiveIngest.Player], [String]) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        [
                            "segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s", "--publish", show.target,
                            "--publish", originTarget,
                        ], folder: folder, environment: environment, feeding: true)
                    // The store's followers read over HTTP, anonymously, as players do; the test
                    // origin answers only requests with the publisher's Authorization, so its
                    // follower reads the files nginx wrote.
                    let followers = [
                        LiveIngest.Player(root: show.http, playlist: "source/live.m3u8"),
                        LiveIngest.Player(root: show.http, playlist: "source/index.m3u8"),
                    ]
                    for follower in followers { follower.start() }
                    let originFollower = FileFollower(folder: published.appendingPathComponent("source"))
                    originFollower.start()
                    defer {
                        for follower in followers { follower.stop() }
                        originFollower.stop()
                    }
                    try SampleFeed.feedPaced(job, keyframes: keyframes, pause: 0.5)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    originFollower.stop()
                    return (job, followers, originFollower.problems + (originFollower.reads > 5 ? [] : ["read \(originFollower.reads) times"]))
                }
                let (job, followers, originProblems) = run
                #expect(originProblems.isEmpty, "the origin's playlists during the show: \(originProblems.prefix(5))")
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                for target in [show.target, originTarget] {
                    let line = job.stdout.split(separator: "\n").first { $0.hasPrefix("published: \(target): ") }
                    #expect(line?.hasSuffix("(complete)") == true, "\(target): \(line.map(String.init) ?? "no line")\n\(job.printed)")
                }
                for follower in followers {
                    #expect(follower.reloads >= 5, "\(follower.playlist): reloaded \(follower.reloads) times")
                    #expect(follower.notFound.isEmpty, "\(follower.playlist): \(follower.notFound)")
                    #expect(follower.sequencesNeverWentBack, "\(follower.playlist): \(follower.sequences)")
                }
                // The S3 store: playlists, documents and every listed file, byte for byte.
                let playlists = try await offThePool { try expectStoreHoldsRecording(output, on: show) }
                #expect(playlists["source"]?.endList == true)
                #expect(playlists["source"]?.segments.count == SampleFeed.segmentCount(output))
                // The origin: the same files as the local directory, byte for byte, and its
                // playlists list only files it holds.
                for folderName in ["", "source"] {
                    let localFolder = output.appendingPathComponent(folderName)
                    let names = try FileManager.default.contentsOfDirectory(atPath: localFolder.path).filter { name in
                        var isFolder: ObjCBool = false
                        FileManager.default.fileExists(atPath: localFolder.appendingPathComponent(name).path, isDirectory: &isFolder)
                        return !name.hasPrefix(".") && !isFolder.boolValue
                    }
                    #expect(!names.isEmpty)
                    for name in names {
                        let there = FileManager.default.contents(atPath: published.appendingPathComponent(folderName).appendingPathComponent(name).path)
                        let here = FileManager.default.contents(atPath: localFolder.appendingPathComponent(name).path)
                        #expect(there != nil && there == here, "\(folderName)/\(name) on the origin")
                    }
                }
                for playlist in ["live.m3u8", "index.m3u8"] {
                    let text = try String(contentsOf: published.appendingPathComponent("source/\(playlist)"), encoding: .utf8)
                    for segment in try MediaPlaylist(parsing: text).segments {
                        #expect(
                            FileManager.default.fileExists(atPath: published.appendingPathComponent("source/\(segment.uri)").path),
                            "\(segment.uri), listed in the origin's \(playlist)")
                    }
                }
            }
        }
    }

    /// Reads the playlists an origin wrote to disk (nginx's root) while a show runs: every
    /// segment `live.m3u8` and `index.m3u8` list must be there.
    final class FileFollower: @unchecked Sendable {
        // Invariant: the fields below are only touched with `lock` held.
        private let lock = NSLock()
        private var found: [String] = []
        private var count = 0
        private var stopping = false
        private var thread: Thread?
        private let done = DispatchSemaphore(value: 0)
        let folder: URL

        init(folder: URL) { self.folder = folder }

        var problems: [String] { lock.withLock { found } }
        var reads: Int { lock.withLock { count } }

        func start() {
            let thread = Thread { [self] in
                while !lock.withLock({ stopping }) {
                    for name in ["live.m3u8", "index.m3u8"] {
                        guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8),
                            let playlist = try? MediaPlaylist(parsing: text)
                        else { continue }
                        let missing = playlist.segments.map(\.uri).filter {
                            !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
                        }
                        lock.withLock {
                            count += 1
                            found += missing.map { "\($0) listed in \(name) but not on the origin" }
                        }
                    }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                done.signal()
            }
            lock.withLock { self.thread = thread }
            thread.start()
        }

        /// Stops and waits for the thread (once; later calls return at once).
        func stop() {
            let running = lock.withLock { () -> Bool in
                defer { stopping = true; thread = nil }
                return thread != nil
            }
            if running { done.wait() }
        }
    }
}
