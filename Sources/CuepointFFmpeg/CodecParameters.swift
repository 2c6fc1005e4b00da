internal import CCuepointFFmpeg
public import CuepointTime

/// An owned copy of a stream's `AVCodecParameters`, opaque outside this module: a muxer
/// stream is created from it. Immutable after creation, so it may be shared across threads.
public final class CodecParameters: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVCodecParameters>

    init(copying source: UnsafePointer<AVCodecParameters>) throws(FFmpegError) {
        guard let copy = avcodec_parameters_alloc() else {
            throw FFmpegError(code: .noMemory, function: "avcodec_parameters_alloc", message: "out of memory")
        }
        let result = avcodec_parameters_copy(copy, source)
        if result < 0 {
            var owned: UnsafeMutablePointer<AVCodecParameters>? = copy
            avcodec_parameters_free(&owned)
            throw FFmpegError(code: result, function: "avcodec_parameters_copy")
        }
        pointer = copy
    }

    deinit {
        var owned: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&owned)
    }
}

/// What a stream holds, read out of an `AVStream` as plain values.
public struct StreamInfo: Sendable {
    /// The stream's index in its container.
    public var index: Int
    /// The container's own identifier of the stream: the PID in MPEG-TS, the track ID in MP4.
    /// The corresponding FFmpeg field is `AVStream.id`.
    public var id: Int
    public var mediaType: MediaType
    public var codec: CodecID
    /// The unit of the stream's timestamps.
    public var timeBase: Rational
    /// Codec configuration: avcC/hvcC or Annex B parameter sets for video, the
    /// AudioSpecificConfig for AAC. Empty when the container carried none.
    public var extradata: [UInt8]
    /// FFmpeg's profile number (`FF_PROFILE_*`), nil when unknown.
    public var profile: Int?
    /// The codec level (`level_idc` for H.264), nil when unknown.
    public var level: Int?
    /// Video size in pixels, 0 for other media.
    public var width: Int
    public var height: Int
    /// The average frame rate, nil when unknown.
    public var frameRate: Rational?
    /// Audio sample rate in Hz, 0 for other media.
    public var sampleRate: Int
    /// Audio channel count, 0 for other media.
    public var channels: Int
    /// The declared bit rate in bits per second, nil when unknown.
    public var bitRate: Int?
    /// The first timestamp, nil when unknown.
    public var startTime: MediaTime?
    /// The declared duration, nil when unknown.
    public var duration: MediaTime?
    /// Whether the stream is a cover picture (`AV_DISPOSITION_ATTACHED_PIC`), not video.
    public var isAttachedPicture: Bool
    /// An owned copy of the parameters, for creating a muxer stream.
    public var parameters: CodecParameters

    init(_ stream: UnsafeMutablePointer<AVStream>) throws(FFmpegError) {
        let par = stream.pointee.codecpar!
        let noPTS = cuepoint_nopts_value()
        index = Int(stream.pointee.index)
        id = Int(stream.pointee.id)
        mediaType = MediaType(par.pointee.codec_type)
        codec = CodecID(par.pointee.codec_id)
        let base = Rational(Int64(stream.pointee.time_base.num), Int64(stream.pointee.time_base.den))
        timeBase = base.isValid ? base : .microseconds
        if let data = par.pointee.extradata, par.pointee.extradata_size > 0 {
            extradata = Array(UnsafeBufferPointer(start: data, count: Int(par.pointee.extradata_size)))
        } else {
            extradata = []
        }
        profile = par.pointee.profile >= 0 ? Int(par.pointee.profile) : nil
        level = par.pointee.level >= 0 ? Int(par.pointee.level) : nil
        width = Int(par.pointee.width)
        height = Int(par.pointee.height)
        let rate = stream.pointee.avg_frame_rate
        let fallback = stream.pointee.r_frame_rate
        if rate.num > 0 && rate.den > 0 {
            frameRate = Rational(Int64(rate.num), Int64(rate.den)).reduced
        } else if fallback.num > 0 && fallback.den > 0 {
            frameRate = Rational(Int64(fallback.num), Int64(fallback.den)).reduced
        } else {
            frameRate = nil
        }
        sampleRate = Int(par.pointee.sample_rate)
        channels = Int(par.pointee.ch_layout.nb_channels)
        bitRate = par.pointee.bit_rate > 0 ? Int(par.pointee.bit_rate) : nil
        startTime = stream.pointee.start_time == noPTS ? nil : MediaTime(ticks: stream.pointee.start_time, timeBase: timeBase)
        duration = stream.pointee.duration == noPTS ? nil : MediaTime(ticks: stream.pointee.duration, timeBase: timeBase)
        isAttachedPicture = stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
        parameters = try CodecParameters(copying: par)
    }
}
