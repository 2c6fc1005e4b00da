import Foundation
import Logging

/// How the command line prints log messages: one line each on standard error,
/// `cuepoint: warning: NAME: message` (the pipeline's name, from the `pipeline` metadata, when
/// several run in one process), after clearing the progress line if one is shown.
struct CommandLineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let progress: ProgressLine?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        progress?.clear()
        let pipeline = (event.metadata?["pipeline"] ?? metadata["pipeline"]).map { "\($0): " } ?? ""
        let level =
            switch event.level {
            case .trace, .debug, .info, .notice: "note"
            case .warning: "warning"
            case .error, .critical: "error"
            }
        FileHandle.standardError.write(Data("cuepoint: \(level): \(pipeline)\(event.message)\n".utf8))
    }

    /// A logger that prints warnings and errors (and notes with `verbose`) this way.
    static func logger(progress: ProgressLine? = nil, verbose: Bool = false, pipeline: String? = nil) -> Logger {
        var logger = Logger(label: "cuepoint") { _ in
            CommandLineLogHandler(logLevel: verbose ? .info : .warning, progress: progress)
        }
        if let pipeline { logger[metadataKey: "pipeline"] = "\(pipeline)" }
        return logger
    }
}
