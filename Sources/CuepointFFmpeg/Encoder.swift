internal import CCuepointFFmpeg
public import CuepointTime

/// A libavcodec encoder: frames in, packets out, for one output stream.
///
/// Lifecycle: `init` → (`send` a frame → `receive` until `.needsInput`)… → `send(nil)` →
/// `receive` until `.endOfStream`. Add the output stream to a muxer with
/// `Muxer.addStream(encoder:)` and write the packets to it; they are in `timeBase` ticks.
/// Owned by one thread. The corresponding FFmpeg type is `AVCodecContext` (encoding).
public final class Encoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?

    /// What `receive(into:)` found.
    public enum ReceiveOutcome: Sendable, Hashable {
        /// The packet was filled with the next encoded packet.
        case packet
        /// The encoder needs another frame before it can produce a packet (`AVERROR(EAGAIN)`).
        case needsInput
        /// The encoder was drained with `send(nil)` and has no more packets (`AVERROR_EOF`).
        case endOfStream
    }

    /// The encoder's FFmpeg name (`libx264`, `aac`).
    public let codecName: String
    /// `.video` or `.audio`.
    public let mediaType: MediaType
    /// `VideoEncoderSettings.fixedQuality` in lambda units, stamped on frames by `send`.
    private var fixedLambda: Int32?

    /// Opens a video encoder.
    ///
    /// - Throws: `FFmpegError` naming `avcodec_find_encoder_by_name` when FFmpeg has no such
    ///   encoder, `avcodec_open2` when it rejects the settings or does not recognise one of
    ///   `settings.options`.
    /// - The corresponding FFmpeg functions are `avcodec_find_encoder_by_name`,
    ///   `avcodec_alloc_context3` and `avcodec_open2`.
    public init(video settings: VideoEncoderSettings) throws(FFmpegError) {
        let codec = try Encoder.find(settings.codecName, .video)
        codecName = settings.codecName
        mediaType = .video
        let context = try Encoder.allocate(codec)
        self.context = context
        context.pointee.width = Int32(settings.width)
        context.pointee.height = Int32(settings.height)
        context.pointee.pix_fmt = settings.pixelFormat.av
        context.pointee.time_base = AVRational(settings.timeBase)
        if let rate = settings.frameRate { context.pointee.framerate = AVRational(rate) }
        if let bitRate = settings.bitRate { context.pointee.bit_rate = Int64(bitRate) }
        if let maxRate = settings.maxRate { context.pointee.rc_max_rate = Int64(maxRate) }
        if let bufferSize = settings.bufferSize { context.pointee.rc_buffer_size = Int32(bufferSize) }
        if let gopSize = settings.gopSize { context.pointee.gop_size = Int32(gopSize) }
        if let quality = settings.fixedQuality {
            fixedLambda = Int32(quality) * FF_QP2LAMBDA
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
        }
        if let threadCount = settings.threadCount { context.pointee.thread_count = Int32(threadCount) }
        if let threading = settings.threading { context.pointee.thread_type = threading.rawValue }
        if let aspect = settings.sampleAspectRatio { context.pointee.sample_aspect_ratio = AVRational(aspect) }
        if settings.globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try open(codec, options: settings.options)
    }

    /// Opens an audio encoder.
    ///
    /// - Throws: as `init(video:)`.
    /// - The corresponding FFmpeg functions are `avcodec_find_encoder_by_name`,
    ///   `av_channel_layout_default` and `avcodec_open2`.
    public init(audio settings: AudioEncoderSettings) throws(FFmpegError) {
        let codec = try Encoder.find(settings.codecName, .audio)
        codecName = settings.codecName
        mediaType = .audio
        let context = try Encoder.allocate(codec)
        self.context = context
        context.pointee.sample_rate = Int32(settings.sampleRate)
        av_channel_layout_default(&context.pointee.ch_layout, Int32(settings.channels))
        context.pointee.sample_fmt = settings.sampleFormat.av
        context.pointee.time_base = AVRational(settings.timeBase ?? Rational(1, Int64(settings.sampleRate)))
        if let bitRate = settings.bitRate { context.pointee.bit_rate = Int64(bitRate) }
        if let threadCount = settings.threadCount { context.pointee.thread_count = Int32(threadCount) }
        if settings.globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try open(codec, options: settings.options)
    }

    deinit { avcodec_free_context(&context) }

    private static func find(_ name: String, _ type: MediaType) throws(FFmpegError) -> UnsafePointer<AVCodec> {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw FFmpegError(
                code: .invalidArgument, function: "avcodec_find_encoder_by_name",
                message: "this FFmpeg has no encoder named '\(name)'")
        }
        guard MediaType(codec.pointee.type) == type else {
            throw FFmpegError(
                code: .invalidArgument, function: "avcodec_find_encoder_by_name",
                message: "'\(name)' is not a \(type.rawValue) encoder")
        }
        return codec
    }

    private static func allocate(_ codec: UnsafePointer<AVCodec>) throws(FFmpegError) -> UnsafeMutablePointer<
        AVCodecContext
    > {
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegError(code: .noMemory, function: "avcodec_alloc_context3", message: "out of memory")
        }
        return context
    }

    /// Opens the configured context; on failure the context is freed by `deinit`.
    private func open(_ codec: UnsafePointer<AVCodec>, options: [String: String]) throws(FFmpegError) {
        var dictionary = OptionDictionary(options)
        try FFmpegError.check(avcodec_open2(context, codec, &dictionary.pointer), "avcodec_open2")
        let unused = dictionary.remainingKeys
        if !unused.isEmpty {
            throw FFmpegError(
                code: .invalidArgument, function: "avcodec_open2",
                message: "the \(codecName) encoder did not accept option(s) \(unused.joined(separator: ", "))")
        }
    }

    /// The unit of the packets' timestamps, and of the `pts` of frames to send.
    public var timeBase: Rational { Rational(context!.pointee.time_base) }

    /// Picture size in pixels; 0 for audio.
    public var width: Int { Int(context!.pointee.width) }
    public var height: Int { Int(context!.pointee.height) }

    /// Samples per channel that every audio frame but the last must have; 0 for video and
    /// for encoders that accept any count.
    public var frameSize: Int {
        mediaType == .audio && codecCapabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE == 0
            ? Int(context!.pointee.frame_size) : 0
    }

    /// The codec configuration the encoder produced: H.264 SPS and PPS (Annex B for
    /// `libx264`) or the AAC AudioSpecificConfig. Empty unless the encoder was opened with
    /// `globalHeader`.
    public var extradata: [UInt8] {
        guard let data = context!.pointee.extradata, context!.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(context!.pointee.extradata_size)))
    }

    /// The nominal frame rate the encoder was opened with; nil for audio or when unknown.
    var frameRate: Rational? {
        let rate = context!.pointee.framerate
        return rate.num > 0 && rate.den > 0 ? Rational(rate) : nil
    }

    private var codecCapabilities: Int32 { context!.pointee.codec.pointee.capabilities }

    /// Passes the next frame in presentation order, its `pts` in `timeBase` ticks; nil
    /// starts draining, after which `receive` returns the buffered packets and then
    /// `.endOfStream`. The frame is not consumed.
    ///
    /// A decoded frame keeps its source's `pictureType`, which encoders such as `libx264`
    /// follow; set it to `.none` (or `.intra` with `forceKeyframe()`) before sending.
    ///
    /// With `VideoEncoderSettings.fixedQuality`, the fixed quantiser is written into the frame
    /// (`AVFrame.quality`), as FFmpeg's command line does: the MPEG-family encoders read it
    /// from each frame, not from `global_quality`.
    ///
    /// - Throws: `FFmpegError` with `.tryAgain` when packets must be received first (call
    ///   `receive` until `.needsInput` after every `send`), `.endOfFile` after draining,
    ///   `.invalidArgument` for a frame of the wrong size or format.
    /// - The corresponding FFmpeg function is `avcodec_send_frame`.
    public func send(_ frame: Frame?) throws(FFmpegError) {
        if let fixedLambda, let frame { frame.quality = fixedLambda }
        try FFmpegError.check(avcodec_send_frame(context, frame?.pointer), "avcodec_send_frame")
    }

    /// Takes the next encoded packet into `packet`, replacing its contents. Its timestamps
    /// are in `timeBase` ticks.
    ///
    /// - The corresponding FFmpeg function is `avcodec_receive_packet`.
    public func receive(into packet: Packet) throws(FFmpegError) -> ReceiveOutcome {
        let result = avcodec_receive_packet(context, packet.pointer)
        if result == cuepoint_averror_eagain() { return .needsInput }
        if result == cuepoint_averror_eof() { return .endOfStream }
        try FFmpegError.check(result, "avcodec_receive_packet")
        return .packet
    }

    /// Copies the encoder's output description into a muxer stream's parameters.
    ///
    /// The corresponding FFmpeg function is `avcodec_parameters_from_context`.
    func copyParameters(to parameters: UnsafeMutablePointer<AVCodecParameters>) throws(FFmpegError) {
        try FFmpegError.check(avcodec_parameters_from_context(parameters, context), "avcodec_parameters_from_context")
    }
}
