import CuepointTime

/// EXT-X-SERVER-CONTROL: what the server that publishes a live playlist can do (RFC 8216bis
/// §4.4.3.8), e.g. `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,CAN-SKIP-UNTIL=12.000`.
///
/// Every rendition of a presentation carries the same value (bis §6.2.4).
public struct ServerControl: Hashable, Sendable {
    /// CAN-BLOCK-RELOAD=YES: the server holds a playlist request with `_HLS_msn`/`_HLS_part`
    /// until that segment or part exists (blocking playlist reload).
    public var canBlockReload: Bool
    /// CAN-SKIP-UNTIL, in milliseconds: the Skip Boundary of delta updates (`_HLS_skip`); at least
    /// six target durations. Nil: no delta updates.
    public var canSkipUntilMilliseconds: Int64?
    /// CAN-SKIP-DATERANGES=YES: delta updates asked with `_HLS_skip=v2` also skip the
    /// EXT-X-DATERANGE tags of skipped segments.
    public var canSkipDateRanges: Bool
    /// HOLD-BACK, in milliseconds; nil means the default, three target durations.
    public var holdBackMilliseconds: Int64?
    /// PART-HOLD-BACK, in milliseconds: how far from the live edge a low-latency client starts.
    /// Required with EXT-X-PART-INF; at least twice PART-TARGET (Apple: three times).
    public var partHoldBackMilliseconds: Int64?

    public init(
        canBlockReload: Bool = false, canSkipUntilMilliseconds: Int64? = nil, canSkipDateRanges: Bool = false,
        holdBackMilliseconds: Int64? = nil, partHoldBackMilliseconds: Int64? = nil
    ) {
        self.canBlockReload = canBlockReload
        self.canSkipUntilMilliseconds = canSkipUntilMilliseconds
        self.canSkipDateRanges = canSkipDateRanges
        self.holdBackMilliseconds = holdBackMilliseconds
        self.partHoldBackMilliseconds = partHoldBackMilliseconds
    }

    /// The attribute list written after `#EXT-X-SERVER-CONTROL:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        if canBlockReload { list.append("CAN-BLOCK-RELOAD", plain: "YES") }
        if let holdBackMilliseconds { list.append("HOLD-BACK", plain: SecondsText.fixed(milliseconds: holdBackMilliseconds)) }
        if let partHoldBackMilliseconds {
            list.append("PART-HOLD-BACK", plain: SecondsText.fixed(milliseconds: partHoldBackMilliseconds))
        }
        if let canSkipUntilMilliseconds {
            list.append("CAN-SKIP-UNTIL", plain: SecondsText.fixed(milliseconds: canSkipUntilMilliseconds))
        }
        if canSkipDateRanges { list.append("CAN-SKIP-DATERANGES", plain: "YES") }
        return list
    }

    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        self.init()
        canBlockReload = try Self.yes("CAN-BLOCK-RELOAD", &list)
        holdBackMilliseconds = try list.thousandths("HOLD-BACK")
        partHoldBackMilliseconds = try list.thousandths("PART-HOLD-BACK")
        canSkipUntilMilliseconds = try list.thousandths("CAN-SKIP-UNTIL")
        canSkipDateRanges = try Self.yes("CAN-SKIP-DATERANGES", &list)
        if canSkipDateRanges, canSkipUntilMilliseconds == nil {
            throw list.error("EXT-X-SERVER-CONTROL attribute CAN-SKIP-DATERANGES needs CAN-SKIP-UNTIL")
        }
    }

    static func yes(_ name: String, _ list: inout AttributeList) throws(PlaylistParseError) -> Bool {
        guard let value = try list.plain(name) else { return false }
        guard value == "YES" || value == "NO" else {
            throw list.error("\(list.tag) attribute \(name) must be YES or NO")
        }
        return value == "YES"
    }
}

/// EXT-X-PRELOAD-HINT: a resource the client may request before it exists (the next part, or the
/// next init section); the server answers when it is complete (RFC 8216bis §4.4.5.3).
/// At most one per type, and none in a playlist with EXT-X-ENDLIST.
public struct PreloadHint: Hashable, Sendable {
    public enum HintType: String, Hashable, Sendable {
        case part = "PART"
        case map = "MAP"
    }

    /// TYPE: PART or MAP.
    public var type: HintType
    /// URI, relative to the playlist.
    public var uri: String

    public init(type: HintType, uri: String) {
        self.type = type
        self.uri = uri
    }

    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("TYPE", plain: type.rawValue)
        list.append("URI", quoted: uri)
        return list
    }

    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        guard let text = try list.plain("TYPE") else { throw list.error("EXT-X-PRELOAD-HINT needs the TYPE attribute") }
        guard let type = HintType(rawValue: text) else {
            throw list.error("EXT-X-PRELOAD-HINT attribute TYPE must be PART or MAP, not \(text)")
        }
        self.init(type: type, uri: try list.requiredQuotedString("URI"))
    }
}

/// EXT-X-RENDITION-REPORT: where another rendition of the presentation is, so a client switching to
/// it can make a blocking request right away (RFC 8216bis §4.4.5.4).
public struct PlaylistRenditionReport: Hashable, Sendable {
    /// URI of the other rendition's media playlist, relative to this playlist.
    public var uri: String
    /// LAST-MSN: the media sequence number of its last segment (complete or in progress).
    public var lastSequence: Int64
    /// LAST-PART: the index of its last part in that segment; nil without parts.
    public var lastPart: Int64?

    public init(uri: String, lastSequence: Int64, lastPart: Int64? = nil) {
        self.uri = uri
        self.lastSequence = lastSequence
        self.lastPart = lastPart
    }

    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("URI", quoted: uri)
        list.append("LAST-MSN", plain: String(lastSequence))
        if let lastPart { list.append("LAST-PART", plain: String(lastPart)) }
        return list
    }

    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        let uri = try list.requiredQuotedString("URI")
        guard let sequence = try list.decimalInteger("LAST-MSN") else {
            throw list.error("EXT-X-RENDITION-REPORT needs the LAST-MSN attribute")
        }
        self.init(uri: uri, lastSequence: sequence, lastPart: try list.decimalInteger("LAST-PART"))
    }
}

/// EXT-X-SKIP: in a delta update (`_HLS_skip`), stands for the segments older than the Skip
/// Boundary that the client already has (RFC 8216bis §4.4.5.2).
public struct PlaylistSkip: Hashable, Sendable {
    /// SKIPPED-SEGMENTS: how many segments, from EXT-X-MEDIA-SEQUENCE on, are left out.
    public var skippedSegments: Int64
    /// RECENTLY-REMOVED-DATERANGES (`_HLS_skip=v2`): the IDs of date ranges removed from the
    /// playlist that the client should drop. Written only when non-empty (the attribute is a
    /// quoted-string, which must not be empty); needs version 10.
    public var recentlyRemovedDateRanges: [String]

    public init(skippedSegments: Int64, recentlyRemovedDateRanges: [String] = []) {
        self.skippedSegments = skippedSegments
        self.recentlyRemovedDateRanges = recentlyRemovedDateRanges
    }

    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("SKIPPED-SEGMENTS", plain: String(skippedSegments))
        if !recentlyRemovedDateRanges.isEmpty {
            list.append("RECENTLY-REMOVED-DATERANGES", quoted: recentlyRemovedDateRanges.joined(separator: "\t"))
        }
        return list
    }

    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        guard let skipped = try list.decimalInteger("SKIPPED-SEGMENTS") else {
            throw list.error("EXT-X-SKIP needs the SKIPPED-SEGMENTS attribute")
        }
        let removed = try list.quotedString("RECENTLY-REMOVED-DATERANGES")
        self.init(
            skippedSegments: skipped,
            recentlyRemovedDateRanges: removed.map { $0.split(separator: "\t").map(String.init) } ?? [])
    }
}
