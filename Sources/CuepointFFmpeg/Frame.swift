internal import CCuepointFFmpeg
public import CuepointTime

/// One decoded picture or block of audio samples, owning an `AVFrame`.
///
/// A frame is reused: `Decoder.receive(into:)` and `Scaler.scale(_:into:)` refill it. Its
/// pixel or sample buffers are reference-counted, so `clone()` is cheap. Owned by one thread
/// at a time; hand it to another thread only together with its ownership.
public final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    /// An empty frame, to be filled by a decoder or a scaler.
    ///
    /// The corresponding FFmpeg function is `av_frame_alloc`.
    public init() {
        guard let frame = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = frame
    }

    /// A video frame with newly allocated, uninitialised pixel buffers.
    ///
    /// - Throws: `FFmpegError` from `av_frame_get_buffer` (for example an invalid size or format).
    /// - The corresponding FFmpeg function is `av_frame_get_buffer`.
    public convenience init(width: Int, height: Int, pixelFormat: PixelFormat) throws(FFmpegError) {
        self.init()
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = pixelFormat.rawValue
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    /// An audio frame with newly allocated, uninitialised sample buffers.
    ///
    /// - Parameters:
    ///   - sampleCount: samples per channel.
    ///   - sampleRate: in Hz.
    ///   - channels: the channel count; the layout is FFmpeg's default for that count.
    /// - The corresponding FFmpeg functions are `av_channel_layout_default` and `av_frame_get_buffer`.
    public convenience init(
        sampleCount: Int, sampleRate: Int, channels: Int, sampleFormat: SampleFormat
    ) throws(FFmpegError) {
        self.init()
        pointer.pointee.nb_samples = Int32(sampleCount)
        pointer.pointee.sample_rate = Int32(sampleRate)
        pointer.pointee.format = sampleFormat.rawValue
        av_channel_layout_default(&pointer.pointee.ch_layout, Int32(channels))
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    deinit {
        var owned: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&owned)
    }

    /// Presentation timestamp in the time base of whoever filled the frame (a decoder's
    /// stream time base; an encoder expects its own `timeBase`); nil for `AV_NOPTS_VALUE`.
    public var pts: Int64? {
        get { pointer.pointee.pts == cuepoint_nopts_value() ? nil : pointer.pointee.pts }
        set { pointer.pointee.pts = newValue ?? cuepoint_nopts_value() }
    }

    /// The decoder's best guess of the presentation timestamp when `pts` is missing or
    /// unreliable, in the same time base; nil when it has none.
    public var bestEffortTimestamp: Int64? {
        let value = pointer.pointee.best_effort_timestamp
        return value == cuepoint_nopts_value() ? nil : value
    }

    /// Duration in the same time base as `pts`, taken from the packet; 0 when unknown.
    public var duration: Int64 { pointer.pointee.pkt_duration }

    /// The value of the frame's metadata entry `key`, or nil when it has none. Filters report
    /// measurements there: `ebur128=metadata=1` writes `lavfi.r128.I` (integrated loudness, LUFS).
    ///
    /// The corresponding FFmpeg function is `av_dict_get` on `AVFrame.metadata`.
    public func metadata(_ key: String) -> String? {
        guard let entry = av_dict_get(pointer.pointee.metadata, key, nil, 0), let value = entry.pointee.value else {
            return nil
        }
        return String(cString: value)
    }

    // MARK: Video

    /// Width in pixels; 0 for audio.
    public var width: Int { Int(pointer.pointee.width) }
    /// Height in pixels; 0 for audio.
    public var height: Int { Int(pointer.pointee.height) }

    /// The pixel layout; `.none` for audio or an empty frame.
    public var pixelFormat: PixelFormat {
        pointer.pointee.width > 0 ? PixelFormat(rawValue: pointer.pointee.format) : .none
    }

    /// The width:height of one pixel; nil when unknown (treat as square).
    public var sampleAspectRatio: Rational? {
        let ratio = pointer.pointee.sample_aspect_ratio
        return ratio.num > 0 && ratio.den > 0 ? Rational(Int64(ratio.num), Int64(ratio.den)) : nil
    }

    /// Whether a decoded picture is a keyframe (can be decoded on its own).
    public var isKeyframe: Bool { pointer.pointee.key_frame != 0 }

    /// How a decoded picture was coded, or what an encoder is asked to make of it.
    ///
    /// A decoded frame carries its source's type, and encoders such as `libx264` honour it,
    /// so reset it to `.none` before re-encoding unless the source's GOP should be copied.
    public var pictureType: PictureType {
        get { PictureType(pointer.pointee.pict_type) }
        set { pointer.pointee.pict_type = newValue.av }
    }

    /// Asks the encoder that receives this frame to make it a keyframe (an IDR picture for
    /// `libx264` when its `forced-idr` option is set). Same as `pictureType = .intra`.
    public func forceKeyframe() { pictureType = .intra }

    /// The quantiser an MPEG-family encoder should use for this picture, in lambda units
    /// (`q × FF_QP2LAMBDA`); 0 lets the encoder decide.
    var quality: Int32 {
        get { pointer.pointee.quality }
        set { pointer.pointee.quality = newValue }
    }

    // MARK: Audio

    /// Sample rate in Hz; 0 for video.
    public var sampleRate: Int { Int(pointer.pointee.sample_rate) }
    /// Channel count; 0 for video.
    public var channels: Int { Int(pointer.pointee.ch_layout.nb_channels) }
    /// Samples per channel in this frame; 0 for video.
    public var sampleCount: Int { Int(pointer.pointee.nb_samples) }

    /// The sample layout; `.none` for video or an empty frame.
    public var sampleFormat: SampleFormat {
        pointer.pointee.nb_samples > 0 ? SampleFormat(rawValue: pointer.pointee.format) : .none
    }

    // MARK: Lifecycle

    /// Whether the frame holds pixel or sample buffers.
    public var hasBuffers: Bool { pointer.pointee.buf.0 != nil }

    /// Drops the buffers and resets the fields. The corresponding FFmpeg function is `av_frame_unref`.
    public func reset() { av_frame_unref(pointer) }

    /// A new frame referring to the same buffers (no copy of the pixels) with the same fields.
    ///
    /// The corresponding FFmpeg function is `av_frame_ref`.
    public func clone() throws(FFmpegError) -> Frame {
        let copy = Frame()
        try FFmpegError.check(av_frame_ref(copy.pointer, pointer), "av_frame_ref")
        return copy
    }
}
