import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// The other commands of the `cuepoint` binary, on the shipped files.
    @Suite("Command line", .ownThreads)
    struct Commands {
        static let environment = ["CUEPOINT_STREAM_KEY": "spring"]

        /// The pipeline files in Pipelines/ (YAML and JSON; the JSON schema is not a pipeline).
        static func pipelineFiles() throws -> [String] {
            let folder = Repository.root.appendingPathComponent("Pipelines")
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json")) && !$0.hasSuffix(".schema.json") }
                .sorted()
                .map { "Pipelines/" + $0 }
        }

        @Test("`cuepoint validate` accepts every shipped pipeline file")
        func validateShippedPipelines() throws {
            let files = try Self.pipelineFiles()
            #expect(files.count >= 5, "Pipelines/ holds \(files)")
            for file in files {
                let result = try CuepointCLI.run(["validate", file], environment: Self.environment)
                #expect(result.status == 0, "\(file): \(result)")
                #expect(result.stdout.hasPrefix("\(file): valid"), "\(file): \(result)")
                #expect(result.stderr.isEmpty, "\(file): \(result)")
            }
        }

        @Test("`cuepoint probe` prints the CODECS string of sample.mp4")
        func probePrintsCodecs() throws {
            let result = try CuepointCLI.run(["probe", "SampleMedia/sample.mp4"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains(#"CODECS="avc1.64001f,mp4a.40.2""#), "\(result)")
        }

        @Test("`cuepoint run Pipelines/remux.yaml --output DIR` writes DIR/<name>/master.m3u8")
        func runShippedPipeline() async throws {
            try await TemporaryDirectory.with(label: "cli-run") { directory in
                let file = "Pipelines/remux.yaml"
                let spec = try PipelineFile.load(
                    path: Repository.root.appendingPathComponent(file).path, environment: Self.environment)
                let result = try CuepointCLI.run(["run", file, "--output", directory.path], environment: Self.environment)
                #expect(result.status == 0, "\(result)")
                let recording = directory.appendingPathComponent(spec.name)
                #expect(result.stdout.contains(recording.appendingPathComponent("master.m3u8").path), "\(result)")
                let checked = try verifyRecording(
                    directory: recording, container: spec.output.container,
                    segmentMilliseconds: spec.output.segmentDuration.milliseconds)
                #expect(checked.rendition.playlist.playlistType == .vod)
                #expect(checked.master.variants.map(\.uri) == spec.renditions.map { "\($0.name)/index.m3u8" })
            }
        }
    }
}
