import CuepointTestSupport
import CuepointHLS
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A live-only recording (`playlists: [live]`) published to S3: segments that leave the live
    /// window are deleted from the store (DeleteObjects) after their availability time, as on
    /// disk, never while a playlist on the store lists them; the pipeline file's `storage_class`
    /// reaches every object.
    @Suite("A live window on an object store", .serialized, .ownThreads)
    struct StoreLiveWindowTests {
        @Test(
            "a live-only show on SeaweedFS: every listed segment is on the store throughout, old ones are deleted there after their availability time, the last window stays, in the target's storage class",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func liveWindowOnS3() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-window") { folder in
                let show = StoreShow(server: server, label: "window")
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
                    - url: \(show.target)
                      storage_class: STANDARD_IA
                """.write(to: pipeline, atomically: true, encoding: .utf8)
                let watcher = DeletionWatcher(show: show)
                let run = try await offThePool { () throws -> (LiveIngest.Job, LiveIngest.Player) in
                    // 30 s of sample.ts (looped) in real time: 2 s segments, a window of 6 s, so a
                    // segment's availability time is 10 s and the first ones are deleted mid-show.
                    let feeder = try FFmpegFeeder.start(
                        media: URL(fileURLWithPath: SampleInput.ts.path), fifo: folder.appendingPathComponent("feed.ts"), loops: 1,
                        seconds: 30)
                    defer { feeder.stop() }
                    let job = try LiveIngest.cuepoint(["run", pipeline.path], folder: folder, environment: show.environment())
                    let follower = LiveIngest.Player(root: show.http, playlist: "source/live.m3u8")
                    follower.start()
                    watcher.start()
                    defer {
                        follower.stop()
                        watcher.stop()
                    }
                    try job.ended(within: 120)
                    return (job, follower)
                }
                let (job, follower) = run
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("(complete)"), "\(job.printed)")
                #expect(follower.reloads > 10, "the follower read live.m3u8 \(follower.reloads) times")
                #expect(follower.notFound.isEmpty, "listed but not on the store: \(follower.notFound.prefix(5))")
                #expect(follower.sequencesNeverWentBack, "\(follower.sequences)")

                let local = folder.appendingPathComponent("out/show")
                let localFiles = Set(try FileManager.default.contentsOfDirectory(atPath: local.appendingPathComponent("source").path))
                let storedKeys = try await offThePool { try show.keys() }
                let stored = Set(storedKeys.filter { $0.hasPrefix("source/") }.map { String($0.dropFirst("source/".count)) })
                #expect(stored == localFiles, "the store holds what the local directory holds: \(stored.sorted()) vs \(localFiles.sorted())")
                let segments = stored.filter { $0.hasPrefix("seg_") }
                let seen = Set(follower.segments.keys.map { ($0 as NSString).lastPathComponent })
                // The follower saw segments that are gone now: they were deleted on the store.
                let deleted = seen.subtracting(segments)
                #expect(!deleted.isEmpty, "old segments were deleted on the store: saw \(seen.sorted()), left \(segments.sorted())")
                // Each deletion came after the segment had left the store's playlist, and not at
                // once: its availability time (its duration plus the longest playlist's, 10 s
                // here) keeps it for players that loaded an older playlist. The bound checked is
                // one segment duration, well inside it, so the polling's granularity cannot fail it.
                let observed = watcher.observed
                #expect(!observed.isEmpty, "the watcher saw deletions")
                for (segment, times) in observed {
                    let after = times.gone.timeIntervalSince(times.left)
                    #expect(after >= 2, "\(segment) was deleted \(after) s after it left the store's playlist")
                }
                let live = try MediaPlaylist(parsing: show.get("source/live.m3u8").text)
                #expect(live.endList)
                // The last window stays (with the segments whose availability time had not passed
                // when the show ended, kept here as on the local disk).
                #expect(Set(live.segments.map(\.uri)).isSubset(of: segments), "\(live.segments.map(\.uri)) vs \(segments.sorted())")
                #expect(show.get("source/live.m3u8").body == (try Data(contentsOf: local.appendingPathComponent("source/live.m3u8"))))

                // storage_class: STANDARD_IA from the pipeline file, on segments and playlists.
                let client = server.client()
                for key in ["source/live.m3u8"] + segments.sorted().prefix(2).map({ "source/\($0)" }) {
                    let metadata = try await client.headObject(ObjectKey.join(show.prefix, key))
                    #expect(metadata?.storageClass == "STANDARD_IA", "\(key): \(String(describing: metadata))")
                }
            }
        }
    }

    /// Polls a store's `source/live.m3u8` and the segments it listed: when each left the
    /// playlist and when it was gone from the store (an S3 store: GET 404; an origin: the file
    /// gone from nginx's root).
    final class DeletionWatcher: @unchecked Sendable {
        // Invariant: `state` is only touched with `lock` held.
        private let lock = NSLock()
        private var listed = Set<String>()
        private var left: [String: Date] = [:]
        private var gone: [String: (left: Date, gone: Date)] = [:]
        private var durations: [String: Int64] = [:]
        private var stopping = false
        private let done = DispatchSemaphore(value: 0)
        private let livePlaylist: @Sendable () -> String?
        private let isGone: @Sendable (_ uri: String) -> Bool

        /// - Parameters:
        ///   - livePlaylist: the store's `source/live.m3u8` now, nil when it cannot be read.
        ///   - isGone: whether the segment `uri` (relative to `source/`) is gone from the store.
        init(livePlaylist: @escaping @Sendable () -> String?, isGone: @escaping @Sendable (_ uri: String) -> Bool) {
            self.livePlaylist = livePlaylist
            self.isGone = isGone
        }

        /// Watches an S3 store's recording through its HTTP endpoint.
        convenience init(show: StoreShow) {
            self.init(
                livePlaylist: {
                    let answer = show.get("source/live.m3u8")
                    return answer.status == 200 ? answer.text : nil
                },
                isGone: { show.get("source/\($0)").status == 404 })
        }

        /// Every segment seen leaving the playlist and then deleted: when it left, when it was gone.
        var observed: [String: (left: Date, gone: Date)] { lock.withLock { gone } }
        /// The duration of every segment seen listed, in milliseconds.
        var segmentDurations: [String: Int64] { lock.withLock { durations } }

        func start() {
            Thread { [self] in
                while !lock.withLock({ stopping }) {
                    poll()
                    Thread.sleep(forTimeInterval: 0.2)
                }
                done.signal()
            }.start()
        }

        func stop() {
            lock.withLock { stopping = true }
            done.wait()
        }

        private func poll() {
            guard let text = livePlaylist(), let playlist = try? MediaPlaylist(parsing: text) else { return }
            let now = Set(playlist.segments.map(\.uri))
            let candidates = lock.withLock { () -> [String] in
                for uri in listed.subtracting(now) where left[uri] == nil { left[uri] = Date() }
                listed.formUnion(now)
                for segment in playlist.segments { durations[segment.uri] = segment.durationMilliseconds }
                return listed.subtracting(now).filter { gone[$0] == nil }.sorted()
            }
            for uri in candidates where isGone(uri) {
                lock.withLock { if let since = left[uri] { gone[uri] = (since, Date()) } }
            }
        }
    }
}
