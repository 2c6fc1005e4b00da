/// An I-frame (trick-play) variant of a multivariant playlist, written as
/// `#EXT-X-I-FRAME-STREAM-INF:<attributes>` with the URI of its I-frames-only media playlist
/// (`MediaPlaylist.iFramesOnly`) as an attribute rather than on the next line.
///
/// Attributes are written in the order BANDWIDTH, AVERAGE-BANDWIDTH, CODECS, RESOLUTION, URI, each
/// only when set (CODECS only when the list is not empty). The tag takes no FRAME-RATE, AUDIO,
/// SUBTITLES or CLOSED-CAPTIONS. Apple's authoring specification also requires CODECS and
/// RESOLUTION; the RFC only BANDWIDTH and URI.
public struct IFrameStream: Hashable, Sendable {
    /// The URI attribute (required): the I-frames-only media playlist, relative to the
    /// multivariant playlist. A non-empty quoted-string: no `"`, CR or LF.
    public var uri: String
    /// BANDWIDTH (required), in bits per second: the peak bit rate of the I-frames, as for
    /// `VariantStream.bandwidth` but measured over the I-frame segments.
    public var bandwidth: Int
    /// AVERAGE-BANDWIDTH, in bits per second.
    public var averageBandwidth: Int?
    /// CODECS: RFC 6381 codec strings of the video (`avc1.64001f`); written as one
    /// comma-separated quoted string, entries without `,`, `"` or whitespace.
    public var codecs: [String]
    /// RESOLUTION: the video size in pixels.
    public var resolution: Resolution?

    public init(
        uri: String,
        bandwidth: Int,
        averageBandwidth: Int? = nil,
        codecs: [String] = [],
        resolution: Resolution? = nil
    ) {
        self.uri = uri
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.codecs = codecs
        self.resolution = resolution
    }

    /// The attribute list written after `#EXT-X-I-FRAME-STREAM-INF:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.appendStreamAttributes(
            bandwidth: bandwidth, averageBandwidth: averageBandwidth, codecs: codecs, resolution: resolution)
        list.append("URI", quoted: uri)
        return list
    }

    /// Reads an I-frame variant from the attributes of an EXT-X-I-FRAME-STREAM-INF tag.
    ///
    /// - Throws: `PlaylistParseError` on the tag's line for a missing BANDWIDTH or URI, malformed
    ///   values, an empty or whitespace-containing CODECS entry, or an attribute this model does not
    ///   hold (FRAME-RATE, VIDEO, HDCP-LEVEL, …).
    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        guard let bandwidth = try list.bitRate("BANDWIDTH") else {
            throw list.error("EXT-X-I-FRAME-STREAM-INF needs the BANDWIDTH attribute")
        }
        let averageBandwidth = try list.bitRate("AVERAGE-BANDWIDTH")
        let codecs = try list.codecs()
        let resolution = try list.resolution()
        let uri = try list.requiredQuotedString("URI")
        try list.finish()
        self.init(
            uri: uri, bandwidth: bandwidth, averageBandwidth: averageBandwidth, codecs: codecs, resolution: resolution)
    }
}
