internal import CCuepointFFmpeg
import Foundation

/// One line FFmpeg logged: who logged it (the `AVClass` name: `rtmp`, `tcp`, `mpegts`), how
/// severe it is, and its text without FFmpeg's `[name @ 0x…]` prefix.
public struct FFmpegLogMessage: Sendable, Equatable {
    /// The name of the logging context as FFmpeg prints it (`rtmp`, `tcp`, `mpegts`), empty when none.
    public var className: String
    /// FFmpeg's level: lower is more severe (`AV_LOG_ERROR` 16, `AV_LOG_WARNING` 24).
    public var level: Int32
    /// The message, without the trailing newline.
    public var text: String
    public init(className: String, level: Int32, text: String) {
        self.className = className
        self.level = level
        self.text = text
    }

    /// Whether the message is a warning or worse.
    public var isWarningOrWorse: Bool { level <= 24 }
}

/// Lets a thread see what FFmpeg logs while it runs a blocking call, without changing what
/// FFmpeg prints.
///
/// FFmpeg reports some facts only in its log: the RTMP server in listen mode accepts any
/// application and stream name and only logs the ones it did not expect ("Unexpected stream
/// KEY, expecting …"). FFmpeg logs on the thread that called it, so an observer is kept per
/// thread (`pthread` key) and the process-wide log callback, installed on first use, hands each
/// message to the observer of the calling thread, if any, then prints it as FFmpeg's default
/// callback would (to standard error, when its level passes `av_log_set_level`).
///
/// The corresponding FFmpeg functions are `av_log_set_callback` and `av_log_format_line2`.
public enum FFmpegLogObserver {
    /// Runs `body` on the calling thread, handing every message of level `maximumLevel` or more
    /// severe that FFmpeg logs meanwhile on this thread to `observer`.
    public static func observing<Result, Failure: Error>(
        upTo maximumLevel: Int32 = 24, _ observer: @escaping (FFmpegLogMessage) -> Void,
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        installCallbackOnce()
        let box = Unmanaged.passRetained(ObserverBox(level: maximumLevel, observer: observer))
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, box.toOpaque())
        defer {
            pthread_setspecific(key, previous)
            box.release()
        }
        return try body()
    }

    final class ObserverBox {
        let level: Int32
        let observer: (FFmpegLogMessage) -> Void
        init(level: Int32, observer: @escaping (FFmpegLogMessage) -> Void) {
            self.level = level
            self.observer = observer
        }
    }

    nonisolated(unsafe) static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The callback's installation, run once by the first use (a `static let`'s initialiser
    /// runs exactly once, under `swift_once`, which tools such as ThreadSanitizer understand).
    private static let installation: Void = cuepoint_install_log_callback()

    static func installCallbackOnce() {
        _ = key
        _ = installation
    }

}

/// Called by `cuepoint_log_callback` (shim.h) with each formatted line FFmpeg logs: hands it to
/// the calling thread's observer, if any, then prints it when its level passes
/// `av_log_set_level`, as FFmpeg's default callback would.
@_cdecl("cuepoint_log_line")
func cuepointLogLine(_ context: UnsafeMutableRawPointer?, _ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    let text = String(cString: line)
    if level <= av_log_get_level() { FileHandle.standardError.write(Data(text.utf8)) }
    guard let opaque = pthread_getspecific(FFmpegLogObserver.key) else { return }
    let box = Unmanaged<FFmpegLogObserver.ObserverBox>.fromOpaque(opaque).takeUnretainedValue()
    guard level <= box.level else { return }
    // The "[name @ 0x…] " prefix av_log_format_line2 adds names the context as `item_name` does
    // (a URLContext is named after its protocol: `rtmp`, `tcp`); keep the name, drop the prefix.
    var className = ""
    var message = Substring(text)
    if message.hasPrefix("["), let close = message.firstIndex(of: "]") {
        className = String(message.dropFirst().prefix { $0 != " " && $0 != "]" })
        message = message[message.index(after: close)...].drop { $0 == " " }
    } else if let context {
        let avClass = context.assumingMemoryBound(to: UnsafePointer<AVClass>?.self).pointee
        if let name = avClass?.pointee.class_name { className = String(cString: name) }
    }
    while message.hasSuffix("\n") { message = message.dropLast() }
    box.observer(FFmpegLogMessage(className: className, level: level, text: String(message)))
}
