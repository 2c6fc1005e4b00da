import CuepointTestSupport
import CuepointHLS
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// A live show with captions published to an object store: the subtitle renditions reach the
    /// store as the media does, with the headers a CDN needs.
    @Suite("Publishing subtitles", .serialized, .ownThreads)
    struct SubtitlePublishTests {
        @Test(
            "a live pipe:0 show with --captions and --publish s3://…: subtitle segments and playlists on SeaweedFS, text/vtt, immutable segments",
            .enabled(if: PublishTools.ready, "needs SeaweedFS (scripts/setup.sh --test), ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func subtitlesOnSeaweedFS() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-subtitles") { folder in
                let show = StoreShow(server: server, label: "subtitles")
                let output = folder.appendingPathComponent("out")
                let captions = Repository.sampleMedia("captions.en.vtt").path
                let job = try await offThePool { () throws -> LiveIngest.Job in
                    let job = try LiveIngest.cuepoint(
                        ["segment", "pipe:0", "--live", "-o", output.path, "--segment", "2s", "--captions", "\(captions):en",
                         "--publish", show.target], folder: folder, environment: show.environment(), feeding: true)
                    try SampleFeed.feed(job, 0..<SampleFeed.bytes.count)
                    try SampleFeed.end(job)
                    try job.ended(within: 60)
                    return job
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("published: \(show.target): ") && job.stdout.contains("(complete)"), "\(job.printed)")
                try await offThePool {
                    try expectStoreHoldsRecording(output, on: show)
                    let master = try MultivariantPlaylist(parsing: show.get("master.m3u8").text)
                    #expect(master.renditions.map(\.uri) == ["subtitles/en/index.m3u8"])
                    #expect(master.variants.allSatisfy { $0.subtitles == "subs" })
                    for name in ["index.m3u8", "live.m3u8"] {
                        let stored = show.get("subtitles/en/\(name)")
                        let local = try String(contentsOf: output.appendingPathComponent("subtitles/en/\(name)"), encoding: .utf8)
                        #expect(stored.status == 200 && stored.text == local, "subtitles/en/\(name): the store's is the final local one")
                        #expect(stored.headers["content-type"] == "application/vnd.apple.mpegurl")
                        #expect(stored.headers["cache-control"] == "max-age=86400", "a finished playlist is long-lived")
                    }
                    let playlist = try MediaPlaylist(parsing: show.get("subtitles/en/index.m3u8").text)
                    #expect(playlist.endList && playlist.segments.count >= 5, "\(playlist.segments.count) segments")
                    for segment in playlist.segments {
                        let answer = show.get("subtitles/en/\(segment.uri)")
                        let bytes = FileManager.default.contents(atPath: output.appendingPathComponent("subtitles/en/\(segment.uri)").path)
                        #expect(answer.status == 200 && answer.body == bytes, "subtitles/en/\(segment.uri)")
                        #expect(answer.headers["content-type"] == "text/vtt", "\(segment.uri)")
                        #expect(answer.headers["cache-control"] == "max-age=1209600, immutable", "\(segment.uri)")
                    }
                    let cue = try #require(
                        playlist.segments.first { show.get("subtitles/en/\($0.uri)").text.contains("This grinder set") },
                        "a cue of the caption file reaches the store")
                    #expect(show.get("subtitles/en/\(cue.uri)").text.contains("X-TIMESTAMP-MAP=MPEGTS:"))
                }
            }
        }
    }
}
