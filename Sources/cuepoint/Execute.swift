import Cuepoint
import CuepointFFmpeg
import Foundation

/// Runs a pipeline for the command line: warnings and progress on standard error, a stop on
/// SIGINT/SIGTERM, and a summary on standard output.
func execute(spec: PipelineSpec, directory: URL?, reporting: ReportingOptions) throws {
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

    let summary: RunSummary
    do {
        summary = try runner.runBlocking()
    } catch {
        progressLine.clear()
        throw CommandFailure.runtime(error)
    }
    progressLine.clear()
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
