/// An alternative rendition of a multivariant playlist, written as `#EXT-X-MEDIA:<attributes>`:
/// Cuepoint writes subtitle renditions (one per caption language) that variants join with
/// `SUBTITLES="<group>"` (RFC 8216 §4.3.4.1, bis §4.4.6.1).
///
/// ```
/// #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subtitles/en/index.m3u8"
/// ```
///
/// Attributes are written in the order TYPE, GROUP-ID, NAME, LANGUAGE, DEFAULT, AUTOSELECT,
/// FORCED, URI, each only when set (DEFAULT, AUTOSELECT and FORCED only when YES).
public struct MediaRendition: Hashable, Sendable {
    /// The TYPE attribute.
    public enum Kind: String, Hashable, Sendable {
        case audio = "AUDIO"
        case video = "VIDEO"
        case subtitles = "SUBTITLES"
        case closedCaptions = "CLOSED-CAPTIONS"
    }

    /// TYPE (required).
    public var kind: Kind
    /// GROUP-ID (required): the group variants name in their AUDIO, VIDEO or SUBTITLES attribute.
    public var groupID: String
    /// NAME (required): what a player shows in its menu (`English`, `Français`).
    public var name: String
    /// LANGUAGE: an RFC 5646 tag (`en`, `pt-BR`); Apple requires it.
    public var language: String?
    /// DEFAULT=YES: play this one unless the viewer chooses otherwise; at most one per group.
    public var isDefault: Bool
    /// AUTOSELECT=YES: a player may choose it from the viewer's language settings. Must be YES
    /// when DEFAULT is.
    public var autoselect: Bool
    /// FORCED=YES (subtitles only): captions for what the viewer must read even with subtitles off.
    public var forced: Bool
    /// URI: the rendition's media playlist; required for SUBTITLES.
    public var uri: String?

    public init(
        kind: Kind, groupID: String, name: String, language: String? = nil, isDefault: Bool = false,
        autoselect: Bool = false, forced: Bool = false, uri: String? = nil
    ) {
        self.kind = kind
        self.groupID = groupID
        self.name = name
        self.language = language
        self.isDefault = isDefault
        self.autoselect = autoselect
        self.forced = forced
        self.uri = uri
    }

    /// The attribute list written after `#EXT-X-MEDIA:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("TYPE", plain: kind.rawValue)
        list.append("GROUP-ID", quoted: groupID)
        list.append("NAME", quoted: name)
        if let language { list.append("LANGUAGE", quoted: language) }
        if isDefault { list.append("DEFAULT", plain: "YES") }
        if autoselect { list.append("AUTOSELECT", plain: "YES") }
        if forced { list.append("FORCED", plain: "YES") }
        if let uri { list.append("URI", quoted: uri) }
        return list
    }

    /// Reads a rendition from the attributes of an EXT-X-MEDIA tag.
    ///
    /// - Throws: `PlaylistParseError` on the tag's line for a missing TYPE, GROUP-ID or NAME, an
    ///   unknown TYPE, YES/NO attributes with another value, AUTOSELECT=NO with DEFAULT=YES,
    ///   FORCED on a type other than SUBTITLES, SUBTITLES without URI, or an attribute this
    ///   model does not hold (CHANNELS, CHARACTERISTICS, INSTREAM-ID, …).
    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        guard let typeText = try list.plain("TYPE") else { throw list.error("EXT-X-MEDIA needs the TYPE attribute") }
        guard let kind = Kind(rawValue: typeText) else {
            throw list.error("EXT-X-MEDIA TYPE must be AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS, not \(typeText)")
        }
        let groupID = try list.requiredQuotedString("GROUP-ID")
        let name = try list.requiredQuotedString("NAME")
        let language = try list.quotedString("LANGUAGE")
        func flag(_ attribute: String) throws(PlaylistParseError) -> Bool? {
            guard let text = try list.plain(attribute) else { return nil }
            guard text == "YES" || text == "NO" else {
                throw list.error("EXT-X-MEDIA \(attribute) must be YES or NO, not \(text)")
            }
            return text == "YES"
        }
        let isDefault = try flag("DEFAULT") ?? false
        let autoselect = try flag("AUTOSELECT")
        let forced = try flag("FORCED")
        let uri = try list.quotedString("URI")
        try list.finish()
        if isDefault, autoselect == false {
            throw list.error("EXT-X-MEDIA with DEFAULT=YES must not have AUTOSELECT=NO")
        }
        if forced != nil, kind != .subtitles { throw list.error("EXT-X-MEDIA FORCED is only allowed with TYPE=SUBTITLES") }
        if kind == .subtitles, uri == nil { throw list.error("EXT-X-MEDIA TYPE=SUBTITLES needs a URI") }
        self.init(
            kind: kind, groupID: groupID, name: name, language: language, isDefault: isDefault,
            autoselect: autoselect ?? false, forced: forced ?? false, uri: uri)
    }
}
