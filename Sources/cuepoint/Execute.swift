import CuepointTime
import Cuepoint
import CuepointFFmpeg
import CuepointObjectStorage
import CuepointServer
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a pipeline for the command line: warnings and progress on standard error, a stop on
/// SIGINT/SIGTERM, and a summary on standard output.
///
/// The pipeline (and, with `serving`, the HTTP server) are services of one `ServiceGroup`, with
/// SIGINT and SIGTERM as graceful-shutdown signals: the pipeline finishes its recording (the open
/// segment closes, final playlists are published), then the server stops. The pipeline runs on a
/// thread of its own, never on one of the cooperative pool's threads, which the server needs.
///
/// - Parameter serving: Serve the recording directory while the job runs (files, `/healthz`,
///   `/metrics`, and the marker API when it has a token); the server binds before the pipeline
///   starts (a port in use fails the command before any input is read or any file written) and
///   stops when the job ends.
func execute(spec: PipelineSpec, directory: URL?, reporting: ReportingOptions, serving: ServeSettings? = nil)
    async throws
{
    (reporting.verbose ? FFmpegLogLevel.warning : FFmpegLogLevel.quiet).apply()
    let terminal = isatty(STDERR_FILENO) == 1 && !reporting.noProgress
    let progressLine = ProgressLine(enabled: terminal)
    var options = RunOptions()
    options.logger = CommandLineLogHandler.logger(progress: progressLine, verbose: reporting.verbose)
    if terminal { options.progress = { progressLine.show($0) } }
    // The server's /metrics renders a registry of its own, which the pipeline records into.
    let export = serving.map { _ in PrometheusExport() }
    options.metricsFactory = export?.factory
    let runner = PipelineRunner(spec: spec, directory: directory, options: options)

    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    if let serving, let export {
        let host = serving.address.host
        let directory = runner.directory.path
        // The catalogue the producer last set through the API, kept beside the recording, comes
        // back ahead of the configured one when the job resumes.
        let (products, note) = ProductCatalogueStore.restoring(
            configured: serving.products, file: runner.directory.appendingPathComponent(RecordingLayout.productCatalogue))
        if serving.token != nil, let note { options.logger.notice("\(note)") }
        let server = DirectoryServer(
            directory: directory, host: host, port: serving.address.port,
            markerAPI: serving.token.map {
                MarkerAPI(token: $0, endpoint: runner, products: products)
            }, metrics: runner.metrics,
            metricsRegistry: export.registry, partStore: runner.partStore)
        let (bound, binding) = AsyncStream<Int>.makeStream()
        let api = serving.token == nil ? "off" : "on, /v1/markers; console: /console"
        services.append(
            .init(
                service: server.application { port in
                    FileHandle.standardOutput.write(
                        Data("serving \(directory) on http://\(host):\(port)/ (metrics: /metrics; marker API: \(api))\n".utf8))
                    binding.yield(port)
                    binding.finish()
                }))
        // Listed after the server: shut down first, so the server answers until the end.
        services.append(
            .init(
                service: StartingAfter(bound, runner), successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
    } else {
        services.append(
            .init(
                service: runner, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
    }
    var groupLogger = options.logger
    groupLogger.logLevel = .error
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger))
    do {
        try await group.run()
    } catch {
        // The pipeline's own failure is in its outcome; anything else is the server's.
        if runner.outcome == nil, let serving {
            if let failure = ListenFailure(error) {
                throw CommandFailure(
                    message: failure.message(host: serving.address.host, port: serving.address.port, fix: "--serve HOST:PORT"),
                    exitCode: 1)
            }
            throw CommandFailure(message: "cannot serve on \(serving.address.host):\(serving.address.port): \(error)", exitCode: 1)
        }
    }
    guard let outcome = runner.outcome else {
        throw CommandFailure(message: "the pipeline did not start", exitCode: 1)
    }
    progressLine.clear()
    let summary: RunSummary
    switch outcome {
    case .success(let value): summary = value
    case .failure(let error): throw CommandFailure.runtime(error)
    }
    if summary.renditions.isEmpty {
        // Stopped while waiting for the first publisher.
        print("stopped before any input arrived; nothing was recorded")
        return
    }
    let master = summary.directory.appendingPathComponent(RecordingLayout.multivariantPlaylist).path
    if summary.renditions.contains(where: \.transcoded) {
        print(SummaryTable.render(summary.renditions), terminator: "")
    } else {
        printRenditionLines(summary)
    }
    print("master playlist: \(master)\(summary.stopped ? " (stopped early)" : "")")
    for outcome in summary.publishing {
        let done = outcome.summary
        let state =
            done.isComplete ? "complete" : "INCOMPLETE, \(done.left.count) operation(s) left in \(summary.directory.path)"
        print("published: \(outcome.url): \(done.files) files, \(done.documents) documents, \(done.deletedKeys) deletes (\(state))")
    }
    if let replay = summary.replay {
        for note in replay.notes { FileHandle.standardError.write(Data("cuepoint: note: \(note)\n".utf8)) }
        print(
            "replay: \(replay.products) product(s), \(replay.chapters) chapter(s), \(replay.clips) clip(s) → "
                + "\(replay.directory)/master.m3u8, player \(replay.directory)/index.html")
    }
}

/// One line per rendition: segments, duration, size and playlist.
private func printRenditionLines(_ summary: RunSummary) {
    for rendition in summary.renditions {
        print(
            "\(rendition.name): \(rendition.segments) segments, "
                + SecondsText.format(milliseconds: rendition.durationMilliseconds)
                + String(format: ", %.1f MB", Double(rendition.byteCount) / 1e6)
                + " → \(summary.directory.appendingPathComponent(rendition.playlist).path)")
    }
}

/// The table printed after a transcoding run: rendition, resolution, bit rate, size, segments.
enum SummaryTable {
    static func render(_ renditions: [RunSummary.Rendition]) -> String {
        let header = ["rendition", "kind", "resolution", "bitrate", "size", "segments", "duration"]
        let rows = renditions.map { rendition in
            [
                rendition.name, rendition.transcoded ? "encoded" : "copy", rendition.resolution ?? "audio",
                rendition.averageBitrate.map { String(format: "%.0f kb/s", Double($0) / 1000) } ?? "-",
                String(format: "%.1f MB", Double(rendition.byteCount) / 1e6), String(rendition.segments),
                SecondsText.format(milliseconds: rendition.durationMilliseconds),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                // Text columns left-aligned, numbers right-aligned.
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index < 3 ? cell + pad : pad + cell
            }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}

/// What `--serve` asks for.
struct ServeSettings {
    var address: ListenAddress
    /// The marker API's bearer token; nil leaves the API off.
    var token: String?
    /// The products the console lists (`--products FILE`); empty: none until `PUT /v1/products`.
    var products = ProductCatalogue()
}



/// Runs a service once another has bound its address: the pipeline starts only after the server
/// listens, so a port in use ends the command before any input is read or file written.
struct StartingAfter<S: Service>: Service {
    let bound: AsyncStream<Int>
    let service: S

    init(_ bound: AsyncStream<Int>, _ service: S) {
        self.bound = bound
        self.service = service
    }

    func run() async throws {
        var ports = bound.makeAsyncIterator()
        guard await ports.next() != nil else { return }  // the server ended before it listened
        try await service.run()
    }
}

/// The one-line progress display on a terminal.
final class ProgressLine: @unchecked Sendable {
    // Invariant: only the pipeline thread calls show/clear while running; the lock guards the rest.
    private let lock = NSLock()
    private let enabled: Bool
    private var visible = false
    private let started = Date()

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: RunProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let line = Self.render(progress, elapsed: Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        visible = true
    }

    /// `[#######.............]  35%  7.0/20.0 s  2 segments  1.9x  ETA 7 s` for a file;
    /// `segmenting 7.0 s, 2 segments, 1.0x` for a live input (no end to measure against).
    static func render(_ progress: RunProgress, elapsed: TimeInterval) -> String {
        let seconds = Double(progress.mediaMilliseconds) / 1000
        let speed = seconds / max(elapsed, 0.001)
        guard let total = progress.totalMilliseconds, total > 0 else {
            return String(format: "segmenting %.1f s, %d segments, %.1fx", seconds, progress.segments, speed)
        }
        let totalSeconds = Double(total) / 1000
        let fraction = min(1, seconds / totalSeconds)
        let width = 20
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let eta = speed > 0 ? String(format: "ETA %.0f s", max(0, totalSeconds - seconds) / speed) : "ETA -"
        return bar
            + String(
                format: " %3.0f%%  %.1f/%.1f s  %d segments  %.1fx  ", fraction * 100, seconds, totalSeconds,
                progress.segments, speed) + eta
    }

    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if visible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        visible = false
    }
}
