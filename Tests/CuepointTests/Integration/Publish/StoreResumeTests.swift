import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A show survives its machine: the first process is killed mid-show, and a second one, on
    /// another (empty) local directory with the same `--publish` target, resumes the recording
    /// from the store's `recording.json` and playlists.
    @Suite("Resuming a show from the store", .serialized, .ownThreads)
    struct StoreResumeTests {
        static func marker(_ id: String) -> Data {
            Data("{\"id\":\"\(id)\",\"title\":\"Mug\",\"url\":\"https://s.example/\(id)\",\"start\":\"now\"}\n".utf8)
        }

        @Test(
            "SIGKILL mid-show, a second machine on an empty directory: DISCONTINUITY, media sequence continuing, markers kept, nothing on the store overwritten",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(4)))
        func secondMachineResumesFromTheStore() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-resume") { folder in
                let show = StoreShow(server: server, label: "resume")
                let first = folder.appendingPathComponent("machine-a")
                let second = folder.appendingPathComponent("machine-b")
                struct Run: Sendable {
                    var job: LiveIngest.Job
                    var before: MediaPlaylist
                    var storedBefore: [String: Data]
                    var highestOnStore: Int
                }
                let run = try await offThePool { () throws -> Run in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    func arguments(_ output: URL, markers: String) -> [String] {
                        [
                            "segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s", "--publish", show.target,
                            "--markers", folder.appendingPathComponent(markers).path,
                        ]
                    }
                    try Data().write(to: folder.appendingPathComponent("a.jsonl"))
                    try Self.marker("before-1").write(to: folder.appendingPathComponent("b.jsonl"))
                    let a = try LiveIngest.cuepoint(
                        arguments(first, markers: "a.jsonl"), folder: folder, environment: show.environment(), feeding: true,
                        label: "machine-a")
                    try SampleFeed.feed(a, 0..<SampleFeed.boundary(keyframes[3]))
                    guard SampleFeed.waitForSegments(first, atLeast: 3) else {
                        throw RecordingProblem(description: "segments on machine A:\n\(a.printed)")
                    }
                    try Self.marker("before-1").write(to: folder.appendingPathComponent("a.jsonl"))
                    try SampleFeed.feed(a, SampleFeed.boundary(keyframes[3])..<SampleFeed.boundary(keyframes[5]))
                    func stored() -> MediaPlaylist? { try? MediaPlaylist(parsing: show.get("source/index.m3u8").text) }
                    guard
                        LiveIngest.poll(30, {
                            (stored()?.segments.count ?? 0) >= 4
                                && stored()?.segments.contains { $0.dateRanges.contains { $0.id == "before-1" } } == true
                                && show.get("markers.jsonl").text.contains("before-1")
                        })
                    else { throw RecordingProblem(description: "four segments and the marker on the store:\n\(a.printed)") }
                    kill(a.process.processIdentifier, SIGKILL)
                    a.wait(10)
                    let before = try #require(stored())
                    var storedBefore: [String: Data] = [:]
                    let keys = try show.keys()
                    for key in keys where key.hasPrefix("source/") && !key.hasSuffix(".m3u8") {
                        storedBefore[key] = show.get(key).body
                    }
                    let highest = keys.compactMap { $0.wholeMatch(of: /source\/seg_([0-9]+)\.ts/).flatMap { Int($0.1) } }.max() ?? 0

                    // Machine B: an empty directory, the same target; the marker file says before-1 again
                    // (a duplicate: refused) and after-1 once it runs.
                    let b = try LiveIngest.cuepoint(
                        arguments(second, markers: "b.jsonl"), folder: folder, environment: show.environment(), feeding: true,
                        label: "machine-b")
                    try SampleFeed.feed(b, 0..<SampleFeed.boundary(keyframes[3]))
                    guard SampleFeed.waitForSegments(second, atLeast: before.segments.count + 2) else {
                        throw RecordingProblem(description: "machine B recorded nothing:\n\(b.printed)")
                    }
                    let handle = try FileHandle(forWritingTo: folder.appendingPathComponent("b.jsonl"))
                    try handle.seekToEnd()
                    try handle.write(contentsOf: Self.marker("after-1"))
                    try handle.close()
                    try SampleFeed.feed(b, SampleFeed.boundary(keyframes[3])..<SampleFeed.boundary(keyframes[6]))
                    try SampleFeed.end(b)
                    try b.ended(within: 120)
                    return Run(job: b, before: before, storedBefore: storedBefore, highestOnStore: highest)
                }
                let b = run.job
                #expect(b.process.exitStatus == 0, "\(b.printed)")
                #expect(
                    b.stderr.contains("\(show.target) holds more of this show than \(second.path): the recording continues from the store's"),
                    "\(b.printed)")
                #expect(b.stdout.contains("(complete)"), "\(b.printed)")
                let playlists = try await offThePool { try expectStoreHoldsRecording(second, on: show, someMediaElsewhere: true) }
                let index = try #require(playlists["source"])
                let old = run.before.segments
                #expect(index.endList && index.playlistType == .event)
                #expect(index.mediaSequence == run.before.mediaSequence)
                #expect(Array(index.segments.prefix(old.count)).map(\.uri) == old.map(\.uri), "the published segments stay listed")
                let resumed = Array(index.segments.dropFirst(old.count))
                #expect(resumed.count >= 2, "\(index.segments.map(\.uri))")
                #expect(index.segments.indices.filter { index.segments[$0].discontinuity } == [old.count], "one DISCONTINUITY, at the restart")
                let numbers = resumed.compactMap { Int($0.uri.dropFirst(4).prefix(6)) }
                #expect(numbers.first.map { $0 > run.highestOnStore } == true, "new files after the store's highest (\(run.highestOnStore)): \(numbers)")
                let ranges = index.segments.flatMap(\.dateRanges).map(\.id)
                #expect(ranges.contains("before-1") && ranges.contains("after-1"), "\(ranges)")
                let log = show.get("markers.jsonl").text
                #expect(log.contains("\"before-1\"") && log.contains("\"after-1\""), "markers.jsonl kept and appended:\n\(log)")
                // Nothing machine A put on the store was overwritten.
                for (key, bytes) in run.storedBefore {
                    #expect(show.get(key).body == bytes, "\(key) changed on the store")
                }
                if GStreamer.isInstalled {
                    let vod = try await offThePool { try GStreamer.play("\(show.http)/source/index.m3u8") }
                    #expect(vod.ok, "GStreamer playing the resumed show from the store: \(vod.error)")
                }
            }
        }
    }
}
