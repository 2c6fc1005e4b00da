import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration {
    /// `cuepoint segment --ladder` and `cuepoint run Pipelines/ci-transcode.yaml` as a user runs them.
    @Suite("Transcoding on the command line", .serialized, .enabled(if: TranscodeHarness.ffmpegInstalled, "needs ffprobe"), .ownThreads)
    struct TranscodeCommandLine {
        @Test func aLadderWithoutAPipelineFile() async throws {
            try await offThePool {
                try TemporaryDirectory.withBlocking(label: "cli-ladder") { directory in
                    let out = directory.appendingPathComponent("show")
                    let result = try CuepointCLI.run([
                        "segment", "SampleMedia/sample.mp4", "-o", out.path, "--segment", "4s",
                        "--ladder", "360p,1080p,audio-only", "--keep-source",
                    ])
                    #expect(result.status == 0, "\(result)")
                    #expect(
                        result.warningLines == [
                            "cuepoint: warning: rendition 1080p (1080p) is left out: it would upscale the 640x360 input"
                        ], "\(result)")
                    // The summary table: a header and one row per rendition, in order.
                    let rows = result.stdout.split(separator: "\n").map {
                        $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    }
                    #expect(rows.first == ["rendition", "kind", "resolution", "bitrate", "size", "segments", "duration"])
                    #expect(rows.dropFirst().prefix(3).map { Array($0.prefix(3)) } == [
                        ["source", "copy", "640x360"], ["360p", "encoded", "640x360"], ["audio-only", "encoded", "audio"],
                    ])
                    #expect(rows.dropFirst().prefix(3).allSatisfy { $0.count == 10 && $0[7] == "5" }, "\(rows)")
                    let master = try MultivariantPlaylist(
                        parsing: String(contentsOf: out.appendingPathComponent("master.m3u8"), encoding: .utf8))
                    #expect(master.variants.map(\.uri) == ["source/index.m3u8", "360p/index.m3u8", "audio-only/index.m3u8"])
                    #expect(master.variants[2].codecs == ["mp4a.40.2"])
                }
            }
        }

        @Test func badLadderArgumentsAreUsageErrors() throws {
            let unknown = try CuepointCLI.run(["segment", "SampleMedia/sample.mp4", "-o", "/tmp/x", "--ladder", "720x"])
            #expect(unknown.status == 2, "\(unknown)")
            #expect(unknown.stderr.contains("unknown ladder rung `720x`") && unknown.stderr.contains("did you mean `720p`?"))
            let stray = try CuepointCLI.run(["segment", "SampleMedia/sample.mp4", "-o", "/tmp/x", "--deterministic"])
            #expect(stray.status == 2 && stray.stderr.contains("apply to a --ladder"), "\(stray)")
        }

        /// Issue 16's determinism difference: libx264's AVX-512 code reads memory it never
        /// wrote at 426×240, so the 240p rung depended on what the heap held before (a long test
        /// process; before the fix `MALLOC_PERTURB_=1` gave another file on an AVX-512 machine).
        /// glibc is told to serve every block from its heap (no fresh, zeroed mmap pages) and
        /// to fill each block it hands out with a byte chosen here: the bytes must not change.
        @Test func deterministicBytesDoNotDependOnWhatTheHeapHeld() async throws {
            try await offThePool {
                try TemporaryDirectory.withBlocking(label: "cli-heap-contents") { directory in
                    var renditions: [String: Data] = [:]
                    for fill in ["0", "1", "3", "200"] {
                        let out = directory.appendingPathComponent("perturb-\(fill)")
                        let result = try CuepointCLI.run(
                            ["segment", "SampleMedia/sample.mp4", "-o", out.path, "--ladder", "240p", "--deterministic"],
                            environment: ["MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_PERTURB_": fill])
                        #expect(result.status == 0, "\(result)")
                        let folder = out.appendingPathComponent("240p")
                        let segments = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                            .filter { $0.hasSuffix(".ts") }.sorted()
                        #expect(segments.count >= 3, "\(segments)")
                        renditions[fill] = try segments.reduce(into: Data()) {
                            $0.append(try Data(contentsOf: folder.appendingPathComponent($1)))
                        }
                    }
                    for (fill, bytes) in renditions where fill != "0" {
                        #expect(bytes == renditions["0"], "the 240p rung changed with MALLOC_PERTURB_=\(fill)")
                    }
                }
            }
        }

        @Test func ciTranscodeTwiceGivesTheSameHashes() async throws {
            try await offThePool {
                try TemporaryDirectory.withBlocking(label: "cli-ci-transcode") { directory in
                    var listings: [[String: String]] = []
                    for run in ["a", "b"] {
                        let out = directory.appendingPathComponent(run)
                        let result = try CuepointCLI.run(
                            ["run", "Pipelines/ci-transcode.yaml"], environment: ["CUEPOINT_OUT": out.path])
                        #expect(result.status == 0, "\(result)")
                        let root = out.appendingPathComponent("ci-transcode")
                        var hashes: [String: String] = [:]
                        for name in try FileManager.default.subpathsOfDirectory(atPath: root.path) {
                            var isDirectory: ObjCBool = false
                            let path = root.appendingPathComponent(name).path
                            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                                hashes[name] = try TranscodeHarness.sha256(path)
                            }
                        }
                        listings.append(hashes)
                    }
                    #expect(listings[0].count == 30, "\(listings[0].keys.sorted())")
                    #expect(listings[0] == listings[1])
                }
            }
        }
    }
}
