public import Foundation

/// A live input for tests: the `ffmpeg` program writes a media file into a FIFO in real time
/// (`-re`, stream copy, MPEG-TS), as a camera or an encoder would, while the pipeline under test
/// reads the FIFO's other end.
///
/// The FIFO is made by ``start(media:fifo:loops:seconds:)``; `stop()` ends the program (it is also
/// safe to call after it ended by itself). A paused feeder (`pause()`, SIGSTOP) models a stalled
/// encoder: the FIFO stays open and nothing arrives.
public final class FFmpegFeeder: @unchecked Sendable {
    // Invariant: `process` is only started once, in `start`; its methods are thread-safe.
    private let process = Process()

    /// The FIFO the feeder writes.
    public let fifo: URL

    public enum Failure: Error, CustomStringConvertible {
        case ffmpegMissing
        case fifo(path: String, reason: String)

        public var description: String {
            switch self {
            case .ffmpegMissing: "the ffmpeg program is not installed (scripts/setup.sh --test installs it)"
            case .fifo(let path, let reason): "cannot make the FIFO \(path): \(reason)"
            }
        }
    }

    /// Makes the FIFO `fifo` and starts feeding `media` into it.
    ///
    /// - Parameters:
    ///   - loops: extra times the file is played after the first (`-stream_loop`).
    ///   - seconds: stop after this much media (`-t`), all of it when nil.
    public static func start(media: URL, fifo: URL, loops: Int = 0, seconds: Double? = nil) throws -> FFmpegFeeder {
        guard let ffmpeg = Program.which("ffmpeg") else { throw Failure.ffmpegMissing }
        guard mkfifo(fifo.path, 0o600) == 0 else {
            throw Failure.fifo(path: fifo.path, reason: String(cString: strerror(errno)))
        }
        var arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-re"]
        if loops > 0 { arguments += ["-stream_loop", String(loops)] }
        arguments += ["-i", media.path]
        if let seconds { arguments += ["-t", String(seconds)] }
        arguments += ["-c", "copy", "-f", "mpegts", "-y", fifo.path]
        let feeder = FFmpegFeeder(fifo: fifo)
        feeder.process.executableURL = URL(fileURLWithPath: ffmpeg)
        feeder.process.arguments = arguments
        feeder.process.standardInput = FileHandle.nullDevice
        feeder.process.standardOutput = FileHandle.nullDevice
        feeder.process.standardError = FileHandle.nullDevice
        try feeder.process.run()
        return feeder
    }

    private init(fifo: URL) { self.fifo = fifo }

    /// The input URL a pipeline reads the FIFO with.
    public var inputURL: String { "file://" + fifo.path }

    public var isRunning: Bool { process.isRunning }

    /// Holds the feeder (SIGSTOP): the FIFO stays open and nothing more arrives.
    public func pause() { kill(process.processIdentifier, SIGSTOP) }

    /// Lets a paused feeder go on (SIGCONT).
    public func resume() { kill(process.processIdentifier, SIGCONT) }

    /// Ends the feeder (a paused one too) and waits for it.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.terminate()
        }
        process.waitUntilExit()
    }

    /// Waits until the feeder ends by itself (the media was written).
    public func waitUntilExit() { process.waitUntilExit() }
}
