internal import CCuepointFFmpeg

/// What a stream carries. Open: a newer FFmpeg's new types map to `other`.
public enum MediaType: String, Sendable, Hashable {
    case video, audio, data, subtitle, attachment, other

    init(_ type: AVMediaType) {
        switch type {
        case AVMEDIA_TYPE_VIDEO: self = .video
        case AVMEDIA_TYPE_AUDIO: self = .audio
        case AVMEDIA_TYPE_DATA: self = .data
        case AVMEDIA_TYPE_SUBTITLE: self = .subtitle
        case AVMEDIA_TYPE_ATTACHMENT: self = .attachment
        default: self = .other
        }
    }
}

/// A codec, by FFmpeg's numeric id and name (`h264`, `hevc`, `aac`, `timed_id3`).
public struct CodecID: Hashable, Sendable, CustomStringConvertible {
    /// The `AVCodecID` value.
    public var rawValue: Int32
    /// FFmpeg's name for it (`avcodec_get_name`).
    public var name: String { String(cString: avcodec_get_name(AVCodecID(UInt32(bitPattern: rawValue)))) }

    init(_ id: AVCodecID) { self.rawValue = Int32(bitPattern: id.rawValue) }

    public static let h264 = CodecID(AV_CODEC_ID_H264)
    public static let hevc = CodecID(AV_CODEC_ID_HEVC)
    public static let aac = CodecID(AV_CODEC_ID_AAC)
    public static let mp3 = CodecID(AV_CODEC_ID_MP3)
    public static let ac3 = CodecID(AV_CODEC_ID_AC3)
    public static let timedID3 = CodecID(AV_CODEC_ID_TIMED_ID3)

    public var description: String { name }
}
