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
    if let serving {
        outcome = try await runServing(runner, serving)
    } else {
        outcome = await runner.result()
    }
    progressLine.clear()
    let summary: RunSummary
    switch outcome {
    case .success(let value): summary = value
    case .failure(let error): throw CommandFailure.runtime(error)
    }
    let master = summary.directory.appendingPathComponent("master.m3u8").path
    for rendition in summary.renditions {
        print(
            "\(rendition.name): \(rendition.segments) segments, "
                + String(format: "%.3f s, %.1f MB", Double(rendition.durationMilliseconds) / 1000, Double(rendition.byteCount) / 1e6)
                + " → \(summary.directory.appendingPathComponent(rendition.playlist).path)")
    }
    print("master playlist: \(master)\(summary.stopped ? " (stopped early)" : "")")
    if let replay = summary.replay {
        for note in replay.notes { FileHandle.standardError.write(Data("cuepoint: note: \(note)\n".utf8)) }
        print(
            "replay: \(replay.products) product(s), \(replay.chapters) chapter(s), \(replay.clips) clip(s) → "
                + "\(replay.directory)/master.m3u8, preview \(replay.directory)/index.html")
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
private func runServing(_ runner: PipelineRunner, _ serving: ServeSettings) async throws
    -> Result<RunSummary, CuepointError>
{
    let directory = runner.directory.path
    // The server starts before the pipeline creates the directory.
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let host = serving.address.host
    let server = DirectoryServer(
        directory: directory, host: host, port: serving.address.port,
        markerAPI: serving.token.map { MarkerAPI(token: $0, endpoint: runner) }, metrics: runner.metrics,
        partStore: runner.partStore)
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
            do { try await group.next() } catch { reason = "\(error)" }
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
        let seconds = Double(progress.mediaMilliseconds) / 1000
        let speed = seconds / max(Date().timeIntervalSince(started), 0.001)
        var line = String(format: "segmenting %.1f s", seconds)
        if let total = progress.totalMilliseconds, total > 0 {
            line += String(format: " of %.1f s (%.0f%%)", Double(total) / 1000, min(100, seconds * 100_000 / Double(total)))
        }
        line += String(format: ", %d segments, %.1fx", progress.segments, speed)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        visible = true
    }

    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if visible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        visible = false
    }
}
