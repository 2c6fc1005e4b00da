import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Damaged and unusable inputs and outputs through the `cuepoint` binary: the exit code, a
    /// one-line error naming the input and the cause, and whatever was written still valid.
    /// The inputs are made from SampleMedia inside each test's folder.
    @Suite("Bad inputs through the command line", .ownThreads)
    struct BadInputs {
        /// Runs `cuepoint segment <input> -o <folder>/out` and returns the result and the output folder.
        private func segment(_ input: String, in folder: URL, _ extra: [String] = []) throws -> (CuepointCLI.Result, URL) {
            let output = folder.appendingPathComponent("out")
            return (try CuepointCLI.run(["segment", input, "-o", output.path] + extra), output)
        }

        // MARK: Inputs that cannot be read at all

        @Test("a missing file: exit 1, `no such file`")
        func missingFile() async throws {
            try await TemporaryDirectory.with(label: "bad-missing") { folder in
                let input = folder.appendingPathComponent("nowhere.mp4").path
                let (result, output) = try segment(input, in: folder)
                expectOneLineError(result, exitCode: 1, mentions: [input, "no such file"])
                try verifyWhateverWasWritten(directory: output)
            }
        }

        @Test("a zero-byte file: exit 1, `empty`")
        func zeroByteFile() async throws {
            try await TemporaryDirectory.with(label: "bad-empty") { folder in
                let input = try DamagedInputs.empty(as: "empty.mp4", in: folder).path
                let (result, output) = try segment(input, in: folder)
                expectOneLineError(result, exitCode: 1, mentions: [input, "empty"])
                try verifyWhateverWasWritten(directory: output)
            }
        }

        @Test("an MP4 with only a subtitle track: exit 1, `no audio or video stream`")
        func noAudioOrVideo() async throws {
            try await TemporaryDirectory.with(label: "bad-subtitles") { folder in
                let input = try DamagedInputs.subtitlesOnlyMP4(as: "subtitles.mp4", in: folder).path
                let (result, output) = try segment(input, in: folder)
                expectOneLineError(result, exitCode: 1, mentions: [input, "no audio or video stream"])
                try verifyWhateverWasWritten(directory: output)
            }
        }

        // MARK: Truncated inputs

        /// The first 400 000 bytes of sample.mp4 (moov first, so it declares 20 s).
        private func truncatedMP4(in folder: URL) throws -> String {
            try DamagedInputs.truncated(Repository.sampleMedia("sample.mp4"), to: 400_000, as: "truncated.mp4", in: folder).path
        }

        /// The first 500 000 bytes of sample.ts.
        private func truncatedTS(in folder: URL) throws -> String {
            try DamagedInputs.truncated(Repository.sampleMedia("sample.ts"), to: 500_000, as: "truncated.ts", in: folder).path
        }

        @Test("a truncated MP4: exit 1 naming it truncated; the segments before the cut are valid")
        func truncatedMP4Fails() async throws {
            try await TemporaryDirectory.with(label: "bad-truncated-mp4") { folder in
                let input = try truncatedMP4(in: folder)
                let (result, output) = try segment(input, in: folder)
                expectOneLineError(result, exitCode: 1, mentions: [input, "truncated"], allowWarnings: true)
                let recording = try #require(try verifyWhateverWasWritten(directory: output), "no segment was kept")
                #expect(recording.rendition.totalMilliseconds > 0 && recording.rendition.totalMilliseconds < 20_000)
            }
        }

        @Test("a truncated MP4: what was written plays", .enabled(if: GStreamer.isInstalled))
        func truncatedMP4Plays() async throws {
            try await TemporaryDirectory.with(label: "bad-truncated-mp4-play") { folder in
                let (result, output) = try segment(try truncatedMP4(in: folder), in: folder)
                #expect(result.status == 1, "\(result)")
                let played = try expectPlays(output.appendingPathComponent("master.m3u8"))
                #expect(played.videoFrames > 0)
            }
        }

        @Test("a truncated MPEG-TS (no declared length): exit 0 and a valid shorter recording")
        func truncatedTS() async throws {
            try await TemporaryDirectory.with(label: "bad-truncated-ts") { folder in
                let input = try truncatedTS(in: folder)
                let (result, output) = try segment(input, in: folder)
                #expect(result.status == 0, "\(result)")
                #expect(result.errorLines.isEmpty, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .ts).rendition
                #expect(rendition.playlist.endList)
                #expect(rendition.totalMilliseconds > 0 && rendition.totalMilliseconds < 20_000)
            }
        }

        @Test("a truncated MPEG-TS: the recording plays", .enabled(if: GStreamer.isInstalled))
        func truncatedTSPlays() async throws {
            try await TemporaryDirectory.with(label: "bad-truncated-ts-play") { folder in
                let (result, output) = try segment(try truncatedTS(in: folder), in: folder)
                #expect(result.status == 0, "\(result)")
                let played = try expectPlays(output.appendingPathComponent("master.m3u8"))
                #expect(played.videoFrames > 0 && played.videoFrames < 600)
            }
        }

        // MARK: Garbage in the middle

        @Test("64 KiB of garbage in the middle: exit 0 with warnings, valid output", arguments: ["sample.ts", "sample.mp4"])
        func garbageInTheMiddle(sample: String) async throws {
            try await TemporaryDirectory.with(label: "bad-garbage") { folder in
                let input = try DamagedInputs.garbled(Repository.sampleMedia(sample), as: "garbled-" + sample, in: folder).path
                let (result, output) = try segment(input, in: folder)
                #expect(result.status == 0, "\(result)")
                #expect(!result.warningLines.isEmpty, "the damage is reported as warnings; \(result)")
                #expect(result.errorLines.isEmpty, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .ts).rendition
                #expect(rendition.playlist.endList)
            }
        }

        @Test(
            "64 KiB of garbage in the middle: the recording plays", .enabled(if: GStreamer.isInstalled),
            arguments: ["sample.ts", "sample.mp4"])
        func garbageInTheMiddlePlays(sample: String) async throws {
            try await TemporaryDirectory.with(label: "bad-garbage-play") { folder in
                let input = try DamagedInputs.garbled(Repository.sampleMedia(sample), as: "garbled-" + sample, in: folder).path
                let (result, output) = try segment(input, in: folder)
                #expect(result.status == 0, "\(result)")
                let played = try expectPlays(output.appendingPathComponent("master.m3u8"))
                #expect(played.videoFrames > 0)
            }
        }

        // MARK: Timestamps that jump

        /// The two-part inputs: sample.ts twice (timestamps go back 20 s), and sample.ts followed
        /// by a copy shifted 3600 s later (timestamps jump forward).
        enum Jump: String, CaseIterable, Sendable {
            case backwards
            case forwards

            func input(in folder: URL) throws -> String {
                let sample = Repository.sampleMedia("sample.ts")
                switch self {
                case .backwards:
                    return try DamagedInputs.concatenated([sample, sample], as: "twice.ts", in: folder).path
                case .forwards:
                    let later = try DamagedInputs.shiftedTS(bySeconds: 3600, as: "later.ts", in: folder)
                    return try DamagedInputs.concatenated([sample, later], as: "jump.ts", in: folder).path
                }
            }
        }

        @Test(
            "timestamps that jump: exit 0, a warning, one EXT-X-DISCONTINUITY, PROGRAM-DATE-TIME continuous",
            arguments: Jump.allCases)
        func timestampJump(jump: Jump) async throws {
            try await TemporaryDirectory.with(label: "bad-jump") { folder in
                let (result, output) = try segment(try jump.input(in: folder), in: folder)
                #expect(result.status == 0, "\(result)")
                #expect(result.warningLines.contains { $0.contains("timestamps jump") }, "\(result)")
                #expect(result.errorLines.isEmpty, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .ts).rendition
                #expect(rendition.discontinuityCount == 1)
                #expect(rendition.text.components(separatedBy: "#EXT-X-DISCONTINUITY\n").count == 2)
                expectContinuousProgramDateTime(rendition.playlist)
                // Two copies of the same 20 s, within a frame each.
                #expect(abs(rendition.totalMilliseconds - 40_000) <= 2 * 34, "EXTINF sum \(rendition.totalMilliseconds) ms")
            }
        }

        @Test("timestamps that jump: the recording plays all 1200 frames", .enabled(if: GStreamer.isInstalled), arguments: Jump.allCases)
        func timestampJumpPlays(jump: Jump) async throws {
            try await TemporaryDirectory.with(label: "bad-jump-play") { folder in
                let (result, output) = try segment(try jump.input(in: folder), in: folder)
                #expect(result.status == 0, "\(result)")
                try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 1200)
            }
        }

        // MARK: Timestamps the output cannot carry

        @Test(
            "sample.ts looped three times (`ffmpeg -stream_loop`) into fMP4, from a file and from a pipe: exit 0, the repeated audio timestamps dropped and counted",
            arguments: [false, true])
        func loopedTSIntoFragmentedMP4(throughPipe: Bool) async throws {
            // Before the fix: exit 1, "muxing failed (av_interleaved_write_frame: Invalid argument)".
            try await TemporaryDirectory.with(label: "bad-loop-fmp4") { folder in
                let input = try DamagedInputs.looped(times: 3, as: "loop3.ts", in: folder)
                let output = folder.appendingPathComponent("out")
                let result =
                    throughPipe
                    ? try CuepointCLI.run(
                        ["segment", "pipe:0", "--live", "-o", output.path, "--container", "fmp4"], standardInput: input)
                    : try CuepointCLI.run(["segment", input.path, "-o", output.path, "--container", "fmp4"])
                #expect(result.status == 0, "\(result)")
                #expect(result.errorLines.isEmpty, "\(result)")
                #expect(
                    result.warningLines.contains {
                        $0.contains("packets dropped: decoding time not after the previous packet's in the output")
                    }, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .fmp4).rendition
                #expect(rendition.playlist.endList)
                #expect(rendition.discontinuityCount == 0, "the loops continue one timeline")
                // The EXTINF sum is the input's video duration (three loops), within a frame.
                let video = try FFprobe.packets(of: input.path, stream: "v:0")
                let first = try #require(video.compactMap(\.ptsTime).min())
                let last = try #require(video.compactMap { packet in packet.ptsTime.map { $0 + (packet.durationTime ?? 0) } }.max())
                let expected = Int64(((last - first) * 1000).rounded())
                #expect(expected > 59_000, "the looped input lasts \(expected) ms")
                #expect(
                    abs(rendition.totalMilliseconds - expected) <= 34,
                    "EXTINF sum \(rendition.totalMilliseconds) ms for \(expected) ms of video")
                // ffprobe reads the audio of the whole recording with strictly increasing timestamps.
                var joined = try Data(contentsOf: output.appendingPathComponent("source/init.mp4"))
                for segment in rendition.playlist.segments {
                    joined.append(try Data(contentsOf: output.appendingPathComponent("source/\(segment.uri)")))
                }
                let whole = folder.appendingPathComponent("whole.mp4")
                try joined.write(to: whole)
                let audio = try FFprobe.packets(of: whole.path, stream: "a:0").compactMap(\.dtsTime)
                #expect(audio.count > 2_700, "\(audio.count) audio packets")
                #expect(zip(audio, audio.dropFirst()).allSatisfy { $0 < $1 }, "audio decoding times increase")
            }
        }

        // MARK: Damaged sample tables

        @Test("an MP4 whose ctts sends two frames 2,048 s away: exit 0, the frames dropped and counted, no segment spans them")
        func wildCompositionOffsets() async throws {
            // Before the fix: exit 0 without a warning, and the first segment's frames spanned 2,051 s.
            try await TemporaryDirectory.with(label: "bad-ctts") { folder in
                let input = try DamagedInputs.cttsCorruptedMP4(as: "ctts.mp4", in: folder)
                for container in [Container.ts, .fmp4] {
                    let output = folder.appendingPathComponent("out-\(container.rawValue)")
                    let result = try CuepointCLI.run(["segment", input.path, "-o", output.path, "--container", container.rawValue])
                    #expect(result.status == 0, "\(result)")
                    #expect(
                        result.warningLines.contains {
                            $0.contains("packets dropped: presentation time far from the decoding time (2×)")
                        }, "\(result)")
                    let rendition = try verifyRecording(directory: output, container: container).rendition
                    #expect(abs(rendition.totalMilliseconds - 20_000) <= 34, "EXTINF sum \(rendition.totalMilliseconds) ms")
                    for segment in rendition.segments {
                        let times = segment.packets.compactMap(\.ptsTime)
                        let span = (times.max() ?? 0) - (times.min() ?? 0)
                        #expect(
                            span <= Double(segment.segment.durationMilliseconds) / 1000 + segment.frameDuration,
                            "\(container): \(segment.segment.uri) holds frames \(span) s apart")
                    }
                }
            }
        }

        // MARK: Bad output, bad pipeline file, bad usage

        @Test("an output directory below a regular file: exit 1, the path and `Not a directory`")
        func unwritableOutput() async throws {
            try await TemporaryDirectory.with(label: "bad-output") { folder in
                let blocker = folder.appendingPathComponent("plain-file")
                try Data("not a directory\n".utf8).write(to: blocker)
                let output = blocker.appendingPathComponent("recording")
                let result = try CuepointCLI.run(["segment", SampleInput.mp4.path, "-o", output.path])
                expectOneLineError(result, exitCode: 1, mentions: [blocker.path, "Not a directory"])
                #expect(try Data(contentsOf: blocker) == Data("not a directory\n".utf8), "the file in the way is untouched")
            }
        }

        @Test("a pipeline file with an unknown key: exit 2, file:line:column")
        func brokenPipelineFile() async throws {
            try await TemporaryDirectory.with(label: "bad-pipeline") { folder in
                let text = """
                    version: 1
                    name: broken
                    input:
                      url: \(SampleInput.mp4.path)
                    output:
                      sgement: 6s
                    """
                try Data(text.utf8).write(to: folder.appendingPathComponent("bad.yaml"))
                let result = try CuepointCLI.run(["run", "bad.yaml", "--output", "out"], in: folder)
                expectOneLineError(result, exitCode: 2, mentions: ["bad.yaml:6:3:", "sgement"])
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing was run")
            }
        }

        @Test("a usage error (`--segment 0s`): exit 2, one line")
        func usageError() async throws {
            try await TemporaryDirectory.with(label: "bad-usage") { folder in
                let (result, output) = try segment(SampleInput.mp4.path, in: folder, ["--segment", "0s"])
                expectOneLineError(result, exitCode: 2, mentions: ["--segment", "0s"])
                #expect(!FileManager.default.fileExists(atPath: output.path), "nothing was run")
            }
        }
    }
}
