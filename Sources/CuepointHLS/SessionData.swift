/// Data carried by the multivariant playlist itself, written as
/// `#EXT-X-SESSION-DATA:DATA-ID="…",VALUE="…"` or `#EXT-X-SESSION-DATA:DATA-ID="…",URI="…"`.
///
/// Cuepoint uses it to point at the JSON chapters (`ChapterDocument`):
/// `SessionData(dataID: SessionData.appleChaptersDataID, uri: "chapters.json")`.
///
/// Attributes are written in the order DATA-ID, VALUE or URI, FORMAT, LANGUAGE. The tag needs no
/// EXT-X-VERSION (RFC 8216 §7, bis §8). Two tags of one playlist must not share both DATA-ID and
/// LANGUAGE; `MultivariantPlaylist(parsing:)` rejects a playlist where they do.
public struct SessionData: Hashable, Sendable {
    /// The DATA-ID of Apple's HLS JSON chapters: `com.apple.hls.chapters`, with a URI to the document.
    public static let appleChaptersDataID = "com.apple.hls.chapters"

    /// What the tag carries: exactly one of VALUE or URI.
    public enum Content: Hashable, Sendable {
        /// The VALUE attribute: the data itself, in `SessionData.language` when that is set.
        /// A quoted-string: no `"`, CR or LF, and not empty.
        case value(String)
        /// The URI attribute: where the data is, relative to the multivariant playlist, and the
        /// optional FORMAT attribute (bis) saying how to read it; without FORMAT it is JSON.
        case uri(String, format: SessionDataFormat?)
    }

    /// The DATA-ID attribute (required): what the data is, by reverse-DNS convention
    /// (`com.example.title`). A non-empty quoted-string.
    public var dataID: String
    /// The VALUE or URI attribute, with FORMAT for a URI.
    public var content: Content
    /// The LANGUAGE attribute: the language of the data as an RFC 5646 tag (`en`, `fr-CA`), when
    /// it has one. A non-empty quoted-string.
    public var language: String?

    public init(dataID: String, content: Content, language: String? = nil) {
        self.dataID = dataID
        self.content = content
        self.language = language
    }

    /// Session data carried in the playlist: `DATA-ID="…",VALUE="…"[,LANGUAGE="…"]`.
    public init(dataID: String, value: String, language: String? = nil) {
        self.init(dataID: dataID, content: .value(value), language: language)
    }

    /// Session data at a URI: `DATA-ID="…",URI="…"[,FORMAT=…][,LANGUAGE="…"]`.
    public init(dataID: String, uri: String, format: SessionDataFormat? = nil, language: String? = nil) {
        self.init(dataID: dataID, content: .uri(uri, format: format), language: language)
    }

    /// The attribute list written after `#EXT-X-SESSION-DATA:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("DATA-ID", quoted: dataID)
        switch content {
        case .value(let value):
            list.append("VALUE", quoted: value)
        case .uri(let uri, let format):
            list.append("URI", quoted: uri)
            if let format { list.append("FORMAT", plain: format.rawValue) }
        }
        if let language { list.append("LANGUAGE", quoted: language) }
        return list
    }

    /// Reads session data from the attributes of an EXT-X-SESSION-DATA tag.
    ///
    /// - Throws: `PlaylistParseError` on the tag's line for a missing DATA-ID, both or neither of
    ///   VALUE and URI, FORMAT without URI or other than JSON or RAW, malformed values, or an
    ///   attribute this model does not hold.
    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        let dataID = try list.requiredQuotedString("DATA-ID")
        let value = try list.quotedString("VALUE")
        let uri = try list.quotedString("URI")
        let formatText = try list.plain("FORMAT")
        let language = try list.quotedString("LANGUAGE")
        try list.finish()
        let content: Content
        switch (value, uri) {
        case (let value?, nil):
            if formatText != nil { throw list.error("EXT-X-SESSION-DATA attribute FORMAT is only allowed with URI") }
            content = .value(value)
        case (nil, let uri?):
            var format: SessionDataFormat?
            if let formatText {
                guard let known = SessionDataFormat(rawValue: formatText) else {
                    throw list.error("EXT-X-SESSION-DATA attribute FORMAT must be JSON or RAW, not \(formatText)")
                }
                format = known
            }
            content = .uri(uri, format: format)
        case (.some, .some):
            throw list.error("EXT-X-SESSION-DATA has both VALUE and URI; it takes exactly one")
        case (nil, nil):
            throw list.error("EXT-X-SESSION-DATA needs a VALUE or a URI attribute")
        }
        self.init(dataID: dataID, content: content, language: language)
    }
}

/// The FORMAT attribute of EXT-X-SESSION-DATA (bis §4.4.6.4): how to read the resource at its URI.
public enum SessionDataFormat: String, Hashable, Sendable {
    /// `FORMAT=JSON`: the resource is JSON (the default when FORMAT is absent).
    case json = "JSON"
    /// `FORMAT=RAW`: the resource is an uninterpreted byte sequence.
    case raw = "RAW"
}
