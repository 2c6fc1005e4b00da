internal import CCuepointFFmpeg
public import CuepointTime

/// A libavformat muxer (`mpegts`, `mp4`, …) writing either through a custom AVIO into a
/// `ByteSink` that the caller may switch between segments, or into a file of its own.
///
/// Lifecycle: `init` → `addStream` (and `addChapter`) → `writeHeader` → `write`… with
/// `flush()` and sink switches at segment boundaries → `finish()`. Owned by one thread.
/// `finish()` can fail and must be called; `deinit` only frees memory (and closes a file
/// left open by a failure).
/// The corresponding FFmpeg type is `AVFormatContext` (output).
public final class Muxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    /// The custom AVIO behind `sink`; nil when the muxer writes a file (or the format
    /// writes no file), in which case `context.pb` is the muxer's own, closed in `finish()`.
    private let io: IOContext?
    private var sourceTimeBases: [Rational] = []
    private var headerWritten = false
    private var finished = false
    /// The size of the file when `finish()` closed it.
    private var closedFileSize: Int64 = 0

    /// The FFmpeg muxer name this muxer was created with.
    public let formatName: String
    /// The file the muxer writes, nil when it writes to `sink`.
    public let path: String?

    /// Where the next bytes go. Call `flush()` before changing it. Only a muxer made with
    /// `init(formatName:)` has a sink; setting one on a file muxer is a programming error.
    public var sink: (any ByteSink)? {
        get { io?.sink }
        set {
            guard let io else { preconditionFailure("Muxer: a muxer writing to \(path ?? "a file") has no sink") }
            io.sink = newValue
        }
    }

    /// Total bytes written so far: to sinks, or for a file muxer the file's size.
    public var bytesWritten: Int64 {
        if let io { return io.bytesWritten }
        guard let pb = context?.pointee.pb else { return closedFileSize }
        return max(avio_size(pb), 0)
    }

    /// Whether the container wants codec configuration in the stream parameters rather
    /// than in the packets (MP4, Matroska): open encoders for it with `globalHeader`.
    /// The corresponding FFmpeg flag is `AVFMT_GLOBALHEADER`.
    public var requiresGlobalHeader: Bool { context!.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }

    /// Creates a muxer for the FFmpeg format `formatName` (`mpegts`, `mp4`).
    ///
    /// - The corresponding FFmpeg function is `avformat_alloc_output_context2`.
    public init(formatName: String) throws(FFmpegError) {
        self.formatName = formatName
        path = nil
        let io = try IOContext()
        self.io = io
        var created: UnsafeMutablePointer<AVFormatContext>? = nil
        let result = avformat_alloc_output_context2(&created, nil, formatName, nil)
        guard result >= 0, let created else {
            throw FFmpegError(code: result < 0 ? result : cuepoint_averror(EINVAL), function: "avformat_alloc_output_context2")
        }
        created.pointee.pb = io.pointer
        created.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        context = created
    }

    /// Creates a muxer for the FFmpeg format `formatName` writing the file at `path`, which
    /// is created or truncated now.
    ///
    /// The file is seekable, so muxers that go back to finish the file work: the MP4
    /// muxer's `movflags=faststart` moves the `moov` box in front of the media data in
    /// `finish()`.
    ///
    /// - Throws: `FFmpegError` naming `avformat_alloc_output_context2` for an unknown
    ///   format, or `avio_open` when the file cannot be created (`.noSuchFile` for a missing
    ///   directory).
    /// - The corresponding FFmpeg functions are `avformat_alloc_output_context2` and `avio_open`.
    public init(formatName: String, path: String) throws(FFmpegError) {
        self.formatName = formatName
        self.path = path
        io = nil
        var created: UnsafeMutablePointer<AVFormatContext>? = nil
        // Passing the path also records it as the context's url, which the mov muxer's
        // faststart pass reopens to read the file back.
        let result = avformat_alloc_output_context2(&created, nil, formatName, path)
        guard result >= 0, let created else {
            let code = result < 0 ? result : cuepoint_averror(EINVAL)
            throw FFmpegError(code: code, function: "avformat_alloc_output_context2")
        }
        if created.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            let opened = avio_open(&created.pointee.pb, path, AVIO_FLAG_WRITE)
            if opened < 0 {
                avformat_free_context(created)
                throw FFmpegError(
                    code: FFmpegError.Code(rawValue: opened), function: "avio_open",
                    message: "\(FFmpegError.text(for: opened)): \(path)")
            }
        }
        context = created
    }

    deinit {
        assert(finished || !headerWritten, "Muxer: finish() was not called after writeHeader()")
        // A file muxer's own AVIO; a custom one belongs to `io` and is freed with it.
        if io == nil, context != nil { avio_closep(&context!.pointee.pb) }
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

    /// Adds an output stream for the packets `encoder` produces, described by the encoder's
    /// parameters (including the `extradata` of an encoder opened with `globalHeader`).
    /// Write the encoder's packets to it unchanged: their timestamps are rescaled from the
    /// encoder's time base.
    ///
    /// - Returns: the new stream's index.
    /// - The corresponding FFmpeg functions are `avformat_new_stream` and `avcodec_parameters_from_context`.
    @discardableResult
    public func addStream(encoder: Encoder) throws(FFmpegError) -> Int {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegError(code: .noMemory, function: "avformat_new_stream", message: "out of memory")
        }
        try encoder.copyParameters(to: stream.pointee.codecpar)
        stream.pointee.time_base = AVRational(encoder.timeBase)
        if let rate = encoder.frameRate { stream.pointee.avg_frame_rate = AVRational(rate) }
        sourceTimeBases.append(encoder.timeBase)
        return Int(stream.pointee.index)
    }

    /// Adds a chapter: a titled span of the timeline that players list for navigation.
    /// Chapters must be added before `writeHeader()`, in any order of ids but with unique ones.
    ///
    /// - Parameters:
    ///   - id: a number unique among the file's chapters.
    ///   - start: where the chapter begins, in `timeBase` ticks.
    ///   - end: where it ends, in `timeBase` ticks; not before `start`.
    ///   - timeBase: the unit of `start` and `end`, e.g. `Rational.milliseconds`. The MP4
    ///     muxer stores chapter times in milliseconds.
    ///   - title: the chapter's name (metadata key `title`).
    /// - Throws: `FFmpegError` with `.invalidArgument` after `writeHeader()` or for an
    ///   invalid span or time base; `.noMemory` when the chapter cannot be allocated.
    /// - The corresponding FFmpeg fields are `AVFormatContext.chapters` and `nb_chapters`
    ///   (FFmpeg 5.1 has no public constructor; `avformat_free_context` frees them).
    public func addChapter(id: Int64, start: Int64, end: Int64, timeBase: Rational, title: String) throws(FFmpegError) {
        guard !headerWritten else {
            throw FFmpegError(
                code: .invalidArgument, function: "addChapter",
                message: "chapter \(id) '\(title)' was added after writeHeader(); add chapters before it")
        }
        guard timeBase.isValid, timeBase.numerator <= Int64(Int32.max), timeBase.denominator <= Int64(Int32.max) else {
            throw FFmpegError(
                code: .invalidArgument, function: "addChapter",
                message: "chapter \(id) has an invalid time base \(timeBase)")
        }
        guard start <= end else {
            throw FFmpegError(
                code: .invalidArgument, function: "addChapter",
                message: "chapter \(id) '\(title)' ends (\(end)) before it starts (\(start))")
        }
        guard let chapter = cuepoint_append_chapter(context) else {
            throw FFmpegError(code: .noMemory, function: "av_dynarray_add_nofree", message: "out of memory")
        }
        chapter.pointee.id = id
        chapter.pointee.time_base = AVRational(timeBase)
        chapter.pointee.start = start
        chapter.pointee.end = end
        try FFmpegError.check(av_dict_set(&chapter.pointee.metadata, "title", title, 0), "av_dict_set")
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

    /// What ``write(_:toStream:)`` did with a packet.
    public enum WriteOutcome: Equatable, Sendable {
        case written
        /// The packet was not written: in the output stream's time base its timestamps are ones
        /// the muxer refuses (see ``write(_:toStream:)``); the reason says which.
        case droppedTimestamps(reason: String)
    }

    /// The decoding time of the last packet written to each output stream, in its time base.
    private var lastDecodingTimes: [Int: Int64] = [:]

    /// Writes `packet` to output stream `stream`, rescaling its timestamps from the time
    /// base the stream was added with. The packet's payload is consumed (it is empty afterwards).
    ///
    /// A packet whose timestamps the muxer would refuse is not written and the muxer goes on:
    /// libavformat fails `av_interleaved_write_frame` with `EINVAL` for a decoding time that
    /// does not increase on its stream (strictly, as MP4 and MPEG-TS want; a format flagged
    /// `AVFMT_TS_NONSTRICT`, such as Matroska, and data and subtitle streams only must not go
    /// back) and for a presentation time
    /// before the decoding time. The check is made here, after rescaling, because that is where
    /// such packets are made: two decoding times one tick apart in the input's 1/90000 become
    /// the same tick in an MP4 audio track's 1/48000 (`ffmpeg -stream_loop` leaves such a pair at
    /// each loop point), so a packet that the input's timeline accepts can still be one the
    /// output refuses, and the muxer's error would end the whole job.
    ///
    /// - Returns: ``WriteOutcome/written``, or why the packet was dropped.
    /// - The corresponding FFmpeg function is `av_interleaved_write_frame`.
    @discardableResult
    public func write(_ packet: Packet, toStream stream: Int) throws -> WriteOutcome {
        packet.streamIndex = stream
        let source = sourceTimeBases[stream]
        let output = context!.pointee.streams[stream]!
        av_packet_rescale_ts(
            packet.pointer,
            AVRational(num: Int32(source.numerator), den: Int32(source.denominator)),
            output.pointee.time_base)
        packet.pointer.pointee.pos = -1
        if let reason = refusedTimestamps(packet, stream: output) {
            av_packet_unref(packet.pointer)
            return .droppedTimestamps(reason: reason)
        }
        let dts = packet.dts  // the write consumes the packet
        let result = av_interleaved_write_frame(context, packet.pointer)
        try rethrowSinkError()
        try FFmpegError.check(result, "av_interleaved_write_frame")
        if let dts { lastDecodingTimes[stream] = dts }
        return .written
    }

    /// Why the muxer would refuse `packet`'s timestamps (already in `stream`'s time base), or nil.
    /// The rule is libavformat's (`compute_muxer_pkt_fields` in `mux.c`, FFmpeg 5.1), including
    /// its skipping of the order check while the stream's last decoding time is 0.
    private func refusedTimestamps(_ packet: Packet, stream: UnsafeMutablePointer<AVStream>) -> String? {
        guard let dts = packet.dts else { return nil }
        if let pts = packet.pts, pts < dts { return "presentation time before decoding time" }
        guard let last = lastDecodingTimes[Int(stream.pointee.index)], last != 0 else { return nil }
        let type = stream.pointee.codecpar.pointee.codec_type
        let strict =
            context!.pointee.oformat.pointee.flags & AVFMT_TS_NONSTRICT == 0 && type != AVMEDIA_TYPE_SUBTITLE
            && type != AVMEDIA_TYPE_DATA
        if strict ? dts <= last : dts < last { return "decoding time not after the previous packet's in the output" }
        return nil
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
        if let io { io.flush() } else if let pb = context?.pointee.pb { avio_flush(pb) }
        try rethrowSinkError()
        try FFmpegError.check(result, "av_write_frame")
    }

    /// Sets a private option of the muxer while it runs (e.g. `mpegts_flags=resend_headers`).
    ///
    /// - The corresponding FFmpeg function is `av_opt_set`.
    public func setOption(_ name: String, _ value: String) throws(FFmpegError) {
        try FFmpegError.check(av_opt_set(context!.pointee.priv_data, name, value, 0), "av_opt_set(\(name))")
    }

    /// Writes the trailer and flushes; a file muxer then closes its file. Call exactly once
    /// after the last packet.
    ///
    /// For MP4 with `movflags=faststart` this is when the file is rewritten with `moov` first.
    ///
    /// - The corresponding FFmpeg functions are `av_write_trailer` and, for a file, `avio_closep`.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        let result = headerWritten ? av_write_trailer(context) : 0
        if let io {
            guard headerWritten else { return }
            io.flush()
            try rethrowSinkError()
        } else if let pb = context?.pointee.pb {
            // The file is closed even when the trailer failed: nothing more can be written.
            avio_flush(pb)
            closedFileSize = max(avio_size(pb), 0)
            let closed = avio_closep(&context!.pointee.pb)
            try FFmpegError.check(result, "av_write_trailer")
            try FFmpegError.check(closed, "avio_closep")
        }
        try FFmpegError.check(result, "av_write_trailer")
    }

    /// Abandons the output without a trailer (after a failure); frees nothing early. A file
    /// muxer's file is closed, incomplete, when the muxer is freed.
    public func abandon() { finished = true }

    private func rethrowSinkError() throws {
        if let error = io?.takeSinkError() { throw error }
    }
}
