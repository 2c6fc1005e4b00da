import CuepointFFmpeg
import CuepointHLS
import CuepointTime

/// What the multivariant playlist says about a rendition apart from its bit rates:
/// CODECS from the codec configuration bytes, RESOLUTION and FRAME-RATE.
struct VariantDescription: Equatable {
    var codecs: [String]
    var resolution: Resolution?
    var frameRate: Rational?
    /// Streams whose CODECS entry could not be derived (the attribute is then left out).
    var unknownCodecs: [String]

    init(streams: [StreamInfo]) {
        codecs = []
        unknownCodecs = []
        resolution = nil
        frameRate = nil
        for stream in streams {
            if let codec = VariantDescription.codecString(for: stream) {
                codecs.append(codec)
            } else {
                unknownCodecs.append(stream.codec.name)
            }
            if stream.mediaType == .video {
                if stream.width > 0 && stream.height > 0 { resolution = Resolution(width: stream.width, height: stream.height) }
                frameRate = stream.frameRate
            }
        }
    }

    /// The RFC 6381 string for one stream (hls-reference §9), nil when it cannot be derived.
    static func codecString(for stream: StreamInfo) -> String? {
        switch stream.codec {
        case .h264: CodecString.h264(configuration: stream.extradata)
        case .hevc: CodecString.hevc(configuration: stream.extradata)
        case .aac:
            CodecString.aac(audioSpecificConfig: stream.extradata) ?? stream.profile.map { CodecString.aac(profile: $0) }
        case .mp3: "mp4a.40.34"
        case .ac3: "ac-3"
        default: nil
        }
    }
}
