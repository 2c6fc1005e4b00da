import CuepointTime

public import CuepointTime

/// One partial segment of a low-latency playlist (LL-HLS, RFC 8216bis §4.4.4.9): a piece of a
/// media segment that a client may fetch before the whole segment exists, written as
/// `#EXT-X-PART:DURATION=0.500,URI="seg_000007.1.m4s"[,INDEPENDENT=YES]`.
///
/// A part lasts at most the playlist's PART-TARGET (`MediaPlaylist.partTargetMilliseconds`); it
/// lasts at least 85 % of it unless it is INDEPENDENT or the last part of its segment. For fMP4,
/// one part is one `moof`+`mdat` fragment, and a segment's parts, concatenated, are its bytes.
public struct PartialSegment: Hashable, Sendable {
    /// The URI attribute: where the part is, relative to the playlist. Must not contain `"`, CR or LF.
    public var uri: String
    /// The DURATION attribute, in milliseconds; rendered with exactly three decimals.
    public var durationMilliseconds: Int64
    /// Writes INDEPENDENT=YES: the part starts with an independent frame (a keyframe), so a
    /// client can start decoding at it.
    public var independent: Bool

    public init(uri: String, durationMilliseconds: Int64, independent: Bool = false) {
        self.uri = uri
        self.durationMilliseconds = durationMilliseconds
        self.independent = independent
    }

    /// The attribute list written after `#EXT-X-PART:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("DURATION", plain: SecondsText.fixed(milliseconds: durationMilliseconds))
        list.append("URI", quoted: uri)
        if independent { list.append("INDEPENDENT", plain: "YES") }
        return list
    }

    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        guard let duration = try list.thousandths("DURATION") else {
            throw list.error("EXT-X-PART needs the DURATION attribute")
        }
        let uri = try list.requiredQuotedString("URI")
        var independent = false
        if let value = try list.plain("INDEPENDENT") {
            guard value == "YES" || value == "NO" else {
                throw list.error("EXT-X-PART attribute INDEPENDENT must be YES or NO")
            }
            independent = value == "YES"
        }
        self.init(uri: uri, durationMilliseconds: duration, independent: independent)
    }
}

/// The segment a low-latency playlist is still receiving parts for: the parts published so far,
/// after the last complete segment, with the tags that go before its first part
/// (EXT-X-DISCONTINUITY, EXT-X-MAP, EXT-X-PROGRAM-DATE-TIME; RFC 8216bis §4.4.4.9).
public struct OpenSegment: Hashable, Sendable {
    /// Writes EXT-X-DISCONTINUITY before the first part.
    public var discontinuity: Bool
    /// The EXT-X-MAP in force; written only when it differs from the last segment's.
    public var map: MediaInitializationSection?
    /// Writes EXT-X-PROGRAM-DATE-TIME before the first part.
    public var programDateTime: WallClockTime?
    /// The parts so far, in order.
    public var parts: [PartialSegment]

    public init(
        discontinuity: Bool = false, map: MediaInitializationSection? = nil, programDateTime: WallClockTime? = nil,
        parts: [PartialSegment] = []
    ) {
        self.discontinuity = discontinuity
        self.map = map
        self.programDateTime = programDateTime
        self.parts = parts
    }
}
