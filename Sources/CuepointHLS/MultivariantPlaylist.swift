/// A multivariant (master) playlist: the list of variants a player chooses from, as a value.
///
/// Rendered as `#EXTM3U`, EXT-X-INDEPENDENT-SEGMENTS when set, the EXT-X-SESSION-DATA tags, the
/// EXT-X-MEDIA tags (subtitle renditions), one EXT-X-STREAM-INF and URI line per variant, then the
/// EXT-X-I-FRAME-STREAM-INF tags:
///
/// ```
/// #EXTM3U
/// #EXT-X-INDEPENDENT-SEGMENTS
/// #EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"
/// #EXT-X-STREAM-INF:BANDWIDTH=3300000,AVERAGE-BANDWIDTH=2600000,CODECS="avc1.64001f,mp4a.40.2",…
/// v720/index.m3u8
/// #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=330000,CODECS="avc1.64001f",RESOLUTION=1280x720,URI="v720/iframes.m3u8"
/// ```
///
/// No EXT-X-VERSION is written: nothing here needs more than version 1. RFC 8216 §7 and bis §8
/// list no version for AVERAGE-BANDWIDTH, FRAME-RATE, EXT-X-SESSION-DATA or
/// EXT-X-I-FRAME-STREAM-INF (Apple's EXT-X-VERSION page and some vendors list the last two under
/// 7 and 4, but as the versions that introduced them, not as requirements; older clients ignore
/// tags they do not know). The RFC says the version SHOULD NOT be higher than needed, and the
/// absence of the tag means version 1. The I-frame playlists themselves carry version 4 or 5 (see
/// `MediaPlaylist.version`).
public struct MultivariantPlaylist: Hashable, Sendable {
    /// Writes EXT-X-INDEPENDENT-SEGMENTS: every segment of every variant starts with a key frame
    /// and decodes on its own.
    public var independentSegments: Bool
    /// The EXT-X-SESSION-DATA tags, in the order written; no two may share both `dataID` and
    /// `language`.
    public var sessionData: [SessionData]
    /// The EXT-X-MEDIA tags (alternative renditions, such as subtitles per language), in the
    /// order written. Within a group at most one has DEFAULT=YES, and no two share a NAME.
    public var renditions: [MediaRendition]
    /// The variants, in the order written.
    public var variants: [VariantStream]
    /// The EXT-X-I-FRAME-STREAM-INF tags (trick-play variants), in the order written, after the
    /// variants.
    public var iFrameStreams: [IFrameStream]

    public init(
        independentSegments: Bool = false,
        sessionData: [SessionData] = [],
        renditions: [MediaRendition] = [],
        variants: [VariantStream] = [],
        iFrameStreams: [IFrameStream] = []
    ) {
        self.independentSegments = independentSegments
        self.sessionData = sessionData
        self.renditions = renditions
        self.variants = variants
        self.iFrameStreams = iFrameStreams
    }

    /// The protocol version the content needs: always 1, so no EXT-X-VERSION is written.
    public var version: Int { 1 }

    /// The playlist text, every line ending with `\n`.
    ///
    /// Rendering does not validate: strings are written as given, so a URI with a line break or a
    /// `"`, or two session data with the same DATA-ID and LANGUAGE, produce text the parser rejects.
    public func render() -> String {
        var lines = ["#EXTM3U"]
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        for data in sessionData { lines.append("#EXT-X-SESSION-DATA:\(data.attributeList.text)") }
        for rendition in renditions { lines.append("#EXT-X-MEDIA:\(rendition.attributeList.text)") }
        for variant in variants {
            lines.append("#EXT-X-STREAM-INF:\(variant.attributeList.text)")
            lines.append(variant.uri)
        }
        for stream in iFrameStreams { lines.append("#EXT-X-I-FRAME-STREAM-INF:\(stream.attributeList.text)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
