internal import CCuepointFFmpeg
public import CuepointTime

/// A libswresample converter from one audio layout, sample rate and sample format to
/// another: 5.1 at 22 050 Hz `s16` to stereo at 48 000 Hz `fltp`, for example.
///
/// Made for one source format, like `Scaler`: a frame of another rate, channel layout or
/// sample format is an error (check `accepts(_:)`, `flush()` this one and make a new one
/// when the input changes). Downmixing uses libswresample's default matrix (the centre and
/// surround channels folded into left and right at −3 dB).
///
/// Timestamps: output frames are stamped in `timeBase` (one tick per output sample). A
/// frame's output `pts` is its input `pts` converted to output samples, minus the samples
/// the resampler still held from earlier frames, so the output follows the input's clock
/// exactly and is continuous when the input is (FFmpeg's `swr_next_pts` without
/// compensation). A frame without a timestamp continues from the previous output.
///
/// Owned by one thread. The corresponding FFmpeg type is `SwrContext`.
public final class Resampler {
    private var context: OpaquePointer?
    /// The exact input layout, compared with each frame's (a layout may carry a channel map).
    private var sourceLayout = AVChannelLayout()
    /// The output `pts` the next output sample gets when the input has no timestamp.
    private var nextPts: Int64?

    /// The source format this resampler accepts: sample rate in Hz, channel count, the
    /// channel layout's name (`stereo`, `5.1`), sample format, and the unit of the input
    /// frames' `pts`.
    public let sourceSampleRate: Int, sourceChannels: Int, sourceLayoutName: String, sourceFormat: SampleFormat
    public let sourceTimeBase: Rational
    /// The output: sample rate in Hz, channel count (FFmpeg's default layout for it) and format.
    public let sampleRate: Int, channels: Int, sampleFormat: SampleFormat

    /// The unit of the output frames' `pts`: one output sample, `1/sampleRate`.
    public var timeBase: Rational { Rational(1, Int64(sampleRate)) }

    /// Creates a resampler whose source format is `frame`'s.
    ///
    /// A frame whose channel order is unspecified (a count without positions) is taken to
    /// have FFmpeg's default layout for its channel count.
    ///
    /// - Parameters:
    ///   - frame: a decoded audio frame of the source.
    ///   - timeBase: the unit of the source frames' `pts` (the decoder's `timeBase`).
    ///   - sampleRate: the output sample rate in Hz.
    ///   - channels: the output channel count; the layout is FFmpeg's default for it.
    ///   - sampleFormat: the output sample format (`fltp` for the `aac` encoder).
    /// - Throws: `FFmpegError` with `.invalidArgument` for a frame that is not audio or an
    ///   invalid target, or from `swr_alloc_set_opts2` and `swr_init` when libswresample
    ///   cannot convert between the two.
    /// - The corresponding FFmpeg functions are `swr_alloc_set_opts2` and `swr_init`.
    public init(
        from frame: Frame, timeBase: Rational, sampleRate: Int, channels: Int, sampleFormat: SampleFormat
    ) throws(FFmpegError) {
        guard frame.sampleRate > 0, frame.channels > 0, frame.sampleFormat != .none else {
            throw FFmpegError(
                code: .invalidArgument, function: "swr_alloc_set_opts2",
                message: "the frame is not audio (\(frame.sampleRate) Hz, \(frame.channels) channels)")
        }
        guard timeBase.isValid, sampleRate > 0, channels > 0, sampleFormat != .none else {
            throw FFmpegError(
                code: .invalidArgument, function: "swr_alloc_set_opts2",
                message:
                    "invalid target: \(sampleRate) Hz, \(channels) channels, \(sampleFormat), time base \(timeBase)")
        }
        Resampler.copyLayout(of: frame, into: &sourceLayout)
        sourceSampleRate = frame.sampleRate
        sourceChannels = frame.channels
        sourceFormat = frame.sampleFormat
        sourceLayoutName = Resampler.describe(&sourceLayout)
        sourceTimeBase = timeBase
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat

        var targetLayout = AVChannelLayout()
        av_channel_layout_default(&targetLayout, Int32(channels))
        defer { av_channel_layout_uninit(&targetLayout) }
        let allocated = swr_alloc_set_opts2(
            &context, &targetLayout, sampleFormat.av, Int32(sampleRate), &sourceLayout, sourceFormat.av,
            Int32(sourceSampleRate), 0, nil)
        guard allocated >= 0, context != nil else {
            av_channel_layout_uninit(&sourceLayout)
            throw FFmpegError(
                code: allocated < 0 ? allocated : cuepoint_averror(ENOMEM), function: "swr_alloc_set_opts2")
        }
        let initialised = swr_init(context)
        if initialised < 0 {
            swr_free(&context)
            av_channel_layout_uninit(&sourceLayout)
            throw FFmpegError(
                code: FFmpegError.Code(rawValue: initialised), function: "swr_init",
                message:
                    "\(FFmpegError.text(for: initialised)): cannot convert \(sourceDescription) to \(targetDescription)"
            )
        }
    }

    deinit {
        swr_free(&context)
        av_channel_layout_uninit(&sourceLayout)
    }

    /// `22050 Hz 5.1 s16`: the source format in words, for messages.
    public var sourceDescription: String { "\(sourceSampleRate) Hz \(sourceLayoutName) \(sourceFormat)" }

    private var targetDescription: String { "\(sampleRate) Hz \(channels) channels \(sampleFormat)" }

    /// Whether `frame` has the source format this resampler was made for.
    public func accepts(_ frame: Frame) -> Bool {
        guard frame.sampleRate == sourceSampleRate, frame.sampleFormat == sourceFormat,
            frame.channels == sourceChannels
        else { return false }
        var layout = AVChannelLayout()
        Resampler.copyLayout(of: frame, into: &layout)
        defer { av_channel_layout_uninit(&layout) }
        return av_channel_layout_compare(&layout, &sourceLayout) == 0
    }

    /// Converts `frame` into a new frame in the output format, stamped in `timeBase`.
    ///
    /// The result may hold fewer samples than the input converts to (the resampler keeps a
    /// few for its filter, and gives them back with the next frame or `flush()`), and may
    /// hold none.
    ///
    /// - Throws: `FFmpegError` with `.invalidArgument` when `frame` is not in the source
    ///   format (naming both), or from `av_frame_get_buffer` and `swr_convert`.
    /// - The corresponding FFmpeg functions are `swr_get_delay`, `swr_get_out_samples` and
    ///   `swr_convert`.
    public func convert(_ frame: Frame) throws(FFmpegError) -> Frame {
        guard accepts(frame) else {
            var layout = AVChannelLayout()
            Resampler.copyLayout(of: frame, into: &layout)
            defer { av_channel_layout_uninit(&layout) }
            throw FFmpegError(
                code: .invalidArgument, function: "swr_convert",
                message: "the frame is \(frame.sampleRate) Hz \(Resampler.describe(&layout)) \(frame.sampleFormat); "
                    + "this resampler was made for \(sourceDescription)")
        }
        // The output samples still inside the resampler come out before this frame's.
        let held = swr_get_delay(context, Int64(sampleRate))
        let pts: Int64?
        if let input = frame.pts ?? frame.bestEffortTimestamp {
            pts = MediaTime(ticks: input, timeBase: sourceTimeBase).rescaled(to: timeBase).ticks - held
        } else {
            pts = nextPts
        }
        let input = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data)?
            .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        return try run(input: input, count: frame.sampleCount, pts: pts)
    }

    /// Takes the samples the resampler still holds, after the last frame.
    ///
    /// - Returns: a frame stamped after the last output, or nil when nothing was held.
    /// - The corresponding FFmpeg function is `swr_convert` with no input.
    public func flush() throws(FFmpegError) -> Frame? {
        guard swr_get_out_samples(context, 0) > 0 else { return nil }
        let frame = try run(input: nil, count: 0, pts: nextPts)
        return frame.sampleCount > 0 ? frame : nil
    }

    private func run(input: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, count: Int, pts: Int64?) throws(FFmpegError)
        -> Frame
    {
        let capacity = try FFmpegError.check(swr_get_out_samples(context, Int32(count)), "swr_get_out_samples")
        let output = try Frame(
            sampleCount: max(Int(capacity), 1), sampleRate: sampleRate, channels: channels, sampleFormat: sampleFormat)
        let written = try FFmpegError.check(
            swr_convert(context, output.pointer.pointee.extended_data, max(capacity, 1), input, Int32(count)),
            "swr_convert")
        output.pointer.pointee.nb_samples = written
        output.pts = pts
        output.pointer.pointee.pkt_duration = Int64(written)
        if let pts { nextPts = pts + Int64(written) }
        return output
    }

    /// Copies `frame`'s channel layout, or FFmpeg's default for its channel count when the
    /// frame gives only a count.
    private static func copyLayout(of frame: Frame, into layout: inout AVChannelLayout) {
        let source = frame.pointer
        if source.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC
            || av_channel_layout_check(&source.pointee.ch_layout) == 0
        {
            av_channel_layout_default(&layout, source.pointee.ch_layout.nb_channels)
        } else if av_channel_layout_copy(&layout, &source.pointee.ch_layout) < 0 {
            av_channel_layout_default(&layout, source.pointee.ch_layout.nb_channels)
        }
    }

    /// FFmpeg's name for a layout (`stereo`, `5.1(side)`). The corresponding FFmpeg function
    /// is `av_channel_layout_describe`.
    private static func describe(_ layout: inout AVChannelLayout) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        guard av_channel_layout_describe(&layout, &buffer, buffer.count) >= 0 else {
            return "\(layout.nb_channels) channels"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
