import CuepointTime

extension MediaPlaylist {
    /// The playlist text, every line ending with `\n`.
    ///
    /// Order: `#EXTM3U`, EXT-X-VERSION, EXT-X-TARGETDURATION, EXT-X-MEDIA-SEQUENCE,
    /// EXT-X-DISCONTINUITY-SEQUENCE (when nonzero), EXT-X-PLAYLIST-TYPE, EXT-X-INDEPENDENT-SEGMENTS,
    /// EXT-X-I-FRAMES-ONLY;
    /// then per segment EXT-X-DISCONTINUITY, EXT-X-MAP (when it changed), EXT-X-PROGRAM-DATE-TIME,
    /// EXT-X-DATERANGE…, EXT-X-BYTERANGE, EXTINF and the URI; finally EXT-X-ENDLIST.
    ///
    /// Rendering does not validate: strings are written as given, so a URI or title with a line
    /// break, or a `DateRange` with `validationProblems()`, produces text the parser rejects.
    public func render() -> String {
        var lines: [String] = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:\(mediaSequence)",
        ]
        if discontinuitySequence != 0 { lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuitySequence)") }
        if let playlistType { lines.append("#EXT-X-PLAYLIST-TYPE:\(playlistType.rawValue)") }
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        if iFramesOnly { lines.append("#EXT-X-I-FRAMES-ONLY") }
        var previousMap: MediaInitializationSection?
        for segment in segments {
            if segment.discontinuity { lines.append("#EXT-X-DISCONTINUITY") }
            if let map = segment.map, map != previousMap { lines.append("#EXT-X-MAP:\(map.attributeList.text)") }
            previousMap = segment.map
            if let date = segment.programDateTime { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(date.iso8601)") }
            for range in segment.dateRanges { lines.append("#EXT-X-DATERANGE:\(range.attributeList.text)") }
            if let byteRange = segment.byteRange { lines.append("#EXT-X-BYTERANGE:\(byteRange.text)") }
            lines.append("#EXTINF:\(DecimalText.fixedThree(segment.durationMilliseconds)),\(segment.title)")
            lines.append(segment.uri)
        }
        if endList { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension MediaInitializationSection {
    /// The attribute list written after `#EXT-X-MAP:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("URI", quoted: uri)
        if let byteRange { list.append("BYTERANGE", quoted: byteRange.text) }
        return list
    }
}
