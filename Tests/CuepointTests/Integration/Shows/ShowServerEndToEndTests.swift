import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// The show server end to end with real publishers on its own RTMP port: three at once
    /// (the `ffmpeg` program twice, GStreamer's `rtmp2sink` once), routed by stream key into
    /// three shows of one process; a second publisher for a live show refused; a marker posted to
    /// one show only in that show; a publisher that drops and returns continuing after
    /// EXT-X-DISCONTINUITY; the server killed with SIGKILL and started again, its shows resuming.
    @Suite("Show server: end to end", .ownThreads)
    struct ShowServerEndToEndTests {
        @Test(
            "three publishers on the server's RTMP port; markers per show; drop and return; SIGKILL and restart resume; SIGTERM finalises",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"),
            .enabled(if: RTMPPublishers.hasRTMP2Sink, "needs GStreamer's rtmp2sink (gstreamer1.0-plugins-bad)"),
            .timeLimit(.minutes(4)))
        func ownRTMPPort() async throws {
            try await offThePoolInFolder("shows-e2e") { folder in
                let data = folder.appendingPathComponent("data")
                let clip = try RTMPPublishers.makeTestClip(in: folder, seconds: 6)
                var server = try ShowServerProcess(data: data, folder: folder, extra: ["--reconnect-wait", "60s"])
                let ingest = try #require(server.ingest, "\(server.job.printed)")
                var shows: [String: [String: Any]] = [:]
                for id in ["alpha", "bravo", "charlie"] { shows[id] = try server.create(showDocument(id)) }
                func key(_ id: String) -> String { shows[id]!["stream_key"] as! String }
                #expect((shows["alpha"]!["urls"] as? [String: Any])?["ingest"] as? String == ingest + key("alpha"))

                let a = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: ingest + key("alpha"), folder: folder, label: "a")
                let b = try RTMPPublishers.ffmpeg(clip, to: ingest + key("bravo"), folder: folder, label: "b")
                let c = try RTMPPublishers.gstreamer(clip, to: ingest + key("charlie"), folder: folder, label: "c")
                for id in ["alpha", "bravo", "charlie"] {
                    #expect(server.waitFor(id, "live", 30), "\(id): \(server.show(id))\n\(server.job.printed)")
                }
                // A second publisher for a live show, and a key no show has.
                let second = try RTMPPublishers.ffmpeg(clip, to: ingest + key("alpha"), folder: folder, label: "second")
                let unknown = try RTMPPublishers.ffmpeg(clip, to: ingest + "not-a-show-key", folder: folder, label: "unknown")
                #expect(second.wait(30) && second.process.exitStatus != 0)
                #expect(second.stderr.contains("the stream key is already being published"), "\(second.printed)")
                #expect(unknown.wait(30) && unknown.process.exitStatus != 0)
                #expect(unknown.stderr.contains("Server error:"), "\(unknown.printed)")

                // A marker for alpha only.
                let marker = #"{"id":"knife","product":"SKU-KNF","title":"Chef's Knife","url":"https://shop.example.com/p/knife","duration":2}"#
                let placed = server.request(
                    "POST", "/shows/alpha/v1/markers", token: shows["alpha"]!["marker_token"] as? String, body: marker)
                #expect(placed.status == 201, "\(placed)")

                // bravo's publisher ends (6 s clip): reconnect wait; it comes back: DISCONTINUITY.
                #expect(b.wait(30) && b.process.exitStatus == 0, "\(b.printed)")
                #expect(server.waitFor("bravo", "reconnect_wait", 30), "\(server.show("bravo"))")
                let back = try RTMPPublishers.ffmpeg(clip, to: ingest + key("bravo"), folder: folder, label: "b-back")
                #expect(back.wait(30) && back.process.exitStatus == 0, "\(back.printed)")
                #expect(c.wait(30) && c.process.exitStatus == 0, "\(c.printed)")
                func index(_ id: String) -> String {
                    server.request("GET", "/shows/\(id)/source/index.m3u8", token: nil).body
                }
                #expect(LiveIngest.poll(20) { index("bravo").contains("#EXT-X-DISCONTINUITY") }, "\(index("bravo"))")
                #expect(LiveIngest.poll(20) { index("alpha").contains(#"ID="knife""#) }, "\(index("alpha"))")
                #expect(!index("bravo").contains("knife") && !index("charlie").contains("knife"))
                let master = server.request("GET", "/shows/charlie/master.m3u8", token: nil)
                #expect(master.status == 200 && master.body.contains("RESOLUTION=320x240"), "\(master)")
                let metrics = server.request("GET", "/metrics", token: nil).body
                #expect(metrics.contains(#"cuepoint_markers_accepted_total{show="alpha",source="api"} 1"#), "\(metrics)")

                // SIGKILL while alpha is live: nothing is finalised; the restarted server resumes it.
                let segmentsBefore = try MediaPlaylist(parsing: index("alpha")).segments.count
                server.kill()
                _ = a.wait(30)
                server = try ShowServerProcess(data: data, folder: folder, label: "restarted")
                let restartedIngest = try #require(server.ingest)
                #expect(server.waitFor("alpha", "waiting_for_publisher", 30), "\(server.show("alpha"))\n\(server.job.printed)")
                let again = try RTMPPublishers.ffmpeg(clip, to: restartedIngest + key("alpha"), folder: folder, label: "a-again")
                #expect(again.wait(30) && again.process.exitStatus == 0, "\(again.printed)")
                #expect(server.stderrMentions("resuming the unfinished recording"), "\(server.job.printed)")
                // bravo ends through the API; alpha (its publisher gone again: reconnect wait) is
                // finalised by the server's graceful stop; charlie, which had no publisher since the
                // restart, stays unfinished for the next start.
                #expect(server.waitFor("alpha", "reconnect_wait", 30), "\(server.show("alpha"))")
                #expect(server.request("POST", "/v1/shows/bravo/end").status == 202)
                #expect(server.waitFor("bravo", "finished", 30), "\(server.show("bravo"))")
                #expect(server.state("charlie") == "waiting_for_publisher", "\(server.show("charlie"))")
                #expect(server.stop())
                #expect(server.job.process.exitStatus == 0, "\(server.job.printed)")
                let alpha = data.appendingPathComponent("recordings/alpha/source/index.m3u8")
                let text = try String(contentsOf: alpha, encoding: .utf8)
                let resumed = try MediaPlaylist(parsing: text)
                #expect(resumed.endList, "SIGTERM finalised it")
                #expect(resumed.segments.count > segmentsBefore, "the recording continued after the restart")
                #expect(resumed.segments.contains { $0.discontinuity }, "the restart is a discontinuity")
                #expect(text.contains(#"ID="knife""#), "the marker survived the restart")
                func kept(_ id: String) throws -> String {
                    try String(contentsOf: data.appendingPathComponent("shows/\(id)/show.json"), encoding: .utf8)
                }
                #expect(try kept("alpha").contains(#""state" : "finished""#))
                #expect(try kept("bravo").contains(#""state" : "finished""#))
                #expect(try kept("charlie").contains(#""state" : "active""#), "resumed by the next start")
            }
        }
    }
}

extension ShowServerProcess {
    func stderrMentions(_ text: String) -> Bool { LiveIngest.poll(10) { self.job.stderr.contains(text) } }
}
