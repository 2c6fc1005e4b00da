import Cuepoint
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Several pipelines in one process: `PipelineGroup` and `cuepoint run A.yaml B.yaml`.
    @Suite("Pipeline group")
    struct PipelineGroups {
        static func spec(_ name: String, input: String, directory: URL, container: Container) -> PipelineSpec {
            PipelineSpec(
                name: name, input: InputSpec(url: input),
                output: OutputSpec(directory: directory.path, container: container, segmentDuration: .milliseconds(2_000)))
        }

        @Test("two SampleMedia pipelines in one group both write valid recordings")
        func twoPipelines() async throws {
            try await withTemporaryDirectory(label: "group") { directory in
                let specs = [
                    Self.spec("a", input: SampleInput.mp4.path, directory: directory, container: .ts),
                    Self.spec("b", input: SampleInput.ts.path, directory: directory, container: .fmp4),
                ]
                let group = try PipelineGroup(specs.map { PipelineRunner(spec: $0) })
                let outcomes = await group.run()
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
            try await withTemporaryDirectory(label: "group-fail") { directory in
                let good = Self.spec("good", input: SampleInput.mp4.path, directory: directory, container: .ts)
                let bad = Self.spec(
                    "bad", input: directory.appendingPathComponent("missing.mp4").path, directory: directory, container: .ts)
                let group = try PipelineGroup([PipelineRunner(spec: bad), PipelineRunner(spec: good)])
                let outcomes = await group.run()
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
            try await withTemporaryDirectory(label: "cli-group") { directory in
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
