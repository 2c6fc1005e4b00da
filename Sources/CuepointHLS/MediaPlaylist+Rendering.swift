import CuepointTime

extension MediaPlaylist {
    /// The playlist text, every line ending with `\n`.
    ///
    /// Order: `#EXTM3U`, EXT-X-VERSION, EXT-X-TARGETDURATION, EXT-X-SERVER-CONTROL, EXT-X-PART-INF,
    /// EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE (when nonzero), EXT-X-PLAYLIST-TYPE,
    /// EXT-X-INDEPENDENT-SEGMENTS, EXT-X-I-FRAMES-ONLY, EXT-X-SKIP;
    /// then per segment EXT-X-DISCONTINUITY, EXT-X-MAP (when it changed), EXT-X-PROGRAM-DATE-TIME,
    /// EXT-X-DATERANGE…, EXT-X-PART…, EXT-X-BYTERANGE, EXTINF and the URI; then the open segment's
    /// DISCONTINUITY, MAP, PROGRAM-DATE-TIME and parts; EXT-X-PRELOAD-HINT…; EXT-X-ENDLIST; and
    /// finally EXT-X-RENDITION-REPORT….
    ///
    /// Rendering does not validate: strings are written as given, so a URI or title with a line
    /// break, or a `DateRange` with `validationProblems()`, produces text the parser rejects.
    public func render() -> String {
        var lines: [String] = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
        ]
        if let serverControl { lines.append("#EXT-X-SERVER-CONTROL:\(serverControl.attributeList.text)") }
        if let partTargetMilliseconds {
            lines.append("#EXT-X-PART-INF:PART-TARGET=\(SecondsText.fixed(milliseconds: partTargetMilliseconds))")
        }
        lines.append("#EXT-X-MEDIA-SEQUENCE:\(mediaSequence)")
        if discontinuitySequence != 0 { lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuitySequence)") }
        if let playlistType { lines.append("#EXT-X-PLAYLIST-TYPE:\(playlistType.rawValue)") }
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        if iFramesOnly { lines.append("#EXT-X-I-FRAMES-ONLY") }
        if let skip { lines.append("#EXT-X-SKIP:\(skip.attributeList.text)") }
        var previousMap: MediaInitializationSection?
        for segment in segments {
            if segment.discontinuity { lines.append("#EXT-X-DISCONTINUITY") }
            if let map = segment.map, map != previousMap { lines.append("#EXT-X-MAP:\(map.attributeList.text)") }
            previousMap = segment.map
            if let date = segment.programDateTime { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(date.iso8601)") }
            for range in segment.dateRanges { lines.append("#EXT-X-DATERANGE:\(range.attributeList.text)") }
            for part in segment.parts { lines.append("#EXT-X-PART:\(part.attributeList.text)") }
            if let byteRange = segment.byteRange { lines.append("#EXT-X-BYTERANGE:\(byteRange.text)") }
            lines.append("#EXTINF:\(SecondsText.fixed(milliseconds: segment.durationMilliseconds)),\(segment.title)")
            lines.append(segment.uri)
        }
        if let openSegment {
            if openSegment.discontinuity { lines.append("#EXT-X-DISCONTINUITY") }
            if let map = openSegment.map, map != previousMap { lines.append("#EXT-X-MAP:\(map.attributeList.text)") }
            if let date = openSegment.programDateTime { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(date.iso8601)") }
            for part in openSegment.parts { lines.append("#EXT-X-PART:\(part.attributeList.text)") }
        }
        for hint in preloadHints { lines.append("#EXT-X-PRELOAD-HINT:\(hint.attributeList.text)") }
        if endList { lines.append("#EXT-X-ENDLIST") }
        for report in renditionReports { lines.append("#EXT-X-RENDITION-REPORT:\(report.attributeList.text)") }
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
