import ArgumentParser
import Cuepoint
import CuepointFFmpeg
import CuepointServer
import CuepointTime
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

extension CuepointCommand {
    /// `cuepoint server`: the show server (docs/shows.md).
    struct Server: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run many shows in one process, created and steered through an HTTP API.",
            discussion: """
                Shows are created with POST /v1/shows (a pipeline document), from --shows-dir, or by \
                `cuepoint shows create`. With --rtmp, every show without an `input` takes its publisher on \
                that one port: rtmp://HOST:PORT/live/STREAM_KEY. SIGINT/SIGTERM finalise every show; a \
                server killed outright resumes its unfinished shows when it starts again on the same --data.
                """)

        @Option(help: "HTTP address, HOST:PORT (control API, playback, marker API, hooks, /metrics).")
        var listen: String?

        @Option(help: "The data directory: shows' records and their recordings.")
        var data: String?

        @Option(help: "A server configuration file (YAML, docs/server-config.schema.json).")
        var config: String?

        @Option(help: "The environment variable holding the admin token (default CUEPOINT_ADMIN_TOKEN).")
        var adminTokenEnv: String?

        @Option(help: "RTMP address every show's publisher may use, HOST:PORT.")
        var rtmp: String?

        @Option(help: "A folder of pipeline files, one show each, read again when a file changes.")
        var showsDir: String?

        @Option(help: "How long a show waits for its first publisher, e.g. 10m.")
        var publisherWait: String?

        @Option(help: "How long a show whose publisher left waits for it, e.g. 60s.")
        var reconnectWait: String?

        @Flag(name: .shortAndLong, help: "Print FFmpeg's own messages and notes about each show.")
        var verbose = false

        func run() async throws {
            let configuration = try resolve()
            let environment = ProcessInfo.processInfo.environment
            let tokenName = configuration.adminTokenEnvironmentVariable
            guard let token = environment[tokenName], !token.isEmpty else {
                throw CommandFailure(
                    message: "\(tokenName) is not set; set it to a long random secret (the control API's admin token)",
                    exitCode: 2)
            }
            (verbose ? FFmpegLogLevel.warning : FFmpegLogLevel.quiet).apply()
            let logger = CommandLineLogHandler.logger(verbose: verbose)
            let server: ShowServer
            do {
                server = try ShowServer(configuration: configuration, adminToken: token, logger: logger)
            } catch {
                throw CommandFailure.runtime(error)
            }
            defer { server.close() }
            let host = configuration.host
            let ingest = server.ingestBase
            let (bound, binding) = AsyncStream<Int>.makeStream()
            var groupLogger = logger
            groupLogger.logLevel = .error
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(
                            service: server.application { port in
                                var line = "cuepoint server on http://\(host):\(port)/ (data: \(configuration.dataDirectory.path))"
                                if let ingest { line += "; RTMP ingest \(ingest)STREAM_KEY" }
                                FileHandle.standardOutput.write(Data((line + "\n").utf8))
                                binding.yield(port)
                                binding.finish()
                            }),
                        // Listed after the server: stopped first, so every show is finalised while
                        // the server still answers.
                        .init(service: StartingAfter(bound, server.registry)),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger))
            do {
                try await group.run()
            } catch {
                if let failure = ListenFailure(error) {
                    throw CommandFailure(
                        message: failure.message(host: host, port: configuration.port, fix: "--listen HOST:PORT"),
                        exitCode: 1)
                }
                throw CommandFailure(message: "the server stopped: \(error)", exitCode: 1)
            }
        }

        /// The configuration: the file's, then the command line's options over it.
        func resolve() throws -> ShowServerConfiguration {
            var file = ShowServerConfigurationFile()
            if let config {
                do {
                    file = try ShowServerConfigurationFile.load(path: config)
                } catch {
                    throw CommandFailure.pipeline(error)
                }
            }
            func address(_ text: String?, _ option: String) throws -> (host: String, port: Int)? {
                guard let text else { return nil }
                guard let address = ServerSpec.parseAddress(text) else {
                    throw ValidationError("\(option): expected HOST:PORT such as 127.0.0.1:8080, got \"\(text)\"")
                }
                return address
            }
            func duration(_ text: String?, _ option: String) throws -> MediaTime? {
                guard let text else { return nil }
                guard let time = DurationText.parse(text), time.milliseconds > 0 else {
                    throw ValidationError("\(option): expected a duration such as 30s or 10m, got \"\(text)\"")
                }
                return time
            }
            let listen = try address(listen, "--listen") ?? file.listen ?? (host: "127.0.0.1", port: 8080)
            guard let data = data ?? file.data else {
                throw ValidationError("--data: the data directory is required (or `data:` in --config)")
            }
            var configuration = ShowServerConfiguration(
                host: listen.host, port: listen.port, dataDirectory: URL(fileURLWithPath: data, isDirectory: true))
            configuration.rtmp = try address(rtmp, "--rtmp") ?? file.rtmp
            configuration.rtmpPublicHost = file.rtmpPublicHost
            configuration.adminTokenEnvironmentVariable =
                adminTokenEnv ?? file.adminTokenEnvironmentVariable ?? configuration.adminTokenEnvironmentVariable
            configuration.publicURL = file.publicURL
            configuration.showsDirectory = (showsDir ?? file.showsDirectory).map {
                URL(fileURLWithPath: $0, isDirectory: true)
            }
            configuration.publisherWait =
                try duration(publisherWait, "--publisher-wait") ?? file.publisherWait ?? configuration.publisherWait
            configuration.reconnectWait =
                try duration(reconnectWait, "--reconnect-wait") ?? file.reconnectWait ?? configuration.reconnectWait
            return configuration
        }
    }
}
