import ArgumentParser
import Cuepoint
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a pipeline file.")

        @Argument(help: "The pipeline file (YAML or JSON).")
        var pipeline: String

        @Option(help: "Use this input instead of the pipeline's input.url.")
        var input: String?

        @Option(help: "Write under this directory instead of the pipeline's output.directory.")
        var output: String?

        @OptionGroup var reporting: ReportingOptions

        func run() async throws {
            var spec: PipelineSpec
            do {
                spec = try PipelineFile.load(path: pipeline)
            } catch {
                throw CommandFailure.pipeline(error)
            }
            if let input { spec.input.url = input }
            if let output { spec.output.directory = output }
            try await execute(spec: spec, directory: nil, reporting: reporting)
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

    struct Segment: AsyncParsableCommand {
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

        @Option(
            help: ArgumentHelp(
                "LL-HLS: cut segments into parts of this duration (e.g. 1s or 500ms; fmp4 only, shorter than "
                    + "--segment), served with blocking reload by --serve.",
                valueName: "duration"))
        var part: String?

        @Option(help: "Segments in live.m3u8 for live inputs.")
        var liveWindow: Int = 6

        @Flag(help: "Treat the input as live (event + sliding-window playlists).")
        var live = false

        @Option(help: "Product markers: a JSON-lines file (see docs/markers.md).")
        var markers: String?

        @Flag(help: "Start a segment at each marker (at the first keyframe at or after it).")
        var alignMarkers = false

        @Option(
            help: ArgumentHelp(
                "While the job runs, serve the output directory on HOST:PORT (port 0: any free one), with /healthz, /metrics and, with --token-env, the marker API.",
                valueName: "host:port"))
        var serve: String?

        @Option(
            help: ArgumentHelp(
                "The environment variable that holds the marker API's bearer token (with --serve; see docs/http-api.md).",
                valueName: "name"))
        var tokenEnv: String?

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard DurationText.parse(segment).map({ $0.milliseconds >= 1000 && $0.milliseconds <= 60_000 }) == true else {
                throw ValidationError("--segment: expected a duration between 1s and 60s such as \"6s\", got \"\(segment)\"")
            }
            guard Container(rawValue: container) != nil else {
                throw ValidationError("--container: expected ts or fmp4, got \"\(container)\"")
            }
            guard liveWindow >= 3 else { throw ValidationError("--live-window: expected at least 3, got \(liveWindow)") }
            if let part {
                guard let duration = DurationText.parse(part) else {
                    throw ValidationError("--part: expected a duration such as \"1s\" or \"500ms\", got \"\(part)\"")
                }
                var output = OutputSpec(
                    container: Container(rawValue: container)!, segmentDuration: DurationText.parse(segment)!)
                output.partDuration = duration
                if let problem = output.partProblem {
                    let option = problem.replacingOccurrences(of: "`container: fmp4`", with: "--container fmp4")
                    throw ValidationError("--part: \(option)")
                }
            }
            if let serve, ListenAddress(serve) == nil {
                throw ValidationError("--serve: expected HOST:PORT such as 127.0.0.1:8080, got \"\(serve)\"")
            }
            if let tokenEnv {
                guard serve != nil else { throw ValidationError("--token-env: the marker API needs --serve HOST:PORT") }
                _ = try Self.token(from: tokenEnv)
            }
        }

        /// The token in the environment variable `name`; an unset or empty variable is an error,
        /// never an open API.
        static func token(from name: String) throws -> String {
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw ValidationError("--token-env: the environment variable \(name) is not set")
            }
            guard !value.isEmpty else {
                throw ValidationError("--token-env: the environment variable \(name) is empty")
            }
            return value
        }

        func run() async throws {
            let outputURL = URL(fileURLWithPath: output)
            var spec = PipelineSpec(
                name: outputURL.lastPathComponent.isEmpty ? "segment" : outputURL.lastPathComponent,
                input: InputSpec(url: input == "-" ? "pipe:0" : input, live: live ? true : nil),
                output: OutputSpec(
                    directory: outputURL.deletingLastPathComponent().path, container: Container(rawValue: container)!,
                    segmentDuration: DurationText.parse(segment)!, liveWindow: liveWindow))
            spec.output.partDuration = part.flatMap(DurationText.parse)
            if let markers { spec.markers = MarkersSpec(align: alignMarkers, files: [markers]) }
            var serving: ServeSettings?
            if let serve, let address = ListenAddress(serve) {
                serving = ServeSettings(address: address, token: try tokenEnv.map(Self.token(from:)))
                // Markers from the API need a marker section (the log, the date ranges).
                if serving?.token != nil, spec.markers == nil { spec.markers = MarkersSpec(align: alignMarkers) }
            }
            try await execute(spec: spec, directory: outputURL, reporting: reporting, serving: serving)
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
