public import CuepointTime

/// One variant of a multivariant playlist, written as `#EXT-X-STREAM-INF:<attributes>` followed by
/// the URI of its media playlist.
///
/// Attributes are written in the order BANDWIDTH, AVERAGE-BANDWIDTH, CODECS, RESOLUTION,
/// FRAME-RATE, SUBTITLES, each only when set (CODECS only when the list is not empty).
public struct VariantStream: Hashable, Sendable {
    /// The URI line: the variant's media playlist, relative to the multivariant playlist.
    public var uri: String
    /// BANDWIDTH (required), in bits per second: the peak segment bit rate, see
    /// `BitrateMeasurement.peak(segments:targetDuration:)`.
    public var bandwidth: Int
    /// AVERAGE-BANDWIDTH, in bits per second, see `BitrateMeasurement.average(segments:)`.
    public var averageBandwidth: Int?
    /// CODECS: RFC 6381 codec strings of every format in the variant (`avc1.64001f`, `mp4a.40.2`),
    /// see `CodecString`. Written as one comma-separated quoted string; entries must not contain
    /// `,`, `"` or whitespace.
    public var codecs: [String]
    /// RESOLUTION: the video size in pixels.
    public var resolution: Resolution?
    /// FRAME-RATE, in frames per second, written rounded to exactly three decimals
    /// (30000/1001 → `29.970`). The parser reads `29.970` back as 29970/1000, which renders the
    /// same. Frame rates with a non-positive denominator are not written.
    public var frameRate: Rational?
    /// SUBTITLES: the GROUP-ID of the EXT-X-MEDIA subtitle renditions that go with this variant.
    public var subtitles: String?

    public init(
        uri: String,
        bandwidth: Int,
        averageBandwidth: Int? = nil,
        codecs: [String] = [],
        resolution: Resolution? = nil,
        frameRate: Rational? = nil,
        subtitles: String? = nil
    ) {
        self.uri = uri
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.codecs = codecs
        self.resolution = resolution
        self.frameRate = frameRate
        self.subtitles = subtitles
    }

    /// The attribute list written after `#EXT-X-STREAM-INF:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.appendStreamAttributes(
            bandwidth: bandwidth, averageBandwidth: averageBandwidth, codecs: codecs, resolution: resolution)
        if let frameRate, frameRate.denominator > 0 {
            let thousandths = DecimalText.thousandths(of: (frameRate.numerator, frameRate.denominator))
            list.append("FRAME-RATE", plain: DecimalText.fixedThree(thousandths))
        }
        if let subtitles { list.append("SUBTITLES", quoted: subtitles) }
        return list
    }

    /// Reads a variant from the attributes of an EXT-X-STREAM-INF tag; `uri` comes from the line after it.
    ///
    /// - Throws: `PlaylistParseError` on the tag's line for a missing BANDWIDTH, malformed values,
    ///   an empty or whitespace-containing CODECS entry, or an attribute this model does not hold
    ///   (AUDIO, VIDEO-RANGE, …).
    init(attributes list: inout AttributeList, uri: String) throws(PlaylistParseError) {
        guard let bandwidth = try list.bitRate("BANDWIDTH") else {
            throw list.error("EXT-X-STREAM-INF needs the BANDWIDTH attribute")
        }
        let averageBandwidth = try list.bitRate("AVERAGE-BANDWIDTH")
        let codecs = try list.codecs()
        let resolution = try list.resolution()
        let frameRate = try list.thousandths("FRAME-RATE").map { Rational($0, 1000) }
        let subtitles = try list.quotedString("SUBTITLES")
        try list.finish()
        self.init(
            uri: uri, bandwidth: bandwidth, averageBandwidth: averageBandwidth, codecs: codecs,
            resolution: resolution, frameRate: frameRate, subtitles: subtitles)
    }
}
