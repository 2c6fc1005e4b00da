internal import CCuepointFFmpeg

/// A failure reported by an FFmpeg function: its AVERROR code, FFmpeg's own text for it,
/// and the name of the function that returned it.
public struct FFmpegError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An AVERROR code. Open: codes this type does not name are still represented.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `AVERROR_EOF`.
        public static let endOfFile = Code(rawValue: cuepoint_averror_eof())
        /// `AVERROR(EAGAIN)`.
        public static let tryAgain = Code(rawValue: cuepoint_averror_eagain())
        /// `AVERROR_INVALIDDATA`.
        public static let invalidData = Code(rawValue: cuepoint_averror_invaliddata())
        /// `AVERROR_EXIT`: the interrupt callback stopped a blocking call.
        public static let exit = Code(rawValue: cuepoint_averror_exit())
        /// `AVERROR(ENOENT)`.
        public static let noSuchFile = Code(rawValue: cuepoint_averror(ENOENT))
        /// `AVERROR(EIO)`.
        public static let inputOutput = Code(rawValue: cuepoint_averror(EIO))
        /// `AVERROR(EINVAL)`.
        public static let invalidArgument = Code(rawValue: cuepoint_averror(EINVAL))
        /// `AVERROR(ENOSPC)`.
        public static let noSpace = Code(rawValue: cuepoint_averror(ENOSPC))
        /// `AVERROR(ENOMEM)`.
        public static let noMemory = Code(rawValue: cuepoint_averror(ENOMEM))
        /// `AVERROR(EACCES)`: also what a refused live connection is reported as.
        public static let permissionDenied = Code(rawValue: cuepoint_averror(EACCES))
        /// `AVERROR(ECONNREFUSED)`.
        public static let connectionRefused = Code(rawValue: cuepoint_averror(ECONNREFUSED))
        /// `AVERROR(ETIMEDOUT)`.
        public static let timedOut = Code(rawValue: cuepoint_averror(ETIMEDOUT))
        /// `AVERROR_DEMUXER_NOT_FOUND`.
        public static let demuxerNotFound = Code(rawValue: cuepoint_averror_demuxer_not_found())

        /// The POSIX errno behind the code, when it wraps one (`AVERROR(e)` is `-e`).
        public var posixErrno: Int32? { rawValue < 0 && rawValue > -4096 ? -rawValue : nil }

        public var description: String { String(rawValue) }
    }

    /// The code the function returned.
    public var code: Code
    /// The FFmpeg function that failed, e.g. `avformat_open_input`.
    public var function: String
    /// FFmpeg's text for the code (`av_strerror`), or a description for failures without a code.
    public var message: String

    /// Wraps a negative return value of `function`.
    public init(code: Int32, function: String) {
        self.code = Code(rawValue: code)
        self.function = function
        self.message = FFmpegError.text(for: code)
    }

    /// A failure without an AVERROR code (a NULL allocation, a missing feature).
    public init(code: Code, function: String, message: String) {
        self.code = code
        self.function = function
        self.message = message
    }

    public var description: String { "\(function): \(message) (AVERROR \(code.rawValue))" }

    /// The corresponding FFmpeg function is `av_strerror`.
    static func text(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 { return "error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws when `result` is negative, naming `function`; returns `result` otherwise.
    @discardableResult
    static func check(_ result: Int32, _ function: String) throws(FFmpegError) -> Int32 {
        if result < 0 { throw FFmpegError(code: result, function: function) }
        return result
    }
}
