import CuepointFFmpeg
import CuepointTime
import Foundation

/// What `cuepoint probe` prints: the container, each stream, and the CODECS string a
/// variant made from the input would carry.
public struct InputReport: Sendable {
    public struct Stream: Sendable {
        public var index: Int
        public var mediaType: String
        public var codec: String
        /// The RFC 6381 string, nil when it cannot be derived.
        public var codecString: String?
        public var detail: String
    }

    public var url: String
    public var formatName: String
    public var durationMilliseconds: Int64?
    public var streams: [Stream]

    /// Opens `url` and reads its stream parameters.
    public static func inspect(url: String) throws(CuepointError) -> InputReport {
        let demuxer = try InputOpener.open(url: url, format: nil, options: [:], interrupt: InterruptPolicy())
        return InputReport(
            url: url, formatName: demuxer.formatName, durationMilliseconds: demuxer.duration?.milliseconds,
            streams: demuxer.streams.map { info in
                var detail: [String] = []
                if info.mediaType == .video {
                    detail.append("\(info.width)x\(info.height)")
                    if let rate = info.frameRate { detail.append(String(format: "%.3f fps", rate.doubleValue)) }
                }
                if info.mediaType == .audio { detail.append("\(info.sampleRate) Hz, \(info.channels) ch") }
                if let bitRate = info.bitRate { detail.append("\(bitRate / 1000) kbit/s") }
                detail.append("time base \(info.timeBase)")
                return Stream(
                    index: info.index, mediaType: info.mediaType.rawValue, codec: info.codec.name,
                    codecString: VariantDescription.codecString(for: info), detail: detail.joined(separator: ", "))
            })
    }

    /// The report as text, one stream per line, then the CODECS attribute.
    public var text: String {
        var lines = ["\(url): \(formatName)" + (durationMilliseconds.map { ", " + SecondsText.format(milliseconds: $0) } ?? "")]
        for stream in streams {
            lines.append("  stream \(stream.index): \(stream.mediaType) \(stream.codec) [\(stream.codecString ?? "no CODECS")] \(stream.detail)")
        }
        let codecs = streams.compactMap(\.codecString)
        lines.append("  CODECS=\"\(codecs.joined(separator: ","))\"")
        return lines.joined(separator: "\n")
    }
}
