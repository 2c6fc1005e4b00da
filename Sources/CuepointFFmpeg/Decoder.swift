internal import CCuepointFFmpeg
public import CuepointTime

/// A libavcodec decoder for one stream: packets in, frames out.
///
/// Lifecycle: `init` → (`send` a packet → `receive` until `.needsInput`)… → `send(nil)` →
/// `receive` until `.endOfStream`; `flush()` makes it accept packets again (after a seek).
/// Owned by one thread. The corresponding FFmpeg type is `AVCodecContext` (decoding).
public final class Decoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?

    /// What `receive(into:)` found.
    public enum ReceiveOutcome: Sendable, Hashable {
        /// The frame was filled with the next decoded frame.
        case frame
        /// The decoder needs another packet before it can produce a frame (`AVERROR(EAGAIN)`).
        case needsInput
        /// The decoder was drained with `send(nil)` and has no more frames (`AVERROR_EOF`).
        case endOfStream
    }

    /// The decoder's FFmpeg name (`h264`, `aac`).
    public let codecName: String
    /// The unit of the frames' `pts`: the time base of the stream the decoder was opened for.
    public let timeBase: Rational

    /// Opens a decoder for `stream`.
    ///
    /// - Parameters:
    ///   - stream: the stream whose packets will be sent, as a `Demuxer` reports it.
    ///   - threadCount: decoding threads; 0 lets FFmpeg choose (one per core); nil keeps libavcodec's default: one.
    ///   - threading: the kinds of threading allowed; nil keeps the codec's default.
    ///   - options: decoder private options; unrecognised ones are an error.
    /// - Throws: `FFmpegError` naming `avcodec_find_decoder` when FFmpeg has no decoder for
    ///   the codec, or the failing setup function.
    /// - The corresponding FFmpeg functions are `avcodec_find_decoder`, `avcodec_alloc_context3`,
    ///   `avcodec_parameters_to_context` and `avcodec_open2`.
    public init(
        stream: StreamInfo, threadCount: Int? = nil, threading: CodecThreading? = nil,
        options: [String: String] = [:]
    ) throws(FFmpegError) {
        guard let codec = avcodec_find_decoder(AVCodecID(UInt32(bitPattern: stream.codec.rawValue))) else {
            throw FFmpegError(
                code: .invalidArgument, function: "avcodec_find_decoder",
                message: "this FFmpeg has no decoder for \(stream.codec.name) (stream \(stream.index))")
        }
        codecName = String(cString: codec.pointee.name)
        timeBase = stream.timeBase
        context = avcodec_alloc_context3(codec)
        guard let context else {
            throw FFmpegError(code: .noMemory, function: "avcodec_alloc_context3", message: "out of memory")
        }
        do throws(FFmpegError) {
            try FFmpegError.check(
                avcodec_parameters_to_context(context, stream.parameters.pointer), "avcodec_parameters_to_context")
            context.pointee.pkt_timebase = AVRational(stream.timeBase)
            if let threadCount { context.pointee.thread_count = Int32(threadCount) }
            if let threading { context.pointee.thread_type = threading.rawValue }
            var dictionary = OptionDictionary(options)
            try FFmpegError.check(avcodec_open2(context, codec, &dictionary.pointer), "avcodec_open2")
            let unused = dictionary.remainingKeys
            if !unused.isEmpty {
                throw FFmpegError(
                    code: .invalidArgument, function: "avcodec_open2",
                    message: "the \(codecName) decoder did not accept option(s) \(unused.joined(separator: ", "))")
            }
        } catch {
            avcodec_free_context(&self.context)
            throw error
        }
    }

    deinit { avcodec_free_context(&context) }

    /// Passes the next packet of the stream in decoding order; nil starts draining (after
    /// the last packet), after which `receive` returns the buffered frames and then
    /// `.endOfStream`. The packet is not consumed.
    ///
    /// - Throws: `FFmpegError` with `.tryAgain` when frames must be received first (call
    ///   `receive` until `.needsInput` after every `send`), `.endOfFile` after draining,
    ///   or a decoding error such as `.invalidData`.
    /// - The corresponding FFmpeg function is `avcodec_send_packet`.
    public func send(_ packet: Packet?) throws(FFmpegError) {
        try FFmpegError.check(avcodec_send_packet(context, packet?.pointer), "avcodec_send_packet")
    }

    /// Takes the next decoded frame into `frame`, replacing its contents.
    ///
    /// - The corresponding FFmpeg function is `avcodec_receive_frame`.
    public func receive(into frame: Frame) throws(FFmpegError) -> ReceiveOutcome {
        let result = avcodec_receive_frame(context, frame.pointer)
        if result == cuepoint_averror_eagain() { return .needsInput }
        if result == cuepoint_averror_eof() { return .endOfStream }
        try FFmpegError.check(result, "avcodec_receive_frame")
        return .frame
    }

    /// Drops buffered packets and frames and leaves the draining state, for a seek or a new
    /// input. The corresponding FFmpeg function is `avcodec_flush_buffers`.
    public func flush() { avcodec_flush_buffers(context) }
}
