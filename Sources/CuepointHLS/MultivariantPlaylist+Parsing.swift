extension MultivariantPlaylist {
    /// Reads a multivariant playlist written by `render()`, strictly.
    ///
    /// Accepts LF or CRLF line endings, blank lines, comments, and one EXT-X-VERSION (whose value
    /// is checked but not kept: `render()` writes none). EXT-X-SESSION-DATA, EXT-X-MEDIA,
    /// EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF may come in any order; each kind keeps its own
    /// order, and `render()` writes them grouped. Rejects, with the line number: a byte order mark,
    /// control characters, a first line other than `#EXTM3U`; any other `#EXT` tag (media
    /// playlist tags, …) and unknown attributes; malformed values; a repeated header tag; a URI
    /// line not preceded by EXT-X-STREAM-INF and an EXT-X-STREAM-INF not followed by a URI;
    /// EXT-X-SESSION-DATA with both or neither of VALUE and URI, FORMAT without URI, or the
    /// DATA-ID and LANGUAGE of an earlier one; two EXT-X-MEDIA of one group with DEFAULT=YES or
    /// with the same NAME; a variant naming a SUBTITLES group no EXT-X-MEDIA declares.
    ///
    /// - Throws: `PlaylistParseError` for the first problem found.
    public init(parsing text: String) throws(PlaylistParseError) {
        var playlist = MultivariantPlaylist()
        var headerTagLines: [String: Int] = [:]
        // The line of each EXT-X-SESSION-DATA by DATA-ID and LANGUAGE, which must be unique together.
        var sessionDataLines: [SessionDataKey: Int] = [:]
        // The variant whose EXT-X-STREAM-INF was read and whose URI line is still to come.
        var pending: (variant: VariantStream, line: Int)?
        var variantLines: [Int] = []
        for line in try PlaylistText.lines(of: text).dropFirst() {
            if line.text.isEmpty || PlaylistText.isComment(line.text) { continue }
            guard let (nameText, value) = PlaylistText.tag(line.text) else {
                guard var (variant, _) = pending else {
                    throw PlaylistParseError(
                        line: line.number, message: "URI \(line.text) has no EXT-X-STREAM-INF before it")
                }
                variant.uri = String(line.text)
                playlist.variants.append(variant)
                variantLines.append(pending?.line ?? line.number)
                pending = nil
                continue
            }
            let name = String(nameText)
            if let (_, pendingLine) = pending {
                throw PlaylistParseError(line: pendingLine, message: "EXT-X-STREAM-INF is not followed by a URI")
            }
            switch name {
            case "EXT-X-VERSION", "EXT-X-INDEPENDENT-SEGMENTS":
                if let first = headerTagLines[name] {
                    throw PlaylistParseError(
                        line: line.number, message: "\(name) appears twice (first on line \(first))")
                }
                headerTagLines[name] = line.number
                if name == "EXT-X-VERSION" {
                    guard let value, let version = DecimalText.integer(value), version >= 1 else {
                        throw PlaylistParseError(
                            line: line.number, message: "EXT-X-VERSION must be an integer of at least 1")
                    }
                } else {
                    guard value == nil else {
                        throw PlaylistParseError(line: line.number, message: "\(name) takes no value")
                    }
                    playlist.independentSegments = true
                }
            case "EXT-X-STREAM-INF":
                guard let value, !value.isEmpty else {
                    throw PlaylistParseError(line: line.number, message: "EXT-X-STREAM-INF needs a value")
                }
                var list = try AttributeList(parsing: value, tag: name, line: line.number)
                pending = (try VariantStream(attributes: &list, uri: ""), line.number)
            case "EXT-X-SESSION-DATA":
                guard let value, !value.isEmpty else {
                    throw PlaylistParseError(line: line.number, message: "EXT-X-SESSION-DATA needs a value")
                }
                var list = try AttributeList(parsing: value, tag: name, line: line.number)
                let data = try SessionData(attributes: &list)
                let key = SessionDataKey(dataID: data.dataID, language: data.language)
                if let first = sessionDataLines[key] {
                    let language = data.language.map { "LANGUAGE \"\($0)\"" } ?? "no LANGUAGE"
                    throw PlaylistParseError(
                        line: line.number,
                        message: "EXT-X-SESSION-DATA with DATA-ID \"\(data.dataID)\" and \(language) appears twice "
                            + "(first on line \(first))")
                }
                sessionDataLines[key] = line.number
                playlist.sessionData.append(data)
            case "EXT-X-MEDIA":
                guard let value, !value.isEmpty else {
                    throw PlaylistParseError(line: line.number, message: "EXT-X-MEDIA needs a value")
                }
                var list = try AttributeList(parsing: value, tag: name, line: line.number)
                let rendition = try MediaRendition(attributes: &list)
                let group = playlist.renditions.filter { $0.kind == rendition.kind && $0.groupID == rendition.groupID }
                if rendition.isDefault, group.contains(where: \.isDefault) {
                    throw PlaylistParseError(
                        line: line.number, message: "group \"\(rendition.groupID)\" has a second EXT-X-MEDIA with DEFAULT=YES")
                }
                if group.contains(where: { $0.name == rendition.name }) {
                    throw PlaylistParseError(
                        line: line.number,
                        message: "group \"\(rendition.groupID)\" has two EXT-X-MEDIA named \"\(rendition.name)\"")
                }
                playlist.renditions.append(rendition)
            case "EXT-X-I-FRAME-STREAM-INF":
                guard let value, !value.isEmpty else {
                    throw PlaylistParseError(line: line.number, message: "EXT-X-I-FRAME-STREAM-INF needs a value")
                }
                var list = try AttributeList(parsing: value, tag: name, line: line.number)
                playlist.iFrameStreams.append(try IFrameStream(attributes: &list))
            case "EXTM3U":
                throw PlaylistParseError(line: line.number, message: "#EXTM3U may only be the first line")
            default:
                throw PlaylistParseError(line: line.number, message: "unsupported tag \(name)")
            }
        }
        if let (_, pendingLine) = pending {
            throw PlaylistParseError(line: pendingLine, message: "EXT-X-STREAM-INF is not followed by a URI")
        }
        for (variant, variantLine) in zip(playlist.variants, variantLines) {
            if let group = variant.subtitles,
                !playlist.renditions.contains(where: { $0.kind == .subtitles && $0.groupID == group })
            {
                throw PlaylistParseError(
                    line: variantLine, message: "SUBTITLES=\"\(group)\" names no EXT-X-MEDIA TYPE=SUBTITLES group")
            }
        }
        self = playlist
    }
}

/// What must be unique among the EXT-X-SESSION-DATA tags of one playlist.
private struct SessionDataKey: Hashable {
    var dataID: String
    var language: String?
}
