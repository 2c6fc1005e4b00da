import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// Behind a real streaming server: nginx with Debian's RTMP module receives the publish and
    /// starts `cuepoint segment rtmp://…` (pulling the stream back from nginx) with `exec_push`,
    /// as docs/live.md shows. nginx runs from a temporary config on a free port as the current
    /// user; no system service is touched.
    @Suite("Behind nginx-rtmp", .ownThreads)
    struct StreamingServerTests {
        static let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        static var nginx: String? { ExternalProgram.which("nginx") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") ? "/usr/sbin/nginx" : nil) }
        static var available: Bool {
            nginx != nil && FileManager.default.fileExists(atPath: module) && LiveIngest.ffmpeg != nil
        }

        @Test(
            "nginx-rtmp exec_push runs cuepoint for each publish; the recording is finalised and plays",
            .enabled(if: StreamingServerTests.available, "needs nginx and libnginx-mod-rtmp (scripts/setup.sh --test) and ffmpeg"),
            .timeLimit(.minutes(3)))
        func execPushRecordsEachPublish() async throws {
            try await TemporaryDirectory.with(label: "nginx-rtmp") { folder in
                let port = LiveIngest.freePort()
                let cuepoint = try CuepointCLI.executable().path
                let script = folder.appendingPathComponent("ingest.sh")
                // The recipe of docs/live.md: `exec` so that nginx's signal reaches cuepoint.
                try """
                #!/bin/sh
                exec \(cuepoint) segment "rtmp://127.0.0.1:\(port)/live/$1" -o "\(folder.path)/out/$1" --segment 1s --timeout 3s \\
                    >"\(folder.path)/$1.stdout" 2>"\(folder.path)/$1.stderr"
                """.write(to: script, atomically: true, encoding: .utf8)
                chmod(script.path, 0o755)
                let config = folder.appendingPathComponent("nginx.conf")
                try """
                load_module \(Self.module);
                daemon off;
                \(getuid() == 0 ? "user root;" : "")
                pid \(folder.path)/nginx.pid;
                error_log \(folder.path)/error.log info;
                events { worker_connections 64; }
                rtmp {
                    server {
                        listen 127.0.0.1:\(port);
                        application live {
                            live on;
                            wait_key on;
                            exec_push \(script.path) $name;
                            exec_kill_signal term;
                        }
                    }
                }
                """.write(to: config, atomically: true, encoding: .utf8)
                let server = try LiveIngest.Job(
                    executable: URL(fileURLWithPath: try #require(Self.nginx)),
                    arguments: ["-p", folder.path, "-e", folder.appendingPathComponent("error.log").path, "-c", config.path],
                    folder: folder, label: "nginx")
                defer {
                    server.process.terminate()
                    server.wait(10)
                }
                let index = folder.appendingPathComponent("out/show/source/index.m3u8")
                let summary = folder.appendingPathComponent("show.stdout")
                let finished: Bool = await withCheckedContinuation { continuation in
                    Thread {
                        Thread.sleep(forTimeInterval: 0.5)
                        let publisher = try? LiveIngest.publish(
                            "rtmp://127.0.0.1:\(port)/live/show", format: "flv", seconds: 5, folder: folder, label: "publisher")
                        publisher?.wait(20)
                        // Finished: the final playlist, then the summary cuepoint prints after it (a
                        // slow build, such as a sanitized one, prints it a moment later).
                        continuation.resume(
                            returning: LiveIngest.poll(15) {
                                ((try? String(contentsOf: index, encoding: .utf8)) ?? "").hasSuffix("#EXT-X-ENDLIST\n")
                            }
                                && LiveIngest.poll(15) {
                                    ((try? String(contentsOf: summary, encoding: .utf8)) ?? "").contains("master playlist: ")
                                })
                    }.start()
                }
                let log = ((try? String(contentsOf: folder.appendingPathComponent("show.stderr"), encoding: .utf8)) ?? "")
                    + ((try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")
                try #require(finished, "no finished recording from the exec'd cuepoint:\n\(server.printed)\n\(log)")
                let output = folder.appendingPathComponent("out/show")
                let recording = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
                #expect(recording.rendition.playlist.playlistType == .event)
                let duration = recording.rendition.playlist.segments.reduce(0) { $0 + $1.durationMilliseconds }
                #expect(duration >= 1_000, "a recording of the publish: \(duration) ms")
                let stdout = (try? String(contentsOf: folder.appendingPathComponent("show.stdout"), encoding: .utf8)) ?? ""
                #expect(stdout.contains("master playlist: "), "cuepoint ended normally:\n\(stdout)\n\(log)")
                let decodeErrors = try LiveIngest.decodeErrors(output.appendingPathComponent("source/index.m3u8"))
                #expect(decodeErrors == "", "\(decodeErrors)")
            }
        }
    }
}
