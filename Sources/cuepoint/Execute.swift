import CuepointTime
import Cuepoint
import CuepointFFmpeg
import CuepointServer
import Foundation

/// Runs a pipeline for the command line: warnings and progress on standard error, a stop on
/// SIGINT/SIGTERM, and a summary on standard output.
///
/// The pipeline runs on a thread of its own (`PipelineRunner.run()`), never on one of the
/// cooperative pool's threads, which the server (with `serving`) needs.
///
/// - Parameter serving: Serve the recording directory while the job runs (files, `/healthz`,
///   `/metrics`, and the marker API when it has a token); the server stops when the job ends.
func execute(spec: PipelineSpec, directory: URL?, reporting: ReportingOptions, serving: ServeSettings? = nil)
    async throws
{
    (reporting.verbose ? FFmpegLogLevel.warning : FFmpegLogLevel.quiet).apply()
    let terminal = isatty(STDERR_FILENO) == 1 && !reporting.noProgress
    let progressLine = ProgressLine(enabled: terminal)
    var options = RunOptions()
    options.warning = { message in
        progressLine.clear()
        FileHandle.standardError.write(Data("cuepoint: warning: \(message)\n".utf8))
    }
    if terminal { options.progress = { progressLine.show($0) } }
    // The server's /metrics renders a registry of its own, which the pipeline records into.
    let export = serving.map { _ in PrometheusExport() }
    options.metricsFactory = export?.factory
    let runner = PipelineRunner(spec: spec, directory: directory, options: options)

    // SIGINT/SIGTERM: finish the open segment and publish final playlists, then exit 0.
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let signalQueue = DispatchQueue(label: "cuepoint.signals")
    let sources = [SIGINT, SIGTERM].map { number in
        let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
        source.setEventHandler { runner.stop() }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }

    let outcome: Result<RunSummary, CuepointError>
    if let serving, let export {
        outcome = try await runServing(runner, serving, export: export)
    } else {
        outcome = await runner.result()
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
    if let replay = summary.replay {
        for note in replay.notes { FileHandle.standardError.write(Data("cuepoint: note: \(note)\n".utf8)) }
        print(
            "replay: \(replay.products) product(s), \(replay.chapters) chapter(s), \(replay.clips) clip(s) → "
                + "\(replay.directory)/master.m3u8, preview \(replay.directory)/index.html")
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
}

/// Serves the runner's directory while it runs: binds first (so the address is printed, and a
/// port in use fails the command before any input is read), then runs the pipeline, then
/// stops the server.
///
/// - Returns: how the pipeline ended.
/// - Throws: `CommandFailure` when the server cannot listen.
private func runServing(_ runner: PipelineRunner, _ serving: ServeSettings, export: PrometheusExport) async throws
    -> Result<RunSummary, CuepointError>
{
    // The server starts before the pipeline creates the directory (files appear as it writes
    // them); nothing is created before the address is bound.
    let directory = runner.directory.path
    let host = serving.address.host
    let server = DirectoryServer(
        directory: directory, host: host, port: serving.address.port,
        markerAPI: serving.token.map { MarkerAPI(token: $0, endpoint: runner) }, metrics: runner.metrics,
        metricsRegistry: export.registry, partStore: runner.partStore)
    let (bound, binding) = AsyncStream<Int>.makeStream()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { binding.finish() }
            try await server.runUntilCancelled { port in binding.yield(port) }
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            // The server ended before it listened: its error says why.
            var reason = "the server stopped"
            do {
                try await group.next()
            } catch {
                if let failure = ListenFailure(error) {
                    throw CommandFailure(
                        message: failure.message(host: host, port: serving.address.port, fix: "--serve HOST:PORT"),
                        exitCode: 1)
                }
                reason = "\(error)"
            }
            throw CommandFailure(message: "cannot serve on \(host):\(serving.address.port): \(reason)", exitCode: 1)
        }
        let api = serving.token == nil ? "off" : "on, /v1/markers"
        FileHandle.standardOutput.write(
            Data("serving \(directory) on http://\(host):\(port)/ (metrics: /metrics; marker API: \(api))\n".utf8))
        let outcome = await runner.result()
        group.cancelAll()
        // The server's end after the cancellation is not a failure of the command.
        while true {
            do {
                guard try await group.next() != nil else { break }
            } catch {
                continue
            }
        }
        return outcome
    }
}

extension PipelineRunner {
    /// Runs the pipeline on its own thread and returns how it ended.
    func result() async -> Result<RunSummary, CuepointError> {
        do throws(CuepointError) {
            return .success(try await run())
        } catch {
            return .failure(error)
        }
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
