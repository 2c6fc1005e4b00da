import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Several pipelines in one process: `PipelineGroup` and `cuepoint run A.yaml B.yaml`.
    @Suite("Pipeline group", .ownThreads)
    struct PipelineGroups {
        static func spec(_ name: String, input: String, directory: URL, container: Container) -> PipelineSpec {
            PipelineSpec(
                name: name, input: InputSpec(url: input),
                output: OutputSpec(directory: directory.path, container: container, segmentDuration: .milliseconds(2_000)))
        }

        @Test("two SampleMedia pipelines in one group both write valid recordings")
        func twoPipelines() async throws {
            try await TemporaryDirectory.with(label: "group") { directory in
                let specs = [
                    Self.spec("a", input: SampleInput.mp4.path, directory: directory, container: .ts),
                    Self.spec("b", input: SampleInput.ts.path, directory: directory, container: .fmp4),
                ]
                let group = try PipelineGroup(specs.map { PipelineRunner(spec: $0) })
                let outcomes = await group.record()
                #expect(outcomes.count == 2)
                for (spec, outcome) in zip(specs, outcomes) {
                    let summary = try outcome.get()
                    #expect(summary.directory.lastPathComponent == spec.name)
                    #expect(summary.renditions.first?.segments ?? 0 > 0)
                    _ = try verifyRecording(
                        directory: directory.appendingPathComponent(spec.name), container: spec.output.container,
                        segmentMilliseconds: 2_000)
                }
            }
        }

        @Test("a failing pipeline is reported while the other completes")
        func oneFails() async throws {
            try await TemporaryDirectory.with(label: "group-fail") { directory in
                let good = Self.spec("good", input: SampleInput.mp4.path, directory: directory, container: .ts)
                let bad = Self.spec(
                    "bad", input: directory.appendingPathComponent("missing.mp4").path, directory: directory, container: .ts)
                let group = try PipelineGroup([PipelineRunner(spec: bad), PipelineRunner(spec: good)])
                let outcomes = await group.record()
                guard case .failure(let error) = outcomes[0] else {
                    Issue.record("the pipeline with a missing input did not fail: \(outcomes[0])")
                    return
                }
                #expect(error.subject.hasSuffix("missing.mp4"), "\(error)")
                _ = try outcomes[1].get()
                _ = try verifyRecording(
                    directory: directory.appendingPathComponent("good"), container: .ts, segmentMilliseconds: 2_000)
            }
        }

        @Test(
            "`cuepoint run` with five UDP shows, fed by ffmpeg then idle: SIGINT exits 0 and every recording is final",
            .enabled(if: LiveIngest.ffmpeg != nil, "needs the ffmpeg program as publisher"), .timeLimit(.minutes(3)))
        func fiveUDPShowsStopOnInterrupt() async throws {
            // The defect this guards against (a SIGILL in `PipelineGroup.run` as the first show
            // ended, exit 132, recordings left without final playlists) was a miscompile at -O: run
            // it against the release binary too, `CUEPOINT_CLI=.build-release/release/cuepoint`.
            try await TemporaryDirectory.with(label: "group-udp") { folder in
                let names = (1...5).map { "show\($0)" }
                let job = try await offThePool { try Self.recordFiveUDPShows(names, in: folder) }
                #expect(job.process.terminationReason == .exit, "\(job.printed)")
                #expect(job.process.exitStatus == 0, "\(job.printed)")
                for name in names {
                    #expect(job.stdout.contains("(pipeline \"\(name)\"):"), "\(name): a summary\n\(job.printed)")
                    let recording = folder.appendingPathComponent("out/\(name)")
                    let index = try MediaPlaylist(
                        parsing: String(contentsOf: recording.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                    #expect(index.endList, "\(name): final playlists (EXT-X-ENDLIST)")
                    let state = try String(contentsOf: recording.appendingPathComponent("recording.json"), encoding: .utf8)
                    #expect(state.contains("\"complete\" : true"), "\(name): \(state)")
                    _ = try verifyRecording(directory: recording, container: .ts, segmentMilliseconds: 1_000)
                    expectNoTemporaryFiles(in: recording)
                }
            }
        }

        /// `cuepoint run` on five pipeline files with UDP inputs, each fed 3 s of sample.ts by the
        /// `ffmpeg` program; once every show has a segment and the publishers are gone (the
        /// inputs idle, their 10 s read timeout not reached), SIGINT. Returns the ended job.
        static func recordFiveUDPShows(_ names: [String], in folder: URL) throws -> LiveIngest.Job {
            var files: [String] = []
            var ports: [Int] = []
            for name in names {
                let port = LiveIngest.freePort(udp: true)
                let path = folder.appendingPathComponent("\(name).yaml").path
                try """
                    version: 1
                    name: \(name)
                    input:
                      url: udp://127.0.0.1:\(port)
                    output:
                      directory: \(folder.appendingPathComponent("out").path)
                      segment: 1s

                    """.write(toFile: path, atomically: true, encoding: .utf8)
                files.append(path)
                ports.append(port)
            }
            let job = try LiveIngest.cuepoint(["run"] + files, folder: folder)
            Thread.sleep(forTimeInterval: 1)
            let publishers = try zip(names, ports).map { name, port in
                try LiveIngest.publish(
                    "udp://127.0.0.1:\(port)?pkt_size=1316", format: "mpegts", seconds: 3, input: SampleInput.ts.path,
                    folder: folder, label: "publisher-\(name)")
            }
            for publisher in publishers { publisher.wait(30) }
            let recorded = LiveIngest.poll(10) {
                names.allSatisfy { name in
                    let index = folder.appendingPathComponent("out/\(name)/source/index.m3u8")
                    return (try? String(contentsOf: index, encoding: .utf8))?.contains("#EXTINF:") == true
                }
            }
            guard recorded else { throw RecordingProblem(description: "not every show has a segment:\n\(job.printed)") }
            job.process.interrupt()
            guard job.wait(60) else { throw RecordingProblem(description: "cuepoint did not end after SIGINT:\n\(job.printed)") }
            return job
        }

        @Test("two pipelines with one recording directory are refused before either runs")
        func sameDirectoryRefused() throws {
            let directory = URL(fileURLWithPath: "/tmp/cuepoint-group-never-written")
            let spec = Self.spec("same", input: SampleInput.mp4.path, directory: directory, container: .ts)
            #expect(throws: CuepointError.self) {
                _ = try PipelineGroup([PipelineRunner(spec: spec), PipelineRunner(spec: spec)])
            }
            #expect(!FileManager.default.fileExists(atPath: directory.path))
        }

        @Test("`cuepoint run A.yaml B.yaml`: one summary each; a bad pipeline fails the command, not the other")
        func commandLine() async throws {
            try await TemporaryDirectory.with(label: "cli-group") { directory in
                func write(_ name: String, input: String) throws -> String {
                    let path = directory.appendingPathComponent("\(name).yaml").path
                    let text = """
                        version: 1
                        name: \(name)
                        input:
                          url: \(input)
                        output:
                          directory: out
                          segment: 2s

                        """
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    return path
                }
                let good = try write("good", input: SampleInput.mp4.path)
                let other = try write("other", input: SampleInput.ts.path)
                let bad = try write("bad", input: directory.appendingPathComponent("missing.mp4").path)
                let out = directory.appendingPathComponent("out")

                let both = try CuepointCLI.run(["run", good, other, "--output", out.path])
                #expect(both.status == 0, "\(both)")
                #expect(both.stdout.contains("\(good) (pipeline \"good\"):"), "\(both)")
                #expect(both.stdout.contains("\(other) (pipeline \"other\"):"), "\(both)")
                for name in ["good", "other"] {
                    #expect(both.stdout.contains(out.appendingPathComponent("\(name)/master.m3u8").path), "\(both)")
                    _ = try verifyRecording(
                        directory: out.appendingPathComponent(name), container: .ts, segmentMilliseconds: 2_000)
                }

                let mixed = try CuepointCLI.run(["run", bad, good, "--output", directory.appendingPathComponent("mixed").path])
                #expect(mixed.status == 1, "\(mixed)")
                #expect(mixed.stdout.contains("\(bad) (pipeline \"bad\"): failed"), "\(mixed)")
                #expect(mixed.stdout.contains("\(good) (pipeline \"good\"):\n  source: "), "\(mixed)")
                #expect(mixed.errorLines.contains { $0.hasPrefix("cuepoint: \(bad): ") && $0.contains("missing.mp4") }, "\(mixed)")
                #expect(mixed.errorLines.last == "cuepoint: 1 of 2 pipelines failed: \(bad)", "\(mixed)")
                _ = try verifyRecording(
                    directory: directory.appendingPathComponent("mixed/good"), container: .ts, segmentMilliseconds: 2_000)

                let refused = try CuepointCLI.run(["run", good, good, "--output", out.path])
                #expect(refused.status == 2, "\(refused)")
                #expect(refused.stderr.contains("would write the same recording directory"), "\(refused)")
            }
        }
    }
}
