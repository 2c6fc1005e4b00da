extension MediaPlaylist {
    /// Reads a media playlist written by `render()`, strictly.
    ///
    /// Accepts LF or CRLF line endings, blank lines, comments (`#` not followed by `EXT`), segment
    /// tags in any order before their URI, and an EXT-X-VERSION higher than needed (which `render()`
    /// then lowers). Rejects, with the line number:
    /// - a byte order mark, control characters, a first line other than `#EXTM3U`;
    /// - any `#EXT` tag this model does not hold (EXT-X-KEY, EXT-X-START, …), and unknown attributes
    ///   of the tags it does hold;
    /// - malformed values: attribute-list syntax, quoted strings, integers, dates, EXTINF durations
    ///   with more than three decimals;
    /// - a header tag that appears twice, or a segment tag that appears twice for one segment;
    /// - EXT-X-MEDIA-SEQUENCE or EXT-X-DISCONTINUITY-SEQUENCE after the first segment;
    /// - a URI without EXTINF, an EXTINF without URI, segment tags not followed by a segment;
    /// - an offset-less EXT-X-BYTERANGE not following a byte range of the same URI;
    /// - a missing EXT-X-TARGETDURATION, an EXTINF that rounds above it;
    /// - a missing EXT-X-VERSION or one lower than `version`;
    /// - an EXT-X-DATERANGE with `validationProblems()`, or in a playlist without
    ///   EXT-X-PROGRAM-DATE-TIME;
    /// - low-latency tags out of rule: EXT-X-PART without EXT-X-PART-INF or longer than PART-TARGET,
    ///   EXT-X-PART-INF without a PART-HOLD-BACK of at least twice PART-TARGET, EXT-X-SKIP without
    ///   CAN-SKIP-UNTIL, two EXT-X-PRELOAD-HINTs of one type, a preload hint with EXT-X-ENDLIST.
    ///
    /// Parts after the last segment URI become `openSegment`.
    ///
    /// Text produced by `render()` from a valid value parses back to an equal value, and renders
    /// to the same bytes.
    ///
    /// - Throws: `PlaylistParseError` for the first problem found.
    public init(parsing text: String) throws(PlaylistParseError) {
        var parser = MediaPlaylistParser()
        self = try parser.parse(text)
    }
}
