import CuepointTestSupport
import Cuepoint
import CuepointFFmpeg
import CuepointRTMP
import Foundation
import Testing

extension Integration {
    /// Cuepoint's own RTMP server (`CuepointRTMP`) with real publishers: the `ffmpeg` program and
    /// GStreamer's `rtmp2sink`, two independent RTMP implementations, publish into one port;
    /// libavformat's FLV demuxer reads each session through the custom AVIO, as a pipeline does,
    /// and what it reads is compared with what ffprobe reads from the published file (for
    /// GStreamer: from the FLV its own muxer writes of that file).
    @Suite("Own RTMP server", .serialized, .ownThreads)
    struct OwnRTMPServerTests {
        static func start(_ router: any PublishRouter, _ adjust: (inout RTMPServer.Configuration) -> Void = { _ in }) async throws
            -> (RTMPServer, Int)
        {
            var configuration = RTMPServer.Configuration(host: "127.0.0.1", port: 0)
            adjust(&configuration)
            let server = RTMPServer(configuration: configuration, router: router)
            return (server, try await server.start())
        }

        @Test(
            "three publishers at once on one port (ffmpeg twice, GStreamer once), each routed by its key, every frame demuxed",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"),
            .enabled(if: RTMPPublishers.hasRTMP2Sink, "needs GStreamer's rtmp2sink (gstreamer1.0-plugins-bad)"),
            .timeLimit(.minutes(3)))
        func threePublishers() async throws {
            try await TemporaryDirectory.with(label: "rtmp-three") { folder in
                let router = DemuxingRouter(keys: ["show-a", "show-b", "show-c"])
                let (server, port) = try await Self.start(router)
                let sample = SampleInput.mp4.path
                let clip = try RTMPPublishers.makeTestClip(in: folder)
                let base = "rtmp://127.0.0.1:\(port)/live/"
                let sessions = try await offThePool {
                    let a = try RTMPPublishers.ffmpeg(sample, to: base + "show-a", folder: folder, label: "a")
                    let b = try RTMPPublishers.ffmpeg(clip, to: base + "show-b", folder: folder, label: "b")
                    let c = try RTMPPublishers.gstreamer(sample, to: base + "show-c", folder: folder, label: "c")
                    for job in [a, b, c] {
                        #expect(job.wait(60), "\(job.stderr)")
                        #expect(job.process.exitStatus == 0, "\(job.stderr)")
                    }
                    return router.finished(within: 30)
                }
                await server.stop()
                #expect(sessions.count == 3)
                let byKey = Dictionary(uniqueKeysWithValues: sessions.map { ($0.key, $0) })
                let sampleStreams = [
                    DemuxedSession.Stream(type: "video", codec: "h264", width: 640, height: 360, sampleRate: 0),
                    DemuxedSession.Stream(type: "audio", codec: "aac", width: 0, height: 0, sampleRate: 48000),
                ]
                let clipStreams = [
                    DemuxedSession.Stream(type: "video", codec: "h264", width: 320, height: 240, sampleRate: 0),
                    DemuxedSession.Stream(type: "audio", codec: "aac", width: 0, height: 0, sampleRate: 44100),
                ]
                let sampleReference = try ReferencePackets(of: sample)
                let clipReference = try ReferencePackets(of: clip)
                let gstreamerReference = try ReferencePackets(of: RTMPPublishers.gstreamerReference(sample, folder: folder))
                for (key, streams, reference) in [
                    ("show-a", sampleStreams, sampleReference), ("show-b", clipStreams, clipReference),
                    ("show-c", sampleStreams, gstreamerReference),
                ] {
                    let session = try #require(byKey[key], "no session for \(key)")
                    #expect(session.failure == nil, "\(key): \(session.failure ?? "")")
                    // GStreamer's flvmux also sends its metadata again later, with a timestamp,
                    // which the FLV demuxer turns into a text stream (so does FFmpeg's RTMP input).
                    let media = session.streams.filter { $0.type == "video" || $0.type == "audio" }
                    #expect(media.sorted { $0.type > $1.type } == streams, "\(key)")
                    // Both publishers end with deleteStream/FCUnpublish.
                    #expect(session.end == .unpublished, "\(key): \(String(describing: session.end))")
                    reference.expectSame(as: session)
                }
            }
        }

        @Test(
            "GStreamer with chunk size 1 and with the largest chunk size: every frame arrives",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"),
            .enabled(if: RTMPPublishers.hasRTMP2Sink, "needs GStreamer's rtmp2sink (gstreamer1.0-plugins-bad)"),
            .timeLimit(.minutes(3)), arguments: [1, 2_147_483_647])
        func chunkSizes(chunkSize: Int) async throws {
            try await TemporaryDirectory.with(label: "rtmp-chunk-\(chunkSize)") { folder in
                let router = DemuxingRouter(keys: ["chunky"])
                let (server, port) = try await Self.start(router)
                let clip = try RTMPPublishers.makeTestClip(in: folder, seconds: 3)
                let sessions = try await offThePool {
                    let job = try RTMPPublishers.gstreamer(
                        clip, to: "rtmp://127.0.0.1:\(port)/live/chunky", chunkSize: chunkSize, folder: folder, label: "gst")
                    #expect(job.wait(90), "\(job.stderr)")
                    #expect(job.process.exitStatus == 0, "\(job.stderr)")
                    return router.finished(within: 30)
                }
                await server.stop()
                let session = try #require(sessions.first)
                #expect(session.chunkSize == chunkSize)
                #expect(session.failure == nil, "\(session.failure ?? "")")
                try ReferencePackets(of: RTMPPublishers.gstreamerReference(clip, folder: folder)).expectSame(as: session)
            }
        }

        @Test(
            "a wrong key and a second publisher for a live key: the ffmpeg publisher fails with the server's error status",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"), .timeLimit(.minutes(2)))
        func refusedPublishers() async throws {
            try await TemporaryDirectory.with(label: "rtmp-refused") { folder in
                let router = DemuxingRouter(keys: ["live-key"])
                let (server, port) = try await Self.start(router)
                let base = "rtmp://127.0.0.1:\(port)/live/"
                let (wrong, second, first) = try await offThePool {
                    let wrong = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: base + "nope", folder: folder, label: "wrong")
                    #expect(wrong.wait(30))
                    let first = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: base + "live-key", folder: folder, label: "first")
                    _ = LiveIngest.poll(10) { server.liveStreams == ["live/live-key"] }
                    let second = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: base + "live-key", folder: folder, label: "second")
                    #expect(second.wait(30))
                    kill(first.process.processIdentifier, SIGKILL)
                    #expect(first.wait(30))
                    return (wrong, second, first)
                }
                _ = router.finished(within: 30)
                await server.stop()
                #expect(wrong.process.exitStatus != 0)
                #expect(wrong.stderr.contains("Server error: no show has the stream key nope"), "\(wrong.printed)")
                #expect(second.process.exitStatus != 0)
                #expect(second.stderr.contains("Server error: the stream key is already being published"), "\(second.printed)")
                #expect(first.stderr.isEmpty || !first.stderr.contains("Server error"), "\(first.printed)")
            }
        }

        @Test(
            "a client that plays instead of publishing is refused with NetStream.Play.Failed",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"), .timeLimit(.minutes(1)))
        func player() async throws {
            try await TemporaryDirectory.with(label: "rtmp-play") { folder in
                let router = DemuxingRouter(keys: ["live-key"])
                let (server, port) = try await Self.start(router)
                let player = try await offThePool {
                    let job = try RTMPPublishers.ffmpegPlayer("rtmp://127.0.0.1:\(port)/live/live-key", folder: folder, label: "play")
                    #expect(job.wait(30))
                    return job
                }
                await server.stop()
                #expect(player.process.exitStatus != 0)
                #expect(player.stderr.contains("Server error: this RTMP server takes publishers only"), "\(player.printed)")
            }
        }

        @Test(
            "a publisher that drops: the session ends as the publisher left, and everything before the drop is demuxed",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"), .timeLimit(.minutes(1)))
        func publisherDrops() async throws {
            try await TemporaryDirectory.with(label: "rtmp-drop") { folder in
                let router = DemuxingRouter(keys: ["drop"])
                let (server, port) = try await Self.start(router)
                let sessions = try await offThePool {
                    let job = try RTMPPublishers.ffmpeg(
                        SampleInput.mp4.path, to: "rtmp://127.0.0.1:\(port)/live/drop", folder: folder, label: "drop")
                    _ = LiveIngest.poll(20) { server.liveStreams == ["live/drop"] }
                    Thread.sleep(forTimeInterval: 3)
                    kill(job.process.processIdentifier, SIGKILL)
                    #expect(job.wait(10))
                    return router.finished(within: 30)
                }
                await server.stop()
                let session = try #require(sessions.first)
                #expect(session.end == .publisherLeft)
                #expect(session.failure == nil, "\(session.failure ?? "")")
                // What arrived before the drop is the start of the file, unchanged.
                let reference = try ReferencePackets(of: SampleInput.mp4.path)
                reference.expectSame(as: session, prefix: true)
                #expect((session.packets["video"]?.count ?? 0) < reference.video.count)
            }
        }
    }
}
