import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// A disk that fills up during a live LL-HLS show: `cuepoint segment pipe:0 --live --container
    /// fmp4 --part 0.5s --serve` writing to a 400 KiB tmpfs (four or five 2 s segments of the
    /// sample), fed in real time by the `ffmpeg` program, while a player follows `index.m3u8` over
    /// HTTP and downloads every segment it lists.
    ///
    /// Decided and checked: the job ends (no hang, no crash) with exit 1 and one error line that
    /// names the file, "No space left on device" and the fix; the final playlist is finished
    /// (EXT-X-ENDLIST) and lists only whole segments, which ffprobe reads; every segment the player
    /// downloaded while the show ran is byte-identical on disk afterwards; no `.tmp` file is left.
    ///
    /// Needs permission to mount a tmpfs (root, as in CI); elsewhere the test shows as skipped.
    @Suite("Disk full during LL-HLS", .serialized, .ownThreads)
    struct DiskFullLowLatencyTests {
        /// A tmpfs of `size` mounted on a fresh folder (its own per test run, so parallel runs do
        /// not share it); nil when mounting is not permitted.
        static func mountTmpfs(size: String) -> URL? {
            let point = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cuepoint-llhls-full-\(UUID().uuidString)")
            try? FileManager.default.createDirectory(at: point, withIntermediateDirectories: true)
            guard (try? ExternalProgram.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", point.path]))?.status == 0 else {
                try? FileManager.default.removeItem(at: point)
                return nil
            }
            return point
        }

        static func unmount(_ point: URL) {
            _ = try? ExternalProgram.run("/bin/umount", [point.path])
            try? FileManager.default.removeItem(at: point)
        }

        static let canMount: Bool = {
            guard let point = mountTmpfs(size: "64k") else { return false }
            unmount(point)
            return true
        }()

        @Test(
            "LL-HLS on a disk that fills up: one clear error, a finished playlist, nothing published damaged",
            .enabled(if: canMount, "needs permission to mount a tmpfs (root)"),
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func diskFullDuringLowLatencyShow() async throws {
            let mount = try #require(Self.mountTmpfs(size: "400k"))
            defer { Self.unmount(mount) }
            try await TemporaryDirectory.with(label: "llhls-full") { folder in
                try await offThePool {
                    let output = mount.appendingPathComponent("show")
                    let pipe = Pipe()
                    let feeder = try LiveIngest.Job(
                        executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
                        arguments: [
                            "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i",
                            SampleInput.ts.path, "-c", "copy", "-f", "mpegts", "-",
                        ], folder: folder, label: "feeder", standardOutput: pipe)
                    let job = try LiveIngest.Job(
                        executable: CuepointCLI.executable(),
                        arguments: [
                            "segment", "pipe:0", "--live", "--container", "fmp4", "--segment", "2s", "--part", "0.5s",
                            "-o", output.path, "--serve", "127.0.0.1:0", "--no-progress",
                        ], folder: folder, label: "cuepoint", standardInput: pipe)
                    try? pipe.fileHandleForReading.close()
                    try? pipe.fileHandleForWriting.close()
                    defer { if feeder.process.isRunning { kill(feeder.process.processIdentifier, SIGKILL) } }

                    let root = try #require(job.servedRoot(), "the server did not start:\n\(job.printed)")
                    let player = LiveIngest.Player(root: root, playlist: "source/index.m3u8")
                    player.start()
                    let ended = job.wait(90)
                    player.stop()
                    if !ended { kill(job.process.processIdentifier, SIGKILL) }
                    #expect(ended, "the job ends when the disk is full:\n\(job.printed)")
                    #expect(job.process.terminationReason == .exit && job.process.exitStatus == 1, "\(job.printed)")

                    // One error line: the file, the cause, the fix.
                    let errors = job.stderr.split(separator: "\n").filter { !$0.hasPrefix("cuepoint: warning: ") && !$0.hasPrefix("cuepoint: note: ") }
                    #expect(errors.count == 1, "one error line:\n\(job.printed)")
                    if let line = errors.first {
                        #expect(line.hasPrefix("cuepoint: \(output.path)/source/"), "names the file: \(line)")
                        #expect(line.contains("No space left on device") && line.contains("free space"), "\(line)")
                    }

                    // The player saw only valid playlists, listing files it could fetch, and got segments.
                    #expect(player.problems.isEmpty, "\(player.problems)")
                    let downloaded = player.segments
                    #expect(!downloaded.isEmpty, "the player downloaded segments before the disk filled up")

                    // On disk: a finished playlist of whole segments; those the player had are unchanged.
                    let source = output.appendingPathComponent("source")
                    let playlist = try MediaPlaylist(
                        parsing: String(contentsOf: source.appendingPathComponent("index.m3u8"), encoding: .utf8))
                    #expect(playlist.endList, "the final playlist is finished")
                    #expect(playlist.segments.count >= downloaded.count)
                    for (name, data) in downloaded {
                        let onDisk = try? Data(contentsOf: source.appendingPathComponent(name))
                        #expect(onDisk == data, "\(name) is byte-identical to what the player downloaded")
                    }
                    _ = try verifyWhateverWasWritten(directory: output, container: .fmp4, segmentMilliseconds: 2_000)
                    let leftovers = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".tmp") }
                    #expect(leftovers.isEmpty, "no partial files are left: \(leftovers)")
                    print("disk full (LL-HLS): \(playlist.segments.count) segments kept, \(downloaded.count) downloaded by the player, \(player.reloads) reloads")
                }
            }
        }
    }
}
