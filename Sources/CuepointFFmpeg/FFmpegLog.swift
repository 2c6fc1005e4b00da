internal import CCuepointFFmpeg

/// How much FFmpeg itself prints to standard error.
public enum FFmpegLogLevel: Sendable {
    case quiet, error, warning, info, debug

    var rawValue: Int32 {
        switch self {
        case .quiet: AV_LOG_QUIET
        case .error: AV_LOG_ERROR
        case .warning: AV_LOG_WARNING
        case .info: AV_LOG_INFO
        case .debug: AV_LOG_DEBUG
        }
    }

    /// Sets FFmpeg's global log level. The corresponding FFmpeg function is `av_log_set_level`.
    public func apply() { av_log_set_level(rawValue) }
}
