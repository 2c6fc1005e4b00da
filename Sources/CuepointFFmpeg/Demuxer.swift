internal import CCuepointFFmpeg
public import CuepointTime
import Foundation

/// An open input: a file, `pipe:0`, or any URL libavformat reads, with its streams.
///
/// Owned by the thread that reads it; `interrupt` may be used from any thread to stop a
/// blocking `open` or `read`. The corresponding FFmpeg type is `AVFormatContext` (input).
public final class Demuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    /// Stops blocking calls on this input; shared with whoever may cancel the read.
    public let interrupt: InterruptPolicy
    /// The input's streams, in container order.
    public let streams: [StreamInfo]
    /// The demuxer FFmpeg chose (`mov,mp4,m4a,3gp,3g2,mj2`, `mpegts`, `flv`, …).
    public let formatName: String
    /// The declared duration of the whole input, nil when unknown (live inputs).
    public let duration: MediaTime?
    /// The input's size in bytes, nil when unknown (pipes, network).
    public let byteSize: Int64?
    /// Options the caller passed that FFmpeg did not recognise.
    public let unusedOptions: [String]
    /// When `avformat_open_input` returned (`DispatchTime.uptimeNanoseconds`): for a live input,
    /// about when its first bytes arrived, before `avformat_find_stream_info` buffered more.
    public private(set) var openedUptimeNanoseconds: UInt64 = 0
    /// The custom AVIO context of an input opened from a ``ByteSource``; freed after the input
    /// is closed (Swift releases stored properties after `deinit` runs).
    private let sourceIO: SourceIOContext?

    /// Opens `url` and reads enough of it to know its streams.
    ///
    /// - Parameters:
    ///   - url: a path, `pipe:0`, or a URL (`rtmp://`, `srt://`, `udp://`, `http://`).
    ///   - format: forces a demuxer by FFmpeg name (`mpegts`, `flv`); nil probes.
    ///   - options: libavformat/protocol options (`rw_timeout`, `listen`, …).
    ///   - interrupt: cancels blocking calls.
    ///   - vetConnection: called after `avformat_open_input` with the warnings FFmpeg logged while
    ///     opening (the RTMP server logs the stream name a publisher asked for); a non-nil
    ///     answer refuses the input: it is closed and the answer is thrown (`EACCES`, with
    ///     ``refusedByCaller`` as the function).
    /// - Throws: `FFmpegError` from `avformat_open_input` or `avformat_find_stream_info`.
    /// - The corresponding FFmpeg functions are `avformat_open_input` and `avformat_find_stream_info`.
    public convenience init(
        url: String, format: String? = nil, options: [String: String] = [:],
        interrupt: InterruptPolicy = InterruptPolicy(),
        vetConnection: (([FFmpegLogMessage]) -> String?)? = nil
    ) throws(FFmpegError) {
        var context = try Demuxer.allocateContext(interrupt: interrupt)
        let inputFormat = try Demuxer.inputFormat(format, freeingOnFailure: context)
        var dictionary = OptionDictionary(options)
        var messages: [FFmpegLogMessage] = []
        let opened: Int32
        if vetConnection != nil {
            opened = FFmpegLogObserver.observing({ messages.append($0) }) {
                avformat_open_input(&context, url, inputFormat, &dictionary.pointer)
            }
        } else {
            opened = avformat_open_input(&context, url, inputFormat, &dictionary.pointer)
        }
        if opened < 0 { throw FFmpegError(code: opened, function: "avformat_open_input") }  // context freed by FFmpeg
        try self.init(
            opened: context!, interrupt: interrupt, sourceIO: nil, unusedOptions: dictionary.remainingKeys,
            refusal: vetConnection?(messages))
    }

    /// Opens the bytes a Swift ``ByteSource`` delivers (a custom AVIO context with a read
    /// callback) as `format`, and reads enough of them to know the streams.
    ///
    /// Reads block the calling thread (never use it from Swift's cooperative pool) until the
    /// source has bytes; they end with `AVERROR_EOF` when the source ends and with
    /// `AVERROR_EXIT` soon after `interrupt` is cancelled or its deadline passes.
    ///
    /// - Parameters:
    ///   - source: the bytes; kept alive by the demuxer.
    ///   - format: the demuxer, by FFmpeg name (`flv`): a live stream cannot be probed by seeking.
    ///   - name: what FFmpeg's log messages call the input.
    ///   - options: demuxer options.
    /// - Throws: `FFmpegError` from `avio_alloc_context`, `avformat_open_input` or
    ///   `avformat_find_stream_info`.
    /// - The corresponding FFmpeg functions are `avio_alloc_context`, `avformat_open_input` and
    ///   `avformat_find_stream_info`.
    public convenience init(
        source: any ByteSource, format: String, name: String = "", options: [String: String] = [:],
        interrupt: InterruptPolicy = InterruptPolicy()
    ) throws(FFmpegError) {
        var context = try Demuxer.allocateContext(interrupt: interrupt)
        let inputFormat = try Demuxer.inputFormat(format, freeingOnFailure: context)
        let io: SourceIOContext
        do {
            io = try SourceIOContext(source: source, interrupt: interrupt)
        } catch {
            avformat_free_context(context)
            throw error
        }
        // With `pb` set, avformat_open_input marks the context AVFMT_FLAG_CUSTOM_IO and never frees it.
        context!.pointee.pb = io.pointer
        var dictionary = OptionDictionary(options)
        let opened = avformat_open_input(&context, name, inputFormat, &dictionary.pointer)
        if opened < 0 { throw FFmpegError(code: opened, function: "avformat_open_input") }  // context freed by FFmpeg
        try self.init(
            opened: context!, interrupt: interrupt, sourceIO: io, unusedOptions: dictionary.remainingKeys, refusal: nil)
    }

    /// Finishes opening: refuses the input when `refusal` says so, then reads the stream info.
    private init(
        opened context: UnsafeMutablePointer<AVFormatContext>, interrupt: InterruptPolicy, sourceIO: SourceIOContext?,
        unusedOptions: [String], refusal: String?
    ) throws(FFmpegError) {
        self.interrupt = interrupt
        self.sourceIO = sourceIO
        openedUptimeNanoseconds = DispatchTime.now().uptimeNanoseconds
        self.unusedOptions = unusedOptions
        self.context = context
        if let refusal {
            avformat_close_input(&self.context)
            throw FFmpegError(code: .permissionDenied, function: Demuxer.refusedByCaller, message: refusal)
        }
        let found = avformat_find_stream_info(context, nil)
        if found < 0 {
            avformat_close_input(&self.context)
            throw FFmpegError(code: found, function: "avformat_find_stream_info")
        }
        var streams: [StreamInfo] = []
        for index in 0..<Int(context.pointee.nb_streams) {
            do {
                streams.append(try StreamInfo(context.pointee.streams[index]!))
            } catch {
                avformat_close_input(&self.context)
                throw error
            }
        }
        self.streams = streams
        formatName = String(cString: context.pointee.iformat.pointee.name)
        let declared = context.pointee.duration
        duration = declared == cuepoint_nopts_value() || declared <= 0 ? nil : MediaTime(ticks: declared, timeBase: .microseconds)
        let size = context.pointee.pb.map { avio_size($0) } ?? -1
        byteSize = size > 0 ? size : nil
    }

    private static func allocateContext(interrupt: InterruptPolicy) throws(FFmpegError) -> UnsafeMutablePointer<AVFormatContext>? {
        let context = avformat_alloc_context()
        guard let context else {
            throw FFmpegError(code: .noMemory, function: "avformat_alloc_context", message: "out of memory")
        }
        context.pointee.interrupt_callback = interrupt.interruptCallback
        return context
    }

    /// The demuxer named `format`; nil for nil (probe). Frees `context` when there is no such demuxer.
    private static func inputFormat(_ format: String?, freeingOnFailure context: UnsafeMutablePointer<AVFormatContext>?)
        throws(FFmpegError) -> UnsafePointer<AVInputFormat>?
    {
        guard let format else { return nil }
        guard let inputFormat = av_find_input_format(format) else {
            avformat_free_context(context)
            throw FFmpegError(
                code: .demuxerNotFound, function: "av_find_input_format", message: "FFmpeg has no demuxer named '\(format)'")
        }
        return inputFormat
    }

    deinit { avformat_close_input(&context) }

    /// The `function` of the error thrown when `vetConnection` refused the input.
    public static let refusedByCaller = "vetConnection"

    /// Reads the next packet into `packet`, replacing its contents.
    ///
    /// - Returns: false at the end of the input.
    /// - Throws: `FFmpegError` for read errors, including `.exit` when interrupted.
    /// - The corresponding FFmpeg function is `av_read_frame`.
    public func read(into packet: Packet) throws(FFmpegError) -> Bool {
        packet.reset()
        let result = av_read_frame(context, packet.pointer)
        if result == cuepoint_averror_eof() { return false }
        if result < 0 {
            // The interrupt callback turns a blocking read into AVERROR_EXIT; a passed deadline is a timeout.
            if interrupt.deadlinePassed && !interrupt.isCancelled {
                throw FFmpegError(code: .timedOut, function: "av_read_frame", message: "no data before the read timeout")
            }
            throw FFmpegError(code: result, function: "av_read_frame")
        }
        return true
    }

    /// How far into the input the reader is, in bytes; nil when unknown.
    public var bytePosition: Int64? {
        guard let pb = context?.pointee.pb else { return nil }
        let position = avio_tell(pb)
        return position >= 0 ? position : nil
    }
}
