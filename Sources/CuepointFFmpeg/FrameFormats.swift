internal import CCuepointFFmpeg

/// How a video frame's pixels are laid out. Open: formats this type does not name are
/// still represented by their number.
///
/// The corresponding FFmpeg type is `enum AVPixelFormat`.
public struct PixelFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `AVPixelFormat` value; -1 is "none".
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ format: AVPixelFormat) { rawValue = format.rawValue }
    var av: AVPixelFormat { AVPixelFormat(rawValue: rawValue) }

    /// No format (`AV_PIX_FMT_NONE`): an empty frame.
    public static let none = PixelFormat(AV_PIX_FMT_NONE)
    /// Planar 4:2:0 YUV, limited range: what H.264 decoders produce and encoders take.
    public static let yuv420p = PixelFormat(AV_PIX_FMT_YUV420P)
    /// Planar 4:2:0 YUV, full range: what the `mjpeg` encoder takes.
    public static let yuvj420p = PixelFormat(AV_PIX_FMT_YUVJ420P)
    /// 4:2:0 with a luma plane and an interleaved chroma plane (hardware decoders' format).
    public static let nv12 = PixelFormat(AV_PIX_FMT_NV12)
    /// Packed 8-bit RGB.
    public static let rgb24 = PixelFormat(AV_PIX_FMT_RGB24)

    /// FFmpeg's name for it (`yuv420p`), or the number when FFmpeg has no name.
    ///
    /// The corresponding FFmpeg function is `av_get_pix_fmt_name`.
    public var name: String {
        guard let name = av_get_pix_fmt_name(av) else { return "pix_fmt(\(rawValue))" }
        return String(cString: name)
    }

    public var description: String { name }
}

/// How an audio frame's samples are stored. Open, like `PixelFormat`.
///
/// The corresponding FFmpeg type is `enum AVSampleFormat`.
public struct SampleFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `AVSampleFormat` value; -1 is "none".
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ format: AVSampleFormat) { rawValue = format.rawValue }
    var av: AVSampleFormat { AVSampleFormat(rawValue: rawValue) }

    /// No format (`AV_SAMPLE_FMT_NONE`).
    public static let none = SampleFormat(AV_SAMPLE_FMT_NONE)
    /// 32-bit float, one plane per channel: what the AAC decoder produces and encoder takes.
    public static let fltp = SampleFormat(AV_SAMPLE_FMT_FLTP)
    /// Signed 16-bit, interleaved.
    public static let s16 = SampleFormat(AV_SAMPLE_FMT_S16)

    /// FFmpeg's name for it (`fltp`). The corresponding FFmpeg function is `av_get_sample_fmt_name`.
    public var name: String {
        guard let name = av_get_sample_fmt_name(av) else { return "sample_fmt(\(rawValue))" }
        return String(cString: name)
    }

    public var description: String { name }
}

/// The coding type of a picture: on a decoded frame, how it was coded; on a frame sent to
/// an encoder, a request (`.intra` forces a keyframe, `.none` lets the encoder decide).
///
/// The corresponding FFmpeg type is `enum AVPictureType`.
public struct PictureType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    init(_ type: AVPictureType) { rawValue = type.rawValue }
    var av: AVPictureType { AVPictureType(rawValue: rawValue) }

    /// Undefined (`AV_PICTURE_TYPE_NONE`): for an encoder, "choose yourself".
    public static let none = PictureType(AV_PICTURE_TYPE_NONE)
    /// Intra (`AV_PICTURE_TYPE_I`).
    public static let intra = PictureType(AV_PICTURE_TYPE_I)
    /// Predicted (`AV_PICTURE_TYPE_P`).
    public static let predicted = PictureType(AV_PICTURE_TYPE_P)
    /// Bi-directionally predicted (`AV_PICTURE_TYPE_B`).
    public static let bidirectional = PictureType(AV_PICTURE_TYPE_B)

    /// FFmpeg's one-letter name (`I`, `P`, `B`, `?`). The corresponding FFmpeg function is `av_get_picture_type_char`.
    public var description: String {
        String(UnicodeScalar(UInt8(bitPattern: av_get_picture_type_char(av))))
    }
}

/// Which threading a codec may use. The corresponding FFmpeg field is `AVCodecContext.thread_type`.
public struct CodecThreading: OptionSet, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Several frames at once (`FF_THREAD_FRAME`): more throughput, more delay.
    public static let frame = CodecThreading(rawValue: FF_THREAD_FRAME)
    /// Several parts of one frame at once (`FF_THREAD_SLICE`): no added delay.
    public static let slice = CodecThreading(rawValue: FF_THREAD_SLICE)
}
