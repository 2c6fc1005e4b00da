import CuepointTime

/// The state of one `MediaPlaylist(parsing:)` call: a single pass over the lines, collecting the
/// tags of the next segment until its URI arrives, then checks on the whole playlist.
struct MediaPlaylistParser {
    /// The tags seen since the last URI line.
    private struct PendingSegment {
        var firstTag: (name: String, line: Int)?
        var discontinuityLine: Int?
        var mapLine: Int?
        var programDateTime: (date: WallClockTime, line: Int)?
        var dateRanges: [DateRange] = []
        var byteRange: (range: ByteRange, line: Int)?
        var extinf: (milliseconds: Int64, title: String, line: Int)?
        var parts: [(part: PartialSegment, line: Int)] = []
    }

    private var playlist = MediaPlaylist(targetDuration: 0)
    private var headerTagLines: [String: Int] = [:]
    private var declaredVersion: (value: Int, line: Int)?
    private var hasTargetDuration = false
    private var pending = PendingSegment()
    private var currentMap: MediaInitializationSection?
    private var extinfLines: [Int] = []
    private var firstDateRangeLine: Int?
    private var hasProgramDateTime = false
    private var partLines: [(part: PartialSegment, line: Int)] = []
    private var partInfLine: Int?
    private var preloadHintLines: [Int] = []

    mutating func parse(_ text: String) throws(PlaylistParseError) -> MediaPlaylist {
        for line in try PlaylistText.lines(of: text).dropFirst() {
            if line.text.isEmpty || PlaylistText.isComment(line.text) { continue }
            if let tag = PlaylistText.tag(line.text) {
                try handleTag(String(tag.name), tag.value, line: line.number)
            } else {
                try handleURI(String(line.text), line: line.number)
            }
        }
        try finish()
        return playlist
    }

    // MARK: Tags

    private mutating func handleTag(_ name: String, _ value: Substring?, line: Int) throws(PlaylistParseError) {
        switch name {
        case "EXT-X-VERSION":
            try once(name, line)
            let version = try positiveInteger(name, value, line)
            guard let small = Int(exactly: version) else {
                throw PlaylistParseError(line: line, message: "\(name) is too large")
            }
            declaredVersion = (small, line)
        case "EXT-X-TARGETDURATION":
            try once(name, line)
            let seconds = try positiveInteger(name, value, line)
            guard let small = Int(exactly: seconds) else {
                throw PlaylistParseError(line: line, message: "\(name) is too large")
            }
            playlist.targetDuration = small
            hasTargetDuration = true
        case "EXT-X-MEDIA-SEQUENCE":
            try once(name, line)
            try beforeFirstSegment(name, line)
            playlist.mediaSequence = try integer(name, value, line)
        case "EXT-X-DISCONTINUITY-SEQUENCE":
            try once(name, line)
            try beforeFirstSegment(name, line)
            playlist.discontinuitySequence = try integer(name, value, line)
        case "EXT-X-PLAYLIST-TYPE":
            try once(name, line)
            let text = try requireValue(name, value, line)
            guard let type = PlaylistType(rawValue: String(text)) else {
                throw PlaylistParseError(line: line, message: "\(name) must be EVENT or VOD, not \(text)")
            }
            playlist.playlistType = type
        case "EXT-X-INDEPENDENT-SEGMENTS":
            try once(name, line)
            try requireNoValue(name, value, line)
            playlist.independentSegments = true
        case "EXT-X-I-FRAMES-ONLY":
            try once(name, line)
            try requireNoValue(name, value, line)
            playlist.iFramesOnly = true
        case "EXT-X-ENDLIST":
            try once(name, line)
            try requireNoValue(name, value, line)
            playlist.endList = true
        case "EXT-X-DISCONTINUITY":
            try requireNoValue(name, value, line)
            try onceForSegment(name, pending.discontinuityLine, line)
            pending.discontinuityLine = line
        case "EXT-X-MAP":
            try onceForSegment(name, pending.mapLine, line)
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            let uri = try list.requiredQuotedString("URI")
            var byteRange: ByteRange?
            if let text = try list.quotedString("BYTERANGE") {
                guard let range = ByteRange(text: Substring(text)) else {
                    throw list.error("\(name) attribute BYTERANGE is not <length>[@<offset>]: \(text)")
                }
                byteRange = range
            }
            try list.finish()
            currentMap = MediaInitializationSection(uri: uri, byteRange: byteRange)
            pending.mapLine = line
        case "EXT-X-PROGRAM-DATE-TIME":
            try onceForSegment(name, pending.programDateTime?.line, line)
            let text = try requireValue(name, value, line)
            guard let date = WallClockTime(iso8601: String(text)) else {
                throw PlaylistParseError(
                    line: line, message: "\(name) is not an ISO 8601 date with a time zone: \(text)")
            }
            pending.programDateTime = (date, line)
            hasProgramDateTime = true
        case "EXT-X-DATERANGE":
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            pending.dateRanges.append(try DateRange(attributes: &list))
            try list.finish()
            if firstDateRangeLine == nil { firstDateRangeLine = line }
        case "EXT-X-BYTERANGE":
            try onceForSegment(name, pending.byteRange?.line, line)
            let text = try requireValue(name, value, line)
            guard let range = ByteRange(text: text) else {
                throw PlaylistParseError(line: line, message: "\(name) is not <length>[@<offset>]: \(text)")
            }
            pending.byteRange = (range, line)
        case "EXTINF":
            if let previous = pending.extinf {
                throw PlaylistParseError(line: previous.line, message: "EXTINF is not followed by a segment URI")
            }
            let text = try requireValue(name, value, line)
            guard let (durationText, title) = PlaylistText.split(text, atFirst: ",") else {
                throw PlaylistParseError(line: line, message: "EXTINF needs a comma after the duration")
            }
            guard let milliseconds = DecimalText.thousandths(durationText) else {
                throw PlaylistParseError(
                    line: line,
                    message: "EXTINF duration is not a non-negative decimal with at most 3 decimals: \(durationText)")
            }
            pending.extinf = (milliseconds, String(title), line)
        case "EXT-X-SERVER-CONTROL":
            try once(name, line)
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            playlist.serverControl = try ServerControl(attributes: &list)
            try list.finish()
        case "EXT-X-PART-INF":
            try once(name, line)
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            guard let target = try list.thousandths("PART-TARGET"), target > 0 else {
                throw list.error("\(name) needs a PART-TARGET above 0")
            }
            try list.finish()
            playlist.partTargetMilliseconds = target
            partInfLine = line
        case "EXT-X-PART":
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            let part = try PartialSegment(attributes: &list)
            try list.finish()
            pending.parts.append((part, line))
            partLines.append((part, line))
        case "EXT-X-SKIP":
            try once(name, line)
            try beforeFirstSegment(name, line)
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            playlist.skip = try PlaylistSkip(attributes: &list)
            try list.finish()
            guard playlist.serverControl?.canSkipUntilMilliseconds != nil else {
                throw PlaylistParseError(
                    line: line, message: "EXT-X-SKIP needs EXT-X-SERVER-CONTROL with CAN-SKIP-UNTIL before it")
            }
        case "EXT-X-PRELOAD-HINT":
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            let hint = try PreloadHint(attributes: &list)
            try list.finish()
            if playlist.preloadHints.contains(where: { $0.type == hint.type }) {
                throw PlaylistParseError(
                    line: line, message: "a second EXT-X-PRELOAD-HINT of TYPE=\(hint.type.rawValue)")
            }
            playlist.preloadHints.append(hint)
            preloadHintLines.append(line)
        case "EXT-X-RENDITION-REPORT":
            var list = try AttributeList(parsing: requireValue(name, value, line), tag: name, line: line)
            playlist.renditionReports.append(try PlaylistRenditionReport(attributes: &list))
            try list.finish()
        case "EXTM3U":
            throw PlaylistParseError(line: line, message: "#EXTM3U may only be the first line")
        default:
            throw PlaylistParseError(line: line, message: "unsupported tag \(name)")
        }
        if pending.firstTag == nil, MediaPlaylistParser.segmentTags.contains(name) { pending.firstTag = (name, line) }
    }

    private static let segmentTags: Set<String> = [
        "EXT-X-DISCONTINUITY", "EXT-X-MAP", "EXT-X-PROGRAM-DATE-TIME", "EXT-X-DATERANGE", "EXT-X-BYTERANGE", "EXTINF",
        "EXT-X-PART",
    ]

    // MARK: URI lines

    private mutating func handleURI(_ uri: String, line: Int) throws(PlaylistParseError) {
        guard let extinf = pending.extinf else {
            throw PlaylistParseError(line: line, message: "segment URI \(uri) has no EXTINF before it")
        }
        if let (range, rangeLine) = pending.byteRange, range.offset == nil {
            guard let previous = playlist.segments.last, previous.uri == uri, previous.byteRange != nil else {
                throw PlaylistParseError(
                    line: rangeLine,
                    message: "EXT-X-BYTERANGE without an offset must follow a byte-range segment of the same URI")
            }
        }
        var segment =
            MediaSegment(
                uri: uri,
                durationMilliseconds: extinf.milliseconds,
                title: extinf.title,
                discontinuity: pending.discontinuityLine != nil,
                programDateTime: pending.programDateTime?.date,
                map: currentMap,
                byteRange: pending.byteRange?.range,
                dateRanges: pending.dateRanges)
        segment.parts = pending.parts.map(\.part)
        playlist.segments.append(segment)
        extinfLines.append(extinf.line)
        pending = PendingSegment()
    }

    // MARK: Whole-playlist checks

    private mutating func finish() throws(PlaylistParseError) {
        if let extinf = pending.extinf {
            throw PlaylistParseError(line: extinf.line, message: "EXTINF is not followed by a segment URI")
        }
        if !pending.parts.isEmpty {
            // The segment being written on a low-latency playlist: parts without a URI line yet.
            if let line = pending.byteRange?.line {
                throw PlaylistParseError(line: line, message: "EXT-X-BYTERANGE is not followed by a segment")
            }
            if let first = pending.dateRanges.first {
                throw PlaylistParseError(
                    line: pending.parts[0].line, message: "EXT-X-DATERANGE \(first.id) is not followed by a segment")
            }
            playlist.openSegment = OpenSegment(
                discontinuity: pending.discontinuityLine != nil,
                map: currentMap,
                programDateTime: pending.programDateTime?.date, parts: pending.parts.map(\.part))
            pending = PendingSegment()
        } else if let (name, line) = pending.firstTag {
            throw PlaylistParseError(line: line, message: "\(name) is not followed by a segment")
        }
        try checkLowLatency()
        guard hasTargetDuration else {
            throw PlaylistParseError(line: 1, message: "the playlist has no EXT-X-TARGETDURATION")
        }
        for (segment, line) in zip(playlist.segments, extinfLines) {
            let rounded = MediaPlaylist.roundedSeconds(segment.durationMilliseconds)
            if rounded > playlist.targetDuration {
                throw PlaylistParseError(
                    line: line,
                    message: "EXTINF \(SecondsText.fixed(milliseconds: segment.durationMilliseconds)) rounds to \(rounded), "
                        + "above EXT-X-TARGETDURATION \(playlist.targetDuration)")
            }
        }
        let needed = playlist.versionRequirement
        if let declaredVersion {
            if declaredVersion.value < needed.version {
                throw PlaylistParseError(
                    line: declaredVersion.line,
                    message: "EXT-X-VERSION \(declaredVersion.value) is too low: \(needed.reason)")
            }
        } else {
            throw PlaylistParseError(line: 1, message: "the playlist has no EXT-X-VERSION: \(needed.reason)")
        }
        if let firstDateRangeLine, !hasProgramDateTime {
            throw PlaylistParseError(
                line: firstDateRangeLine, message: "EXT-X-DATERANGE needs an EXT-X-PROGRAM-DATE-TIME in the playlist")
        }
    }

    // MARK: Helpers

    private mutating func once(_ name: String, _ line: Int) throws(PlaylistParseError) {
        if let first = headerTagLines[name] {
            throw PlaylistParseError(line: line, message: "\(name) appears twice (first on line \(first))")
        }
        headerTagLines[name] = line
    }

    private func onceForSegment(_ name: String, _ previousLine: Int?, _ line: Int) throws(PlaylistParseError) {
        if let previousLine {
            throw PlaylistParseError(
                line: line, message: "\(name) appears twice for one segment (first on line \(previousLine))")
        }
    }

    private func beforeFirstSegment(_ name: String, _ line: Int) throws(PlaylistParseError) {
        if !playlist.segments.isEmpty || pending.firstTag != nil {
            throw PlaylistParseError(line: line, message: "\(name) must come before the first segment")
        }
    }

    private func requireValue(_ name: String, _ value: Substring?, _ line: Int) throws(PlaylistParseError) -> Substring
    {
        guard let value, !value.isEmpty else { throw PlaylistParseError(line: line, message: "\(name) needs a value") }
        return value
    }

    private func requireNoValue(_ name: String, _ value: Substring?, _ line: Int) throws(PlaylistParseError) {
        if value != nil { throw PlaylistParseError(line: line, message: "\(name) takes no value") }
    }

    private func integer(_ name: String, _ value: Substring?, _ line: Int) throws(PlaylistParseError) -> Int64 {
        let text = try requireValue(name, value, line)
        guard let number = DecimalText.integer(text) else {
            throw PlaylistParseError(line: line, message: "\(name) is not a decimal integer: \(text)")
        }
        return number
    }

    private func positiveInteger(_ name: String, _ value: Substring?, _ line: Int) throws(PlaylistParseError) -> Int64 {
        let number = try integer(name, value, line)
        guard number >= 1 else { throw PlaylistParseError(line: line, message: "\(name) must be at least 1") }
        return number
    }

    // MARK: Low-latency checks

    /// RFC 8216bis §4.4.3.7–4.4.5.3: parts need EXT-X-PART-INF and last at most PART-TARGET;
    /// PART-INF needs PART-HOLD-BACK of at least twice PART-TARGET; no preload hint after ENDLIST.
    private func checkLowLatency() throws(PlaylistParseError) {
        if let first = partLines.first, playlist.partTargetMilliseconds == nil {
            throw PlaylistParseError(line: first.line, message: "EXT-X-PART needs EXT-X-PART-INF in the playlist")
        }
        if let target = playlist.partTargetMilliseconds, let partInfLine {
            for (part, line) in partLines where part.durationMilliseconds > target {
                throw PlaylistParseError(
                    line: line,
                    message: "EXT-X-PART DURATION \(SecondsText.fixed(milliseconds: part.durationMilliseconds)) is above "
                        + "PART-TARGET \(SecondsText.fixed(milliseconds: target))")
            }
            guard let holdBack = playlist.serverControl?.partHoldBackMilliseconds else {
                throw PlaylistParseError(
                    line: partInfLine, message: "EXT-X-PART-INF needs EXT-X-SERVER-CONTROL with PART-HOLD-BACK")
            }
            if holdBack < 2 * target {
                throw PlaylistParseError(
                    line: partInfLine,
                    message: "PART-HOLD-BACK \(SecondsText.fixed(milliseconds: holdBack)) is below twice PART-TARGET")
            }
        }
        if playlist.endList, let line = preloadHintLines.first {
            throw PlaylistParseError(line: line, message: "EXT-X-PRELOAD-HINT in a playlist with EXT-X-ENDLIST")
        }
    }
}
