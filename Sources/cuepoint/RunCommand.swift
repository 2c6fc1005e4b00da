import ArgumentParser
import Cuepoint
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a pipeline file.")

        @Argument(help: "The pipeline file (YAML or JSON).")
        var pipeline: String

        @Option(help: "Use this input instead of the pipeline's input.url.")
        var input: String?

        @Option(help: "Write under this directory instead of the pipeline's output.directory.")
        var output: String?

        @OptionGroup var reporting: ReportingOptions

        func run() throws {
            var spec: PipelineSpec
            do {
                spec = try PipelineFile.load(path: pipeline)
            } catch {
                throw CommandFailure.pipeline(error)
            }
            if let input { spec.input.url = input }
            if let output { spec.output.directory = output }
            try execute(spec: spec, directory: nil, reporting: reporting)
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a pipeline file without running it.")

        @Argument(help: "The pipeline file (YAML or JSON).")
        var pipeline: String

        func run() throws {
            do {
                let spec = try PipelineFile.load(path: pipeline)
                print("\(pipeline): valid (pipeline \"\(spec.name)\", \(spec.renditions.count) rendition(s), input \(spec.input.url))")
            } catch {
                throw CommandFailure.pipeline(error)
            }
        }
    }

    struct Segment: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Segment an input into HLS without a pipeline file.")

        @Argument(help: "The input: a file, pipe:0 (or -), or a URL.")
        var input: String

        @Option(name: .shortAndLong, help: "The output directory (the recording is written directly into it).")
        var output: String

        @Option(help: "Target segment duration, e.g. 6s or 2.5s.")
        var segment: String = "6s"

        @Option(help: "Segment container: ts or fmp4.")
        var container: String = "ts"

        @Option(help: "Segments in live.m3u8 for live inputs.")
        var liveWindow: Int = 6

        @Flag(help: "Treat the input as live (event + sliding-window playlists).")
        var live = false

        @Option(help: "Product markers: a JSON-lines file (see docs/markers.md).")
        var markers: String?

        @Flag(help: "Start a segment at each marker (at the first keyframe at or after it).")
        var alignMarkers = false

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard DurationText.parse(segment).map({ $0.milliseconds >= 1000 && $0.milliseconds <= 60_000 }) == true else {
                throw ValidationError("--segment: expected a duration between 1s and 60s such as \"6s\", got \"\(segment)\"")
            }
            guard Container(rawValue: container) != nil else {
                throw ValidationError("--container: expected ts or fmp4, got \"\(container)\"")
            }
            guard liveWindow >= 3 else { throw ValidationError("--live-window: expected at least 3, got \(liveWindow)") }
        }

        func run() throws {
            let outputURL = URL(fileURLWithPath: output)
            var spec = PipelineSpec(
                name: outputURL.lastPathComponent.isEmpty ? "segment" : outputURL.lastPathComponent,
                input: InputSpec(url: input == "-" ? "pipe:0" : input, live: live ? true : nil),
                output: OutputSpec(
                    directory: outputURL.deletingLastPathComponent().path, container: Container(rawValue: container)!,
                    segmentDuration: DurationText.parse(segment)!, liveWindow: liveWindow))
            if let markers { spec.markers = MarkersSpec(align: alignMarkers, files: [markers]) }
            try execute(spec: spec, directory: outputURL, reporting: reporting)
        }
    }
}

/// Options shared by the commands that run a pipeline.
struct ReportingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print FFmpeg's own messages and more detail.")
    var verbose = false

    @Flag(help: "Never print the progress line.")
    var noProgress = false
}
