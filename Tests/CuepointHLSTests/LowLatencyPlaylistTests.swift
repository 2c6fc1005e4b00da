import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

/// LL-HLS playlists (RFC 8216bis §4.4.3.7–4.4.5.4, hls-reference §7): goldens rendered byte for
/// byte and parsed back to the same value, and the parser's low-latency rules.
@Suite("Low-latency media playlists", .ownThreads)
struct LowLatencyPlaylistTests {
    static let map = MediaInitializationSection(uri: "init.mp4")

    static func segment(_ sequence: Int, seconds: Int, parts: [PartialSegment] = [], dateRanges: [DateRange] = [])
        -> MediaSegment
    {
        var segment = MediaSegment(
            uri: "seg_00000\(sequence).m4s", durationMilliseconds: 2000,
            programDateTime: date("2025-03-14T18:00:00Z").advanced(by: .milliseconds(Int64(seconds) * 1000)), map: map,
            dateRanges: dateRanges)
        segment.parts = parts
        return segment
    }

    static func parts(_ sequence: Int, count: Int = 4) -> [PartialSegment] {
        (0..<count).map {
            PartialSegment(uri: "seg_00000\(sequence).\($0).m4s", durationMilliseconds: 500, independent: $0 == 0)
        }
    }

    static var live: MediaPlaylist {
        var playlist = MediaPlaylist(
            targetDuration: 2, mediaSequence: 1, playlistType: .event,
            segments: [segment(1, seconds: 0, dateRanges: [product]), segment(2, seconds: 2, parts: parts(2))])
        playlist.serverControl = ServerControl(
            canBlockReload: true, canSkipUntilMilliseconds: 12_000, canSkipDateRanges: true,
            partHoldBackMilliseconds: 1_500)
        playlist.partTargetMilliseconds = 500
        playlist.openSegment = OpenSegment(
            map: map, programDateTime: date("2025-03-14T18:00:04Z"), parts: parts(3, count: 2))
        playlist.preloadHints = [PreloadHint(type: .part, uri: "seg_000003.2.m4s")]
        playlist.renditionReports = [PlaylistRenditionReport(uri: "../low/index.m3u8", lastSequence: 3, lastPart: 1)]
        return playlist
    }

    static let liveText = lines(
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,CAN-SKIP-UNTIL=12.000,CAN-SKIP-DATERANGES=YES",
        "#EXT-X-PART-INF:PART-TARGET=0.500",
        "#EXT-X-MEDIA-SEQUENCE:1",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-MAP:URI=\"init.mp4\"",
        "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00.000Z",
        "#EXT-X-DATERANGE:ID=\"p-0001\",CLASS=\"com.example.shop.product\",START-DATE=\"2025-03-14T18:00:04.200Z\","
            + "X-COM-EXAMPLE-SKU=\"B0ABC12345\",X-COM-EXAMPLE-PRICE=24.99,X-COM-EXAMPLE-CARD=\"eyJ0IjoiTXVnIn0\"",
        "#EXTINF:2.000,",
        "seg_000001.m4s",
        "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:02.000Z",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000002.0.m4s\",INDEPENDENT=YES",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000002.1.m4s\"",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000002.2.m4s\"",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000002.3.m4s\"",
        "#EXTINF:2.000,",
        "seg_000002.m4s",
        "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:04.000Z",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000003.0.m4s\",INDEPENDENT=YES",
        "#EXT-X-PART:DURATION=0.500,URI=\"seg_000003.1.m4s\"",
        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg_000003.2.m4s\"",
        "#EXT-X-RENDITION-REPORT:URI=\"../low/index.m3u8\",LAST-MSN=3,LAST-PART=1")

    static var delta: MediaPlaylist {
        var playlist = live
        playlist.segments.removeFirst()
        playlist.skip = PlaylistSkip(skippedSegments: 1, recentlyRemovedDateRanges: ["p-0000"])
        return playlist
    }

    @Test("a live playlist with parts, an open segment, a preload hint and a rendition report")
    func rendersLive() throws {
        #expect(Self.live.render() == Self.liveText)
        let parsed = try MediaPlaylist(parsing: Self.liveText)
        #expect(parsed == Self.live)
        #expect(parsed.render() == Self.liveText)
    }

    @Test("a delta update: EXT-X-SKIP after the header, version 10 with RECENTLY-REMOVED-DATERANGES")
    func rendersDelta() throws {
        let text = Self.delta.render()
        #expect(text.hasPrefix("#EXTM3U\n#EXT-X-VERSION:10\n"))
        #expect(
            text.contains(
                "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1,RECENTLY-REMOVED-DATERANGES=\"p-0000\"\n"
                    + "#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:02.000Z\n"))
        let parsed = try MediaPlaylist(parsing: text)
        #expect(parsed == Self.delta)
        #expect(parsed.render() == text)
        var plain = Self.delta
        plain.skip = PlaylistSkip(skippedSegments: 1)
        #expect(plain.render().hasPrefix("#EXTM3U\n#EXT-X-VERSION:9\n"))
        #expect(plain.render().contains("\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n"))
    }

    @Test("the final playlist: no parts, no hints, ENDLIST")
    func rendersFinal() throws {
        var playlist = Self.live
        playlist.openSegment = nil
        playlist.preloadHints = []
        playlist.endList = true
        let text = playlist.render()
        #expect(text.contains("#EXT-X-ENDLIST\n#EXT-X-RENDITION-REPORT"))
        #expect(try MediaPlaylist(parsing: text) == playlist)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var message: String
        var testDescription: String { message }
    }

    static let header = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n"
    static let control =
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500\n#EXT-X-PART-INF:PART-TARGET=0.500\n"

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            text: header + "#EXT-X-PART:DURATION=0.500,URI=\"a.0.m4s\"\n#EXTINF:0.500,\na.m4s\n", line: 4,
            message: "EXT-X-PART needs EXT-X-PART-INF in the playlist"),
        ErrorCase(
            text: header + control + "#EXT-X-PART:DURATION=0.501,URI=\"a.0.m4s\"\n#EXTINF:0.501,\na.m4s\n", line: 6,
            message: "EXT-X-PART DURATION 0.501 is above PART-TARGET 0.500"),
        ErrorCase(
            text: header + "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.900\n"
                + "#EXT-X-PART-INF:PART-TARGET=0.500\n#EXTINF:1.000,\na.m4s\n", line: 5,
            message: "PART-HOLD-BACK 0.900 is below twice PART-TARGET"),
        ErrorCase(
            text: header + "#EXT-X-PART-INF:PART-TARGET=0.500\n#EXTINF:1.000,\na.m4s\n", line: 4,
            message: "EXT-X-PART-INF needs EXT-X-SERVER-CONTROL with PART-HOLD-BACK"),
        ErrorCase(
            text: header + control + "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:1.000,\na.m4s\n", line: 6,
            message: "EXT-X-SKIP needs EXT-X-SERVER-CONTROL with CAN-SKIP-UNTIL before it"),
        ErrorCase(
            text: header + control
                + "#EXTINF:1.000,\na.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"b.0.m4s\"\n#EXT-X-ENDLIST\n",
            line: 8, message: "EXT-X-PRELOAD-HINT in a playlist with EXT-X-ENDLIST"),
        ErrorCase(
            text: header + control + "#EXTINF:1.000,\na.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"b.0.m4s\"\n"
                + "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"b.1.m4s\"\n", line: 9,
            message: "a second EXT-X-PRELOAD-HINT of TYPE=PART"),
        ErrorCase(
            text: header + control + "#EXTINF:1.000,\na.m4s\n#EXT-X-PRELOAD-HINT:TYPE=SEGMENT,URI=\"b.m4s\"\n", line: 8,
            message: "EXT-X-PRELOAD-HINT attribute TYPE must be PART or MAP, not SEGMENT"),
        ErrorCase(
            text: header + control + "#EXT-X-PART:DURATION=0.500,URI=\"a.0.m4s\",INDEPENDENT=MAYBE\n", line: 6,
            message: "EXT-X-PART attribute INDEPENDENT must be YES or NO"),
        ErrorCase(
            text: header + "#EXT-X-RENDITION-REPORT:URI=\"../b/index.m3u8\"\n", line: 4,
            message: "EXT-X-RENDITION-REPORT needs the LAST-MSN attribute"),
    ]

    @Test("low-latency rules the parser enforces", arguments: errorCases)
    func rejects(_ errorCase: ErrorCase) {
        #expect(throws: PlaylistParseError(line: errorCase.line, message: errorCase.message)) {
            try MediaPlaylist(parsing: errorCase.text)
        }
    }
}
