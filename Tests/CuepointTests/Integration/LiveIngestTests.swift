import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Live ingest end to end: `cuepoint segment URL --listen --serve` as a user runs it, the
    /// `ffmpeg` program publishing SampleMedia in real time over RTMP or SRT, a player following
    /// the served live playlist over HTTP, publishers that drop and reconnect, and the bad
    /// publishers a live server meets (a wrong key, a second publisher, garbage, a stall).
    @Suite("Live ingest", .ownThreads)
    struct LiveIngestTests {
        static let key = "k3y-\(UUID().uuidString.prefix(8))"

        @Test(
            "RTMP: wrong key refused, second publisher refused, drop and reconnect → one event recording with a discontinuity",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func rtmpPublishDropReconnect() async throws {
            try await TemporaryDirectory.with(label: "live-rtmp") { folder in
                let seen = await withCheckedContinuation { continuation in
                    Thread { continuation.resume(returning: Result { try Self.driveRTMP(folder) }) }.start()
                }
                let (job, player, wrong, second) = try seen.get()
                let output = folder.appendingPathComponent("out")
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(!job.printed.contains(Self.key), "the stream key is never printed:\n\(job.printed)")

                // A wrong key: refused (the publisher fails), named in a warning, and the job kept waiting.
                #expect(wrong.process.exitStatus != 0, "the wrong-key publisher was refused:\n\(wrong.printed)")
                #expect(
                    job.stderr.contains("refused an RTMP publisher with the wrong stream key \"wrong-key\""), "\(job.printed)")
                // A second publisher while one is live: the OS refuses the connection (FFmpeg's listener
                // accepts one connection and closes its listening socket).
                #expect(second.process.exitStatus != 0)
                #expect(second.stderr.contains("Connection refused"), "\(second.printed)")

                // The player: the live playlist reloaded, MEDIA-SEQUENCE never going back, every
                // downloaded segment playable.
                #expect(player.problems.isEmpty, "\(player.problems)")
                #expect(player.sequences == player.sequences.sorted(), "\(player.sequences)")
                #expect(player.segments.count >= 3, "segments seen over HTTP: \(player.segments.keys.sorted())")
                try LiveIngest.expectPlayableSegments(player.segments, folder: folder)

                // The recording: one EVENT playlist, finished, a discontinuity where the second
                // publisher started, a fresh PROGRAM-DATE-TIME there, sequence numbers continuing.
                let index = try MediaPlaylist(
                    parsing: String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                #expect(index.playlistType == .event && index.endList)
                let breaks = index.segments.indices.filter { index.segments[$0].discontinuity }
                #expect(breaks.count == 1, "one EXT-X-DISCONTINUITY: \(index.segments.map(\.uri))")
                if let at = breaks.first, at > 0 {
                    let before = index.segments[at - 1], after = index.segments[at]
                    let end = before.programDateTime!.millisecondsSince1970 + before.durationMilliseconds
                    #expect(after.programDateTime!.millisecondsSince1970 >= end, "PROGRAM-DATE-TIME never goes back")
                }
                #expect(
                    index.segments.map(\.uri) == (1...index.segments.count).map { String(format: "seg_%06d.ts", $0) },
                    "media sequence numbers continue across the reconnect")
                try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
                let decodeErrors = try LiveIngest.decodeErrors(output.appendingPathComponent("source/index.m3u8"))
                #expect(decodeErrors == "", "ffmpeg -v error -i index.m3u8 -f null -:\n\(decodeErrors)")
                try expectPlays(output.appendingPathComponent("source/index.m3u8"))
                let state = try String(contentsOf: output.appendingPathComponent("recording.json"), encoding: .utf8)
                #expect(state.contains("\"complete\" : true"), "\(state)")
            }
        }

        /// Publishes a wrong key, then the right one (a second publisher tries meanwhile), kills
        /// it once segments are served, publishes again, and stops the job during the reconnect wait.
        static func driveRTMP(_ folder: URL) throws -> (LiveIngest.Job, LiveIngest.Player, LiveIngest.Job, LiveIngest.Job) {
            let port = LiveIngest.freePort()
            let url = "rtmp://127.0.0.1:\(port)/live/\(key)"
            let job = try LiveIngest.cuepoint(
                [
                    "segment", url, "--listen", "-o", folder.appendingPathComponent("out").path, "--segment", "1s",
                    "--serve", "127.0.0.1:0", "--reconnect-wait", "30s", "--timeout", "3s",
                ], folder: folder)
            guard let root = job.servedRoot() else { throw RecordingProblem(description: "no serving line:\n\(job.printed)") }
            Thread.sleep(forTimeInterval: 0.3)  // the listener opens after the server

            let wrong = try LiveIngest.publish(
                "rtmp://127.0.0.1:\(port)/live/wrong-key", format: "flv", seconds: 2, folder: folder, label: "wrong")
            wrong.wait(15)
            _ = LiveIngest.poll(5) { job.stderr.contains("wrong stream key") }

            let player = LiveIngest.Player(root: root)
            player.start()
            let first = try LiveIngest.publish(url, format: "flv", seconds: 20, folder: folder, label: "first")
            // Live: served segments over HTTP; then a second publisher tries the same URL.
            guard LiveIngest.poll(20, { player.segments.count >= 2 }) else {
                throw RecordingProblem(description: "no segments served:\n\(job.printed)\n\(first.printed)")
            }
            let second = try LiveIngest.publish(url, format: "flv", seconds: 2, folder: folder, label: "second")
            second.wait(15)
            // The publisher dies without a goodbye.
            kill(first.process.processIdentifier, SIGKILL)
            first.wait(5)
            _ = LiveIngest.poll(10) { job.stderr.contains("waiting up to") }

            let count = player.segments.count
            let third = try LiveIngest.publish(url, format: "flv", seconds: 3, folder: folder, label: "third")
            _ = LiveIngest.poll(20) { job.stderr.contains("reconnected") }
            third.wait(20)
            _ = LiveIngest.poll(10) { player.segments.count > count + 1 }
            // The third publisher ended: the job waits for another; SIGINT ends the wait.
            _ = LiveIngest.poll(10) { job.stderr.components(separatedBy: "waiting up to").count >= 3 }
            player.stop()
            job.process.interrupt()
            job.wait(30)
            return (job, player, wrong, second)
        }

        @Test(
            "SRT listener with a passphrase: a wrong passphrase is refused, the publisher's end is a drop, the wait expires and the recording is finalised",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func srtListenerFinalisesAfterTheWait() async throws {
            try await TemporaryDirectory.with(label: "live-srt") { folder in
                let job: LiveIngest.Job = try await withCheckedThrowingContinuation { continuation in
                    Thread {
                        continuation.resume(with: Result {
                            let port = LiveIngest.freePort(udp: true)
                            let passphrase = "pass-\(UUID().uuidString.prefix(12))"
                            let job = try LiveIngest.cuepoint(
                                [
                                    "segment", "srt://127.0.0.1:\(port)", "--listen", "--passphrase-env", "TEST_SRT_PASSPHRASE",
                                    "-o", folder.appendingPathComponent("out").path, "--segment", "1s",
                                    "--reconnect-wait", "1s", "--timeout", "2s", "--serve", "127.0.0.1:0",
                                ], folder: folder, environment: ["TEST_SRT_PASSPHRASE": passphrase])
                            guard let root = job.servedRoot() else { return job }
                            Thread.sleep(forTimeInterval: 0.3)
                            let wrong = try LiveIngest.publish(
                                "srt://127.0.0.1:\(port)?passphrase=wrong-passphrase-123&connect_timeout=1000", format: "mpegts",
                                seconds: 1, input: SampleInput.ts.path, folder: folder, label: "wrong")
                            wrong.wait(15)
                            let player = LiveIngest.Player(root: root)
                            player.start()
                            let publisher = try LiveIngest.publish(
                                "srt://127.0.0.1:\(port)?passphrase=\(passphrase)", format: "mpegts", seconds: 4,
                                input: SampleInput.ts.path, folder: folder, label: "srt")
                            publisher.wait(30)
                            job.wait(30)
                            player.stop()
                            try LiveIngest.expectPlayableSegments(player.segments, folder: folder)
                            #expect(player.segments.count >= 2, "segments seen over HTTP: \(player.segments.keys.sorted())")
                            #expect(wrong.process.exitStatus != 0, "a wrong passphrase is refused:\n\(wrong.printed)")
                            #expect(!job.printed.contains(passphrase))
                            return job
                        })
                    }.start()
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stderr.contains("no source within 1s; the recording is finalised"), "\(job.printed)")
                let output = folder.appendingPathComponent("out")
                let recording = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
                #expect(recording.rendition.playlist.endList)
                let decodeErrors = try LiveIngest.decodeErrors(output.appendingPathComponent("source/index.m3u8"))
                #expect(decodeErrors == "", "ffmpeg -v error -i index.m3u8 -f null -:\n\(decodeErrors)")
            }
        }

        @Test(
            "UDP MPEG-TS: the read timeout ends a connection, a new sender continues after EXT-X-DISCONTINUITY, the wait expires and the recording is finalised",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func udpDropAndReconnect() async throws {
            try await TemporaryDirectory.with(label: "live-udp") { folder in
                let job: LiveIngest.Job = try await withCheckedThrowingContinuation { continuation in
                    Thread {
                        continuation.resume(with: Result {
                            let port = LiveIngest.freePort(udp: true)
                            let job = try LiveIngest.cuepoint(
                                [
                                    "segment", "udp://127.0.0.1:\(port)", "--listen", "-o",
                                    folder.appendingPathComponent("out").path, "--segment", "1s", "--timeout", "2s",
                                    "--reconnect-wait", "4s",
                                ], folder: folder)
                            Thread.sleep(forTimeInterval: 1)
                            for label in ["first", "second"] {
                                let sender = try LiveIngest.publish(
                                    "udp://127.0.0.1:\(port)?pkt_size=1316", format: "mpegts", seconds: 3,
                                    input: SampleInput.ts.path, folder: folder, label: label)
                                sender.wait(30)
                                // Longer than the read timeout: the first sender's end is a drop.
                                if label == "first" { Thread.sleep(forTimeInterval: 3) }
                            }
                            job.wait(30)
                            return job
                        })
                    }.start()
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stderr.contains("a source reconnected"), "\(job.printed)")
                #expect(job.stderr.contains("no source within 4s; the recording is finalised"), "\(job.printed)")
                let output = folder.appendingPathComponent("out")
                let recording = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
                #expect(recording.rendition.playlist.endList)
                #expect(recording.rendition.discontinuityCount == 1)
                let decodeErrors = try LiveIngest.decodeErrors(output.appendingPathComponent("source/index.m3u8"))
                #expect(decodeErrors == "", "ffmpeg -v error -i index.m3u8 -f null -:\n\(decodeErrors)")
            }
        }

        @Test(
            "RTMP bad publishers: garbage and a stalled handshake are refused, a stall mid-stream is a drop; SIGINT while waiting exits 0",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func rtmpBadPublishers() async throws {
            try await TemporaryDirectory.with(label: "live-bad") { folder in
                let job: LiveIngest.Job = try await withCheckedThrowingContinuation { continuation in
                    Thread {
                        continuation.resume(with: Result {
                            let port = LiveIngest.freePort()
                            let url = "rtmp://127.0.0.1:\(port)/live/\(Self.key)"
                            let job = try LiveIngest.cuepoint(
                                [
                                    "segment", url, "--listen", "-o", folder.appendingPathComponent("out").path,
                                    "--segment", "1s", "--reconnect-wait", "30s", "--timeout", "1s",
                                ], folder: folder)
                            Thread.sleep(forTimeInterval: 1)
                            // Garbage instead of an RTMP handshake.
                            Self.connect(port: port) { descriptor in
                                let junk = [UInt8](repeating: 0x47, count: 4096)
                                _ = junk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                                Thread.sleep(forTimeInterval: 0.5)
                            }
                            _ = LiveIngest.poll(10) { job.stderr.contains("failed before its media started") }
                            // A connection that says nothing: the read timeout (1 s) ends it.
                            Self.connect(port: port) { _ in Thread.sleep(forTimeInterval: 3) }
                            _ = LiveIngest.poll(10) {
                                job.stderr.components(separatedBy: "failed before its media started").count >= 3
                            }
                            // A publisher that stalls mid-stream (stopped, its connection open).
                            let publisher = try LiveIngest.publish(url, format: "flv", seconds: 20, folder: folder, label: "stall")
                            _ = LiveIngest.poll(20) {
                                FileManager.default.fileExists(
                                    atPath: folder.appendingPathComponent("out/source/seg_000002.ts").path)
                            }
                            kill(publisher.process.processIdentifier, SIGSTOP)
                            _ = LiveIngest.poll(10) { job.stderr.contains("waiting up to") }
                            kill(publisher.process.processIdentifier, SIGKILL)
                            job.process.interrupt()
                            job.wait(30)
                            return job
                        })
                    }.start()
                }
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(
                    job.stderr.components(separatedBy: "failed before its media started").count >= 3,
                    "garbage and the silent connection were reported:\n\(job.printed)")
                #expect(job.stderr.contains("the input dropped after"), "the stall is a drop:\n\(job.printed)")
                let output = folder.appendingPathComponent("out")
                let recording = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
                #expect(recording.rendition.playlist.endList)
            }
        }

        @Test(
            "SIGINT while waiting for the first publisher: exit 0, nothing recorded",
            .enabled(if: LiveIngest.ffmpeg != nil, "needs ffmpeg"), .timeLimit(.minutes(3)))
        func stopWhileWaiting() async throws {
            try await TemporaryDirectory.with(label: "live-wait") { folder in
                let port = LiveIngest.freePort()
                let job = try LiveIngest.cuepoint(
                    ["segment", "rtmp://127.0.0.1:\(port)/live/\(Self.key)", "--listen", "-o", folder.appendingPathComponent("out").path],
                    folder: folder)
                try await Task.sleep(for: .seconds(1))
                job.process.interrupt()
                let ended = await withCheckedContinuation { continuation in
                    Thread { continuation.resume(returning: job.wait(20)) }.start()
                }
                #expect(ended)
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                #expect(job.stdout.contains("stopped before any input arrived"), "\(job.printed)")
            }
        }

        /// Connects to 127.0.0.1:`port` and runs `body` with the socket.
        static func connect(port: Int, _ body: (Int32) -> Void) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if connected == 0 { body(descriptor) }
        }
    }
}

extension Integration.LiveIngestTests {
    @Test("`cuepoint run` serves while a pipeline with `server:` runs; an unset token_env is a usage error", .timeLimit(.minutes(3)))
    func runServesWithServerSection() async throws {
        try await TemporaryDirectory.with(label: "run-server") { folder in
            let pipeline = folder.appendingPathComponent("p.yaml")
            try """
            version: 1
            name: served
            input: { url: \(SampleInput.ts.path) }
            output: { directory: \(folder.path)/out, segment: 2s }
            server: { listen: 127.0.0.1:0, token_env: TEST_RUN_TOKEN }
            """.write(to: pipeline, atomically: true, encoding: .utf8)
            let refused = try CuepointCLI.run(["run", pipeline.path])
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains("server.token_env: the environment variable TEST_RUN_TOKEN is not set"), "\(refused)")
            let served = try CuepointCLI.run(["run", pipeline.path], environment: ["TEST_RUN_TOKEN": "t0ken-\(UUID())"])
            #expect(served.status == 0, "\(served)")
            #expect(served.stdout.contains("on http://127.0.0.1:"), "\(served)")
            #expect(served.stdout.contains("marker API: on, /v1/markers"), "\(served)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/served/markers.jsonl").path))
        }
    }
}
