internal import CCuepointFFmpeg
import CuepointTime

/// A libavformat muxer (`mpegts`, `mp4`, …) writing through a custom AVIO into a `ByteSink`
/// that the caller may switch between segments.
///
/// Lifecycle: `init` → `addStream` for each stream → `writeHeader` → `write`… with
/// `flush()` and sink switches at segment boundaries → `finish()`. Owned by one thread.
/// `finish()` can fail and must be called; `deinit` only frees memory.
/// The corresponding FFmpeg type is `AVFormatContext` (output).
public final class Muxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let io: IOContext
    private var sourceTimeBases: [Rational] = []
    private var headerWritten = false
    private var finished = false

    /// The FFmpeg muxer name this muxer was created with.
    public let formatName: String

    /// Where the next bytes go. Call `flush()` before changing it.
    public var sink: (any ByteSink)? {
        get { io.sink }
        set { io.sink = newValue }
    }

    /// Total bytes written to sinks so far.
    public var bytesWritten: Int64 { io.bytesWritten }

    /// Creates a muxer for the FFmpeg format `formatName` (`mpegts`, `mp4`).
    ///
    /// - The corresponding FFmpeg function is `avformat_alloc_output_context2`.
    public init(formatName: String) throws(FFmpegError) {
        self.formatName = formatName
        io = try IOContext()
        var created: UnsafeMutablePointer<AVFormatContext>? = nil
        let result = avformat_alloc_output_context2(&created, nil, formatName, nil)
        guard result >= 0, let created else {
            throw FFmpegError(code: result < 0 ? result : cuepoint_averror(EINVAL), function: "avformat_alloc_output_context2")
        }
        created.pointee.pb = io.pointer
        created.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        context = created
    }

    deinit {
        assert(finished || !headerWritten, "Muxer: finish() was not called after writeHeader()")
        avformat_free_context(context)
    }

    /// Adds an output stream that copies `info`'s codec parameters (stream copy).
    ///
    /// - Returns: the new stream's index.
    /// - The corresponding FFmpeg functions are `avformat_new_stream` and `avcodec_parameters_copy`.
    @discardableResult
    public func addStream(copying info: StreamInfo) throws(FFmpegError) -> Int {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegError(code: .noMemory, function: "avformat_new_stream", message: "out of memory")
        }
        try FFmpegError.check(avcodec_parameters_copy(stream.pointee.codecpar, info.parameters.pointer), "avcodec_parameters_copy")
        // The source container's tag (e.g. 'avc1' from MP4) may not be valid in the output container.
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = AVRational(num: Int32(info.timeBase.numerator), den: Int32(info.timeBase.denominator))
        sourceTimeBases.append(info.timeBase)
        return Int(stream.pointee.index)
    }

    /// Adds a data stream (for example `CodecID.timedID3`) whose packets the caller builds.
    @discardableResult
    public func addDataStream(codec: CodecID, timeBase: Rational) throws(FFmpegError) -> Int {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegError(code: .noMemory, function: "avformat_new_stream", message: "out of memory")
        }
        stream.pointee.codecpar.pointee.codec_type = AVMEDIA_TYPE_DATA
        stream.pointee.codecpar.pointee.codec_id = AVCodecID(UInt32(bitPattern: codec.rawValue))
        stream.pointee.time_base = AVRational(num: Int32(timeBase.numerator), den: Int32(timeBase.denominator))
        sourceTimeBases.append(timeBase)
        return Int(stream.pointee.index)
    }

    /// Writes the container header to the current sink.
    ///
    /// - Parameter options: muxer private options (`movflags`, `mpegts_flags`, …).
    /// - Throws: the sink's error, or `FFmpegError` from `avformat_write_header`; also when
    ///   an option was not recognised (a typo would otherwise be silently ignored).
    public func writeHeader(options: [String: String] = [:]) throws {
        var dictionary = OptionDictionary(options)
        let result = avformat_write_header(context, &dictionary.pointer)
        try rethrowSinkError()
        try FFmpegError.check(result, "avformat_write_header")
        headerWritten = true
        let unused = dictionary.remainingKeys
        if !unused.isEmpty {
            throw FFmpegError(
                code: .invalidArgument, function: "avformat_write_header",
                message: "the \(formatName) muxer did not accept option(s) \(unused.joined(separator: ", "))")
        }
    }

    /// The time base the muxer chose for stream `index` (valid after `writeHeader`).
    public func timeBase(ofStream index: Int) -> Rational {
        let base = context!.pointee.streams[index]!.pointee.time_base
        return Rational(Int64(base.num), Int64(base.den))
    }

    /// Whether output stream `index` has codec configuration bytes (extradata).
    public func hasExtradata(stream index: Int) -> Bool {
        (context!.pointee.streams[index]!.pointee.codecpar.pointee.extradata_size) > 0
    }

    /// Sets output stream `index`'s codec configuration before its first packet is written
    /// (for a configuration that a bitstream filter produced, such as `aac_adtstoasc`'s).
    public func setExtradata(_ bytes: [UInt8], stream index: Int) throws(FFmpegError) {
        let par = context!.pointee.streams[index]!.pointee.codecpar!
        guard let buffer = av_mallocz(bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)) else {
            throw FFmpegError(code: .noMemory, function: "av_mallocz", message: "out of memory")
        }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        av_freep(&par.pointee.extradata)
        par.pointee.extradata = buffer.assumingMemoryBound(to: UInt8.self)
        par.pointee.extradata_size = Int32(bytes.count)
    }

    /// Writes `packet` to output stream `stream`, rescaling its timestamps from the time
    /// base the stream was added with. The packet's payload is consumed (it is empty afterwards).
    ///
    /// - The corresponding FFmpeg function is `av_interleaved_write_frame`.
    public func write(_ packet: Packet, toStream stream: Int) throws {
        packet.streamIndex = stream
        let source = sourceTimeBases[stream]
        av_packet_rescale_ts(
            packet.pointer,
            AVRational(num: Int32(source.numerator), den: Int32(source.denominator)),
            context!.pointee.streams[stream]!.pointee.time_base)
        packet.pointer.pointee.pos = -1
        let result = av_interleaved_write_frame(context, packet.pointer)
        try rethrowSinkError()
        try FFmpegError.check(result, "av_interleaved_write_frame")
    }

    /// Writes out everything buffered so far: the interleaving queue, the container's own
    /// buffers (a fragment for fragmented MP4, pending PES data for MPEG-TS), and the AVIO
    /// buffer, so the current sink holds complete data and may be switched.
    ///
    /// - The corresponding FFmpeg calls are `av_interleaved_write_frame(ctx, NULL)`,
    ///   `av_write_frame(ctx, NULL)` and `avio_flush`.
    public func flush() throws {
        var result = av_interleaved_write_frame(context, nil)
        try rethrowSinkError()
        try FFmpegError.check(result, "av_interleaved_write_frame")
        result = av_write_frame(context, nil)
        io.flush()
        try rethrowSinkError()
        try FFmpegError.check(result, "av_write_frame")
    }

    /// Sets a private option of the muxer while it runs (e.g. `mpegts_flags=resend_headers`).
    ///
    /// - The corresponding FFmpeg function is `av_opt_set`.
    public func setOption(_ name: String, _ value: String) throws(FFmpegError) {
        try FFmpegError.check(av_opt_set(context!.pointee.priv_data, name, value, 0), "av_opt_set(\(name))")
    }

    /// Writes the trailer and flushes. Call exactly once after the last packet.
    ///
    /// - The corresponding FFmpeg function is `av_write_trailer`.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        guard headerWritten else { return }
        let result = av_write_trailer(context)
        io.flush()
        try rethrowSinkError()
        try FFmpegError.check(result, "av_write_trailer")
    }

    /// Abandons the output without a trailer (after a failure); frees nothing early.
    public func abandon() { finished = true }

    private func rethrowSinkError() throws {
        if let error = io.takeSinkError() { throw error }
    }
}
