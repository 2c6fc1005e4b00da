public import CuepointTime

/// What a video encoder is opened with. A value, so a rendition ladder can be described
/// before any encoder exists and passed between threads.
public struct VideoEncoderSettings: Hashable, Sendable {
    /// The FFmpeg encoder name: `libx264`, `mjpeg`, …
    public var codecName: String
    /// Picture size in pixels; frames sent must have it.
    public var width: Int
    public var height: Int
    /// The pixel format of the frames sent (`yuv420p` for `libx264`, `yuvj420p` for `mjpeg`).
    public var pixelFormat: PixelFormat
    /// The unit of the frames' `pts` and of the packets' timestamps, e.g. `1/30` or `1/90000`.
    /// Some encoders change it when opened; read `Encoder.timeBase` for the one in effect.
    public var timeBase: Rational
    /// The nominal frame rate, for rate control and the container; nil when unknown.
    public var frameRate: Rational?
    /// Target bit rate in bits per second; nil for the encoder's default or a quality mode.
    public var bitRate: Int?
    /// VBV maximum rate in bits per second (`maxrate`); nil for none.
    public var maxRate: Int?
    /// VBV buffer size in bits (`bufsize`); nil for none.
    public var bufferSize: Int?
    /// The largest distance between keyframes, in frames; nil for the encoder's default.
    /// Keyframes forced with `Frame.forceKeyframe()` come in addition.
    public var gopSize: Int?
    /// Fixed quantiser scale for the MPEG-family encoders (`mjpeg`, `mpeg4`): 1 (best) to
    /// 31 (smallest), FFmpeg's `-q:v`; nil for rate control. Sets `AV_CODEC_FLAG_QSCALE`
    /// and `global_quality` (in lambda units, `q × FF_QP2LAMBDA`), and `Encoder.send`
    /// writes it into each frame, where these encoders read it.
    public var fixedQuality: Int?
    /// Encoding threads; nil lets FFmpeg choose.
    public var threadCount: Int?
    /// The kinds of threading allowed; nil keeps the encoder's default.
    public var threading: CodecThreading?
    /// The width:height of one pixel, written into the stream (H.264 VUI, MP4 `pasp`); nil
    /// leaves it unknown. `Rational(1, 1)` declares square pixels.
    public var sampleAspectRatio: Rational?
    /// Whether codec configuration (H.264 SPS/PPS) goes into `Encoder.extradata` once rather
    /// than in front of every keyframe (`AV_CODEC_FLAG_GLOBAL_HEADER`). MP4 needs it; see
    /// `Muxer.requiresGlobalHeader`.
    public var globalHeader: Bool
    /// Encoder private options (`preset`, `profile`, `crf`, `x264-params`, `forced-idr`);
    /// an option the encoder does not recognise is an error when it opens.
    public var options: [String: String]

    public init(
        codecName: String, width: Int, height: Int, pixelFormat: PixelFormat = .yuv420p, timeBase: Rational,
        frameRate: Rational? = nil, bitRate: Int? = nil, maxRate: Int? = nil, bufferSize: Int? = nil,
        gopSize: Int? = nil, fixedQuality: Int? = nil, threadCount: Int? = nil, threading: CodecThreading? = nil,
        sampleAspectRatio: Rational? = nil, globalHeader: Bool = false, options: [String: String] = [:]
    ) {
        self.codecName = codecName
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.timeBase = timeBase
        self.frameRate = frameRate
        self.bitRate = bitRate
        self.maxRate = maxRate
        self.bufferSize = bufferSize
        self.gopSize = gopSize
        self.fixedQuality = fixedQuality
        self.threadCount = threadCount
        self.threading = threading
        self.sampleAspectRatio = sampleAspectRatio
        self.globalHeader = globalHeader
        self.options = options
    }
}

/// What an audio encoder is opened with.
public struct AudioEncoderSettings: Hashable, Sendable {
    /// The FFmpeg encoder name: `aac`, `libopus`, …
    public var codecName: String
    /// Sample rate in Hz; frames sent must have it.
    public var sampleRate: Int
    /// Channel count; the layout is FFmpeg's default for it (stereo for 2).
    public var channels: Int
    /// The sample format of the frames sent (`fltp` for `aac`).
    public var sampleFormat: SampleFormat
    /// Target bit rate in bits per second; nil for the encoder's default.
    public var bitRate: Int?
    /// The unit of the frames' `pts`; nil for one sample (`1/sampleRate`).
    public var timeBase: Rational?
    /// Encoding threads; nil lets FFmpeg choose.
    public var threadCount: Int?
    /// Whether codec configuration (the AAC AudioSpecificConfig) goes into
    /// `Encoder.extradata` rather than into each packet (ADTS). MP4 needs it.
    public var globalHeader: Bool
    /// Encoder private options (`aac_coder`, …); unrecognised ones are an error.
    public var options: [String: String]

    public init(
        codecName: String, sampleRate: Int, channels: Int, sampleFormat: SampleFormat = .fltp, bitRate: Int? = nil,
        timeBase: Rational? = nil, threadCount: Int? = nil, globalHeader: Bool = false, options: [String: String] = [:]
    ) {
        self.codecName = codecName
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
        self.bitRate = bitRate
        self.timeBase = timeBase
        self.threadCount = threadCount
        self.globalHeader = globalHeader
        self.options = options
    }
}
