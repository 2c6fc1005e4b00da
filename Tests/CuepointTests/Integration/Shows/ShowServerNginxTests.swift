import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// The show server behind real nginx with Debian's libnginx-mod-rtmp: publishers go to
    /// nginx, whose `on_publish` asks the show server (2xx only for a show's stream key), which
    /// then pulls the stream from nginx in-process; `on_publish_done` and the pull's drop start
    /// the reconnect wait, and a publisher that comes back continues the show.
    @Suite("Show server: behind nginx-rtmp", .ownThreads)
    struct ShowServerNginxTests {
        static let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        static var hasNginx: Bool { ExternalProgram.which("nginx") != nil && FileManager.default.fileExists(atPath: module) }

        @Test(
            "three publishers through nginx's on_publish hook; an unknown key refused by nginx; a drop and return continues the show",
            .enabled(if: RTMPPublishers.canPublish, "needs ffmpeg and ffprobe"),
            .enabled(if: RTMPPublishers.hasRTMP2Sink, "needs GStreamer's rtmp2sink (gstreamer1.0-plugins-bad)"),
            .enabled(if: hasNginx, "needs nginx and libnginx-mod-rtmp (scripts/setup.sh --test)"),
            .timeLimit(.minutes(4)))
        func behindNginx() async throws {
            try await offThePoolInFolder("shows-nginx") { folder in
                let clip = try RTMPPublishers.makeTestClip(in: folder, seconds: 6)
                let server = try ShowServerProcess(
                    data: folder.appendingPathComponent("data"), folder: folder, rtmp: false,
                    extra: ["--reconnect-wait", "60s"])
                let nginx = try Self.startNginx(in: folder, hooks: server.base)
                defer {
                    nginx.process.terminate()
                    nginx.process.waitUntilExit()
                }
                let base = "rtmp://127.0.0.1:\(nginx.port)/live/"
                var keys: [String: String] = [:]
                for id in ["delta", "echo", "foxtrot"] {
                    let show = try server.create(showDocument(id))
                    keys[id] = show["stream_key"] as? String
                    #expect((show["urls"] as? [String: Any])?["ingest"] == nil, "nginx is the publish target")
                    #expect((show["input"] as? [String: Any])?["kind"] as? String == "hook")
                }
                let d = try RTMPPublishers.ffmpeg(SampleInput.mp4.path, to: base + keys["delta"]!, folder: folder, label: "d")
                let e = try RTMPPublishers.ffmpeg(clip, to: base + keys["echo"]!, folder: folder, label: "e")
                let f = try RTMPPublishers.gstreamer(clip, to: base + keys["foxtrot"]!, folder: folder, label: "f")
                for id in ["delta", "echo", "foxtrot"] {
                    #expect(server.waitFor(id, "live", 30), "\(id): \(server.show(id))\n\(server.job.printed)")
                }
                let unknown = try RTMPPublishers.ffmpeg(clip, to: base + "not-a-show-key", folder: folder, label: "unknown")
                #expect(unknown.wait(30) && unknown.process.exitStatus != 0, "nginx refused it: \(unknown.printed)")
                // echo's publisher ends and comes back to nginx: the show continues after a discontinuity.
                #expect(e.wait(30), "\(e.printed)")
                #expect(server.waitFor("echo", "reconnect_wait", 30), "\(server.show("echo"))")
                let back = try RTMPPublishers.ffmpeg(clip, to: base + keys["echo"]!, folder: folder, label: "e-back")
                #expect(server.waitFor("echo", "live", 30), "\(server.show("echo"))\n\(server.job.printed)")
                for publisher in [d, f, back] { #expect(publisher.wait(60), "\(publisher.printed)") }
                for id in ["delta", "echo", "foxtrot"] {
                    #expect(server.request("POST", "/v1/shows/\(id)/end").status == 202, "\(id)")
                    #expect(server.waitFor(id, "finished", 30), "\(id): \(server.show(id))")
                }
                func index(_ id: String) throws -> MediaPlaylist {
                    try MediaPlaylist(parsing: server.request("GET", "/shows/\(id)/source/index.m3u8", token: nil).body)
                }
                for id in ["delta", "echo", "foxtrot"] {
                    let playlist = try index(id)
                    #expect(playlist.endList && playlist.segments.count >= 2, "\(id): \(playlist.segments.count) segments")
                }
                #expect(try index("echo").segments.contains { $0.discontinuity }, "the return is a discontinuity")
                let master = server.request("GET", "/shows/foxtrot/master.m3u8", token: nil).body
                #expect(master.contains("RESOLUTION=320x240"), "foxtrot recorded its own publisher: \(master)")
                #expect(server.stop())
                #expect(server.job.process.exitStatus == 0, "\(server.job.printed)")
            }
        }

        /// nginx on a free port with a temporary configuration: one worker, `live on`, the show
        /// server's hooks (as in Benchmarks/rtmp.py, plus the hooks).
        static func startNginx(in folder: URL, hooks: String) throws -> (process: Process, port: Int) {
            let port = LiveIngest.freePort()
            let work = folder.appendingPathComponent("nginx")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let configuration = """
                load_module \(module);
                daemon off;
                master_process on;
                worker_processes 1;
                pid \(work.path)/nginx.pid;
                error_log \(work.path)/nginx-error.log warn;
                events { worker_connections 1024; }
                rtmp {
                    server {
                        listen 127.0.0.1:\(port);
                        application live {
                            live on;
                            on_publish \(hooks)/v1/hooks/nginx/on_publish?rtmp=127.0.0.1:\(port);
                            on_publish_done \(hooks)/v1/hooks/nginx/on_publish_done;
                        }
                    }
                }

                """
            let file = work.appendingPathComponent("nginx.conf")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ExternalProgram.which("nginx")!)
            process.arguments = ["-c", file.path, "-p", work.path, "-e", work.appendingPathComponent("nginx-error.log").path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            guard LiveIngest.poll(10, { OwnRTMPPipelineTests.accepts(port) }) else {
                process.terminate()
                throw ShowServerFailure(message: "nginx did not listen on \(port)")
            }
            return (process, port)
        }
    }
}
