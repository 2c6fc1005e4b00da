import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A transcoded ladder published live to S3 (issue 12: "a media sequence number is
    /// advertised in the multivariant set only when every rendition has it").
    ///
    /// The rule checked, from the HLS rules for renditions (matching media sequence numbers and
    /// timestamps across the variants of one multivariant playlist, so a player can switch at any
    /// segment boundary) and from how Cuepoint keeps them (``SegmentBarrier`` publishes segment N
    /// of every rendition together; the replicator uploads every file before any later playlist):
    ///
    /// - a follower reads `master.m3u8`, then the playlist of every variant it lists;
    /// - for every media sequence number N that one of those playlists lists (with its URI), the
    ///   segment N of **every** variant is on the store at that moment (HEAD 200 for the same
    ///   URI in each variant's folder), even if that variant's playlist, read a moment earlier,
    ///   did not list N yet: a player switching there never meets a missing segment;
    /// - every N seen listed in any variant during the show is listed, with the same URI and
    ///   duration, in every variant's final playlist;
    /// - every object listed exists when listed (``LiveIngest/Player`` on each variant).
    ///
    /// Without the barrier (each rendition publishing its own playlist when its encoder
    /// finishes) or with documents overtaking files, a playlist would list N while another
    /// variant's segment N is not uploaded yet, and the HEAD would answer 404.
    @Suite("Publishing a live ladder", .serialized, .ownThreads)
    struct LadderPublishTests {
        @Test(
            "cuepoint segment pipe:0 --live --ladder 360p,240p --publish s3://…: every sequence number one variant lists on the store, every variant has",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(4)))
        func ladderOnSeaweedFS() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-ladder") { folder in
                let show = StoreShow(server: server, label: "ladder")
                let output = folder.appendingPathComponent("out")
                let run = try await offThePool { () throws -> (LiveIngest.Job, LadderFollower, [LiveIngest.Player]) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let job = try LiveIngest.cuepoint(
                        [
                            "segment", "pipe:0", "--live", "-o", output.path, "--segment", "2s", "--ladder", "360p,240p",
                            "--publish", show.target,
                        ], folder: folder, environment: show.environment(), feeding: true)
                    let follower = LadderFollower(show: show)
                    let players = ["360p", "240p"].map { LiveIngest.Player(root: show.http, playlist: "\($0)/index.m3u8") }
                    follower.start()
                    for player in players { player.start() }
                    defer {
                        follower.stop()
                        for player in players { player.stop() }
                    }
                    // About 12 s of real time: sample.ts's keyframe intervals, 1.2 s apart.
                    try SampleFeed.feedPaced(job, keyframes: keyframes, pause: 1.2)
                    try SampleFeed.end(job)
                    try job.ended(within: 120)
                    Thread.sleep(forTimeInterval: 1)
                    return (job, follower, players)
                }
                let (job, follower, players) = run
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("(complete)"), "\(job.printed)")

                #expect(follower.variants == ["360p/index.m3u8", "240p/index.m3u8"], "master.m3u8's variants: \(follower.variants)")
                #expect(follower.rounds >= 10, "the follower read the whole set \(follower.rounds) times")
                #expect(follower.missing.isEmpty, "listed in one variant, missing in another: \(follower.missing.prefix(5))")
                #expect(follower.checkedSegments >= 6, "segments checked across variants: \(follower.checkedSegments)")
                for player in players {
                    #expect(player.notFound.isEmpty, "\(player.playlist): \(player.notFound)")
                    #expect(player.reloads >= 5, "\(player.playlist): reloaded \(player.reloads) times")
                }

                // After the show: the store holds the recording byte for byte, and every sequence
                // number seen during the show is in every variant, with the same URI and duration.
                let renditions = ["360p", "240p"]
                let playlists = try await offThePool { try expectStoreHoldsRecording(output, on: show, renditions: renditions) }
                let finals = try renditions.map { try #require(playlists[$0]) }
                let listed = finals.map { playlist in
                    Dictionary(uniqueKeysWithValues: playlist.segments.enumerated().map {
                        (playlist.mediaSequence + Int64($0.offset), "\($0.element.uri) \($0.element.durationMilliseconds)")
                    })
                }
                #expect(listed[0] == listed[1], "the variants list the same segments")
                #expect(listed[0].count >= 5, "\(listed[0].count) segments")
                let seen = follower.seenSequences
                #expect(seen.isSubset(of: Set(listed[0].keys)), "seen during the show: \(seen.sorted())")
            }
        }
    }

    /// Reads the store's `master.m3u8` and then every variant's playlist, over and over, and
    /// checks each media sequence number a variant lists against every variant's folder (HEAD).
    final class LadderFollower: @unchecked Sendable {
        // Invariant: the `state` fields are only touched with `lock` held.
        private let lock = NSLock()
        private var state = (
            variants: [String](), rounds: 0, missing: [String](), seen: Set<Int64>(), checked: Set<String>(),
            stopping: false
        )
        private let done = DispatchSemaphore(value: 0)
        let show: StoreShow

        init(show: StoreShow) { self.show = show }

        var variants: [String] { lock.withLock { state.variants } }
        var rounds: Int { lock.withLock { state.rounds } }
        /// "N (URI): listed in A, answers S in B" for each breach of the rule.
        var missing: [String] { lock.withLock { state.missing } }
        /// The sequence numbers seen listed in any variant.
        var seenSequences: Set<Int64> { lock.withLock { state.seen } }
        /// Variant segments confirmed on the store.
        var checkedSegments: Int { lock.withLock { state.checked.count } }

        func start() {
            Thread { [self] in
                while !lock.withLock({ state.stopping }) {
                    round()
                    Thread.sleep(forTimeInterval: 0.1)
                }
                done.signal()
            }.start()
        }

        func stop() {
            guard lock.withLock({ () -> Bool in
                defer { state.stopping = true }
                return !state.stopping
            }) else { return }
            done.wait()
        }

        private func round() {
            let master = show.get("master.m3u8")
            guard master.status == 200, let multivariant = try? MultivariantPlaylist(parsing: master.text) else { return }
            let variants = multivariant.variants.map(\.uri)
            var listed: [(variant: String, sequence: Int64, uri: String)] = []
            for variant in variants {
                let answer = show.get(variant)
                guard answer.status == 200, let playlist = try? MediaPlaylist(parsing: answer.text) else {
                    lock.withLock { state.missing.append("\(variant): in master.m3u8, answers \(String(describing: answer.status))") }
                    continue
                }
                for (offset, segment) in playlist.segments.enumerated() {
                    listed.append((variant, playlist.mediaSequence + Int64(offset), segment.uri))
                }
            }
            lock.withLock {
                state.variants = variants
                state.rounds += 1
                state.seen.formUnion(listed.map(\.sequence))
            }
            for entry in listed {
                for other in variants {
                    let folder = other.split(separator: "/").dropLast().joined(separator: "/")
                    let path = "\(folder)/\(entry.uri)"
                    guard !lock.withLock({ state.checked.contains(path) }) else { continue }
                    let status = show.get(path, method: "HEAD").status
                    lock.withLock {
                        if status == 200 {
                            state.checked.insert(path)
                        } else {
                            state.missing.append(
                                "\(entry.sequence) (\(entry.uri)): listed in \(entry.variant), answers"
                                    + " \(String(describing: status)) in \(other)")
                        }
                    }
                }
            }
        }
    }
}
