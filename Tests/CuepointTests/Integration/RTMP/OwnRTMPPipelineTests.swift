import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// Pipelines with `input.rtmp_server: cuepoint`: `cuepoint run A.yaml B.yaml`, both
    /// listening on one port through Cuepoint's own RTMP server, each taking the publisher of
    /// its own stream key (FFmpeg's listener would take one connection for the whole port).
    @Suite("Pipelines on Cuepoint's RTMP server", .ownThreads)
    struct OwnRTMPPipelineTests {
        @Test(
            "two pipelines on one port: each records its own publisher (ffmpeg, GStreamer); a wrong key and a second publisher are refused",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"),
            .enabled(if: RTMPPublishers.hasRTMP2Sink, "needs GStreamer's rtmp2sink (gstreamer1.0-plugins-bad)"),
            .timeLimit(.minutes(3)))
        func twoPipelinesOnePort() async throws {
            try await TemporaryDirectory.with(label: "rtmp-pipelines") { folder in
                let port = LiveIngest.freePort()
                func write(_ name: String, key: String) throws -> String {
                    let path = folder.appendingPathComponent("\(name).yaml").path
                    let text = """
                        version: 1
                        name: \(name)
                        input:
                          url: rtmp://127.0.0.1:\(port)/live/\(key)
                          listen: true
                          rtmp_server: cuepoint
                          timeout: 5s
                        output:
                          directory: out
                          segment: 2s

                        """
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    return path
                }
                let first = try write("first", key: "key-first")
                let second = try write("second", key: "key-second")
                let clip = try RTMPPublishers.makeTestClip(in: folder)
                let out = folder.appendingPathComponent("out")
                let (job, wrong, again) = try await offThePool {
                    let job = try LiveIngest.cuepoint(["run", first, second, "--output", out.path], folder: folder)
                    // Listening once a connection is accepted (and closed: an empty connection is harmless).
                    #expect(LiveIngest.poll(30) { Self.accepts(port) }, "\(job.printed)")
                    let base = "rtmp://127.0.0.1:\(port)/live/"
                    let a = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: base + "key-first", folder: folder, label: "a")
                    let b = try RTMPPublishers.gstreamer(clip, to: base + "key-second", folder: folder, label: "b")
                    // Once the first publisher is in (its recording has begun): a wrong key, and its key again.
                    _ = LiveIngest.poll(30) {
                        FileManager.default.fileExists(atPath: out.appendingPathComponent("first/source").path)
                    }
                    let wrong = try RTMPPublishers.ffmpeg(clip, to: base + "key-third", folder: folder, label: "wrong")
                    let again = try RTMPPublishers.ffmpeg(clip, to: base + "key-first", folder: folder, label: "again")
                    for publisher in [wrong, again, a, b] { #expect(publisher.wait(60), "\(publisher.printed)") }
                    #expect(a.process.exitStatus == 0, "\(a.printed)")
                    #expect(b.process.exitStatus == 0, "\(b.printed)")
                    #expect(job.wait(60), "\(job.printed)")
                    return (job, wrong, again)
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(!job.printed.contains("key-first") && !job.printed.contains("key-second"), "keys are never printed")
                #expect(wrong.process.exitStatus != 0)
                #expect(wrong.stderr.contains("Server error: the stream key is not the one this recording waits for"), "\(wrong.printed)")
                #expect(job.stderr.contains("refused an RTMP publisher from 127.0.0.1:"), "\(job.printed)")
                #expect(job.stderr.contains("for \"live/key-third\" (the stream key is not the one"), "\(job.printed)")
                #expect(again.process.exitStatus != 0)
                #expect(again.stderr.contains("Server error: the stream key is already being published"), "\(again.printed)")
                #expect(job.stderr.contains("for \"live/***\" (the stream key is already being published"), "\(job.printed)")

                for (name, width) in [("first", 640), ("second", 320)] {
                    let recording = out.appendingPathComponent(name)
                    let index = try MediaPlaylist(
                        parsing: String(contentsOf: recording.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                    #expect(index.endList && index.segments.count >= 2, "\(name): \(index.segments.map(\.uri))")
                    let segment = recording.appendingPathComponent("source/\(index.segments[0].uri)").path
                    let video = try FFprobe.streams(of: segment).first { $0.codecType == "video" }
                    #expect(video?.width == width, "\(name) recorded its own publisher")
                }
            }
        }

        /// Whether something accepts TCP connections on 127.0.0.1:`port`.
        static func accepts(_ port: Int) -> Bool {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
    }
}
