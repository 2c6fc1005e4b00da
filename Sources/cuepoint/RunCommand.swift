import ArgumentParser
import Cuepoint
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline file, or several in one process (each on its own thread).")

        @Argument(help: "The pipeline file (YAML or JSON); more than one runs them side by side in one process.")
        var pipelines: [String] = []

        /// The pipeline file when there is one.
        var pipeline: String { pipelines[0] }

        @Option(help: "Use this input instead of the pipeline's input.url.")
        var input: String?

        @Option(help: "Write under this directory instead of the pipeline's output.directory.")
        var output: String?

        @Option(
            help: ArgumentHelp(
                "Serve the recording on HOST:PORT while the job runs, as the pipeline's server.listen (which this overrides).",
                valueName: "host:port"))
        var serve: String?

        @Option(
            help: ArgumentHelp(
                "A JSON list of the show's products (id, title, price, currency, image, url) for the producer console at /console (with the pipeline's server.token_env; see docs/console.md).",
                valueName: "file"))
        var products: String?

        @OptionGroup var publishing: PublishingOptions

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard !pipelines.isEmpty else { throw ValidationError("Missing expected argument '<pipelines> ...'") }
            if pipelines.count > 1, input != nil || serve != nil || !publishing.publish.isEmpty {
                throw ValidationError(
                    "--input, --serve and --publish apply to one pipeline; with several, set them in each file")
            }
        }

        func run() async throws {
            if pipelines.count > 1 {
                return try await executeGroup(files: pipelines, outputDirectory: output, reporting: reporting)
            }
            var spec: PipelineSpec
            do {
                spec = try PipelineFile.load(path: pipeline)
            } catch {
                throw CommandFailure.pipeline(error)
            }
            if let input { spec.input.url = input }
            if let output { spec.output.directory = output }
            try publishing.apply(to: &spec)
            if let serve {
                guard let address = ListenAddress(serve) else {
                    throw ValidationError("--serve: expected HOST:PORT such as 127.0.0.1:8080, got \"\(serve)\"")
                }
                var server = spec.server ?? ServerSpec(host: address.host, port: address.port)
                (server.host, server.port) = (address.host, address.port)
                spec.server = server
            }
            var serving: ServeSettings?
            if let server = spec.server {
                // The token comes from the environment, never from the file; a variable that is
                // named but unset is an error, never an open API.
                let token = try server.tokenEnvironmentVariable.map { name in
                    do {
                        return try Segment.token(from: name)
                    } catch {
                        throw CommandFailure(
                            message: "\(pipeline): server.token_env: the environment variable \(name) is not set or empty",
                            exitCode: 2)
                    }
                }
                // --products overrides the pipeline's console.products.
                let catalogue = try products.map { try ConsoleProducts.load($0) }
                    ?? spec.console?.products.map { try ConsoleProducts.load($0, key: "\(pipeline): console.products") }
                serving = ServeSettings(
                    address: ListenAddress(host: server.host, port: server.port), token: token,
                    products: catalogue ?? ProductCatalogue())
                if token != nil, spec.markers == nil { spec.markers = MarkersSpec() }
            }
            if spec.console != nil || products != nil, serving?.token == nil {
                throw CommandFailure(
                    message: "\(pipeline): \(products == nil ? "console" : "--products"): the console is served with the marker API; "
                        + "add `server: { listen: HOST:PORT, token_env: NAME }` to the pipeline (or give --serve HOST:PORT)",
                    exitCode: 2)
            }
            try await execute(spec: spec, directory: nil, reporting: reporting, serving: serving)
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a pipeline file without running it.")

        @Argument(help: "The pipeline file (YAML or JSON).")
        var pipeline: String

        func run() throws {
            let spec: PipelineSpec
            do {
                spec = try PipelineFile.load(path: pipeline)
            } catch {
                throw CommandFailure.pipeline(error)
            }
            // The caption files are read as the run would read them, before the show.
            let problems = spec.captionProblems()
            if !problems.isEmpty {
                for problem in problems { FileHandle.standardError.write(Data("cuepoint: \(problem)\n".utf8)) }
                throw CommandFailure(
                    message: "\(EchoedText.path(pipeline)): \(problems.count) problem(s) in the caption files (above, by file"
                        + " and line); fix them, or a run leaves those cues or languages out",
                    exitCode: 2)
            }
            print(
                "\(EchoedText.path(pipeline)): valid (pipeline \"\(EchoedText.value(spec.name))\", "
                    + "\(spec.renditions.count) rendition(s), input \(EchoedText.path(spec.input.url)))")
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

        @Flag(
            help: "Wait for the source to connect: an RTMP server for one publisher (the stream key is the URL's last path component) or an SRT listener.")
        var listen = false

        @Option(
            help: ArgumentHelp(
                "How long a live network input may send nothing before it counts as dropped (default 10s).",
                valueName: "duration"))
        var timeout: String?

        @Option(
            help: ArgumentHelp(
                "After a live source drops, wait this long for it to reconnect before finalising the recording (default with --listen: 30s; 0s: finalise at once).",
                valueName: "duration"))
        var reconnectWait: String?

        @Option(
            help: ArgumentHelp("The environment variable that holds the SRT passphrase.", valueName: "name"))
        var passphraseEnv: String?

        @Option(help: "Product markers: a JSON-lines file (see docs/markers.md).")
        var markers: String?

        @Option(
            name: .customLong("captions"),
            help: ArgumentHelp(
                "A WebVTT or SRT caption file and its language, FILE:LANG (repeat for more languages): HLS subtitle renditions of the recording.",
                valueName: "FILE[:LANG]"))
        var captionFiles: [String] = []

        @Flag(help: "Start a segment at each marker (at the first keyframe at or after it).")
        var alignMarkers = false

        @Option(
            help: ArgumentHelp(
                "Transcode into a ladder of named presets instead of copying, e.g. 720p,480p,360p (also 1080p, 240p, audio-only); rungs larger than the input are left out.",
                valueName: "rungs"))
        var ladder: String?

        @Flag(help: "With --ladder: byte-identical output on every run (one x264 thread per rendition, bitexact muxers).")
        var deterministic = false

        @Flag(help: "With --ladder: keep the input's streams as a `source` rendition beside the ladder.")
        var keepSource = false

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

        @Option(
            help: ArgumentHelp(
                "A JSON list of the show's products (id, title, price, currency, image, url) for the producer console at /console (with --token-env; see docs/console.md).",
                valueName: "file"))
        var products: String?

        @OptionGroup var publishing: PublishingOptions

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard DurationText.parse(segment).map({ $0.milliseconds >= 1000 && $0.milliseconds <= 60_000 }) == true else {
                throw ValidationError("--segment: expected a duration between 1s and 60s such as \"6s\", got \"\(segment)\"")
            }
            guard Container(rawValue: container) != nil else {
                throw ValidationError("--container: expected ts or fmp4, got \"\(container)\"")
            }
            guard liveWindow >= 3 else { throw ValidationError("--live-window: expected at least 3, got \(liveWindow)") }
            if let ladder {
                do {
                    _ = try LadderPreset.parse(ladder)
                } catch {
                    throw ValidationError("\(error.message)\(error.fix.map { "; \($0)" } ?? "")")
                }
            } else if deterministic || keepSource {
                throw ValidationError("--deterministic and --keep-source apply to a --ladder")
            }
            if let timeout, DurationText.parse(timeout).map({ $0.milliseconds >= 500 }) != true {
                throw ValidationError("--timeout: expected a duration of at least 500ms such as \"5s\", got \"\(timeout)\"")
            }
            if let reconnectWait, DurationText.parse(reconnectWait) == nil {
                throw ValidationError("--reconnect-wait: expected a duration such as \"30s\", got \"\(reconnectWait)\"")
            }
            if listen {
                let scheme = InputSpec.scheme(of: input)
                guard scheme == "rtmp" || scheme == "srt" || scheme == "udp" else {
                    throw ValidationError("--listen: only rtmp:// and srt:// inputs can listen, got \"\(InputSpec.redacted(input))\"")
                }
                if scheme == "rtmp", !InputSpec.hasStreamKey(input) {
                    throw ValidationError(
                        "--listen: an RTMP input that listens needs an application and a stream key, as in rtmp://127.0.0.1:1935/live/KEY")
                }
            }
            if let passphraseEnv { _ = try Self.passphrase(from: passphraseEnv) }
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
            for file in captionFiles { _ = try Replay.captionSource(file) }
            if let products {
                guard tokenEnv != nil else {
                    throw ValidationError("--products: the console's products need the marker API: give --serve HOST:PORT and --token-env NAME")
                }
                _ = try ConsoleProducts.load(products)
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

        /// The SRT passphrase in the environment variable `name`: 10 to 79 characters.
        static func passphrase(from name: String) throws -> String {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("--passphrase-env: the environment variable \(name) is not set or empty")
            }
            guard (10...79).contains(value.count) else {
                throw ValidationError("--passphrase-env: an SRT passphrase has 10 to 79 characters, \(name) has \(value.count)")
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
            spec.input.listen = listen
            spec.input.timeout = timeout.flatMap(DurationText.parse)
            let wait = reconnectWait.flatMap(DurationText.parse) ?? (listen ? .milliseconds(30_000) : nil)
            spec.input.reconnectWait = wait.flatMap { $0.milliseconds > 0 ? $0 : nil }
            spec.input.passphrase = try passphraseEnv.map(Self.passphrase(from:))
            spec.output.partDuration = part.flatMap(DurationText.parse)
            if let markers { spec.markers = MarkersSpec(align: alignMarkers, files: [markers]) }
            spec.captions = try captionFiles.map(Replay.captionSource)
            if let ladder {
                let rungs = try LadderPreset.parse(ladder).map {
                    RenditionSpec(name: $0.name, copy: false, preset: $0)
                }
                spec.renditions = (keepSource ? [RenditionSpec(name: "source", copy: true)] : []) + rungs
                spec.transcode = TranscodeSpec(deterministic: deterministic)
            }
            var serving: ServeSettings?
            if let serve, let address = ListenAddress(serve) {
                serving = ServeSettings(
                    address: address, token: try tokenEnv.map(Self.token(from:)),
                    products: try products.map { try ConsoleProducts.load($0) } ?? ProductCatalogue())
                // Markers from the API need a marker section (the log, the date ranges).
                if serving?.token != nil, spec.markers == nil { spec.markers = MarkersSpec(align: alignMarkers) }
            }
            try publishing.apply(to: &spec)
            try await execute(spec: spec, directory: outputURL, reporting: reporting, serving: serving)
        }
    }
}

/// `--publish` and its timeout, shared by `segment` and `run`.
struct PublishingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Copy the recording to this store while it is made: s3://BUCKET/PREFIX (endpoint, region and keys from the "
                + "AWS_* environment variables) or http(s)://HOST/PREFIX (an origin taking PUT and DELETE). Repeatable.",
            valueName: "url"))
    var publish: [String] = []

    @Option(
        help: ArgumentHelp(
            "With --publish: how long the end of the job waits for the stores to take what is left (default 60s).",
            valueName: "duration"))
    var publishTimeout: String?

    func validate() throws {
        if let publishTimeout {
            guard let wait = DurationText.parse(publishTimeout), wait.milliseconds >= 0,
                wait <= PublishSpec.maximumWait
            else {
                throw ValidationError("--publish-timeout: expected a duration up to 1h such as \"2m\", got \"\(publishTimeout)\"")
            }
            if publish.isEmpty { throw ValidationError("--publish-timeout applies to --publish") }
        }
        for url in publish {
            do {
                _ = try PublishSpec(url: url).resolve(environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ValidationError("--publish \(error)")
            }
        }
    }

    /// Adds the targets to the pipeline's own (`output.publish`); the timeout applies to all.
    func apply(to spec: inout PipelineSpec) throws {
        for url in publish where !spec.output.publish.contains(where: { $0.url == url }) {
            spec.output.publish.append(PublishSpec(url: url))
        }
        if let wait = publishTimeout.flatMap(DurationText.parse) {
            for index in spec.output.publish.indices { spec.output.publish[index].finishTimeout = wait }
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
