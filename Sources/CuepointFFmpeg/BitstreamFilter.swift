internal import CCuepointFFmpeg
import CuepointTime

/// A libavcodec bitstream filter (`aac_adtstoasc`, `h264_mp4toannexb`, …) that rewrites
/// packets of one stream without decoding them. Owned by one thread.
///
/// The corresponding FFmpeg type is `AVBSFContext`.
public final class BitstreamFilter {
    private var context: UnsafeMutablePointer<AVBSFContext>?
    /// The filter's name.
    public let name: String

    /// Creates the filter for packets of `stream`.
    ///
    /// - The corresponding FFmpeg functions are `av_bsf_get_by_name`, `av_bsf_alloc` and `av_bsf_init`.
    public init(name: String, stream: StreamInfo) throws(FFmpegError) {
        self.name = name
        guard let filter = av_bsf_get_by_name(name) else {
            throw FFmpegError(code: .invalidArgument, function: "av_bsf_get_by_name", message: "FFmpeg has no bitstream filter named '\(name)'")
        }
        try FFmpegError.check(av_bsf_alloc(filter, &context), "av_bsf_alloc")
        do {
            try FFmpegError.check(avcodec_parameters_copy(context!.pointee.par_in, stream.parameters.pointer), "avcodec_parameters_copy")
            context!.pointee.time_base_in = AVRational(num: Int32(stream.timeBase.numerator), den: Int32(stream.timeBase.denominator))
            try FFmpegError.check(av_bsf_init(context), "av_bsf_init")
        } catch {
            av_bsf_free(&context)
            throw error
        }
    }

    deinit { av_bsf_free(&context) }

    /// Passes `packet` in (its payload is taken; the packet is empty afterwards).
    ///
    /// - The corresponding FFmpeg function is `av_bsf_send_packet`.
    public func send(_ packet: Packet) throws(FFmpegError) {
        try FFmpegError.check(av_bsf_send_packet(context, packet.pointer), "av_bsf_send_packet")
    }

    /// Takes the next filtered packet into `packet`; false when the filter needs more input.
    ///
    /// - The corresponding FFmpeg function is `av_bsf_receive_packet`.
    public func receive(into packet: Packet) throws(FFmpegError) -> Bool {
        packet.reset()
        let result = av_bsf_receive_packet(context, packet.pointer)
        if result == cuepoint_averror_eagain() || result == cuepoint_averror_eof() { return false }
        try FFmpegError.check(result, "av_bsf_receive_packet")
        return true
    }

    /// The codec configuration the filter produces (for `aac_adtstoasc`, the
    /// AudioSpecificConfig, known after the first packet); empty when none.
    public var outputExtradata: [UInt8] {
        guard let par = context?.pointee.par_out, let data = par.pointee.extradata, par.pointee.extradata_size > 0 else {
            return []
        }
        return Array(UnsafeBufferPointer(start: data, count: Int(par.pointee.extradata_size)))
    }
}
