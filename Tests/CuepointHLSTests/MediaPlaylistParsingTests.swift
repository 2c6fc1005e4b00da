import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@Suite("MediaPlaylist parsing", .ownThreads)
struct MediaPlaylistParsingTests {
    @Test("golden text parses to the golden value and renders back identically", arguments: mediaGoldens)
    func parsesGolden(_ golden: MediaGolden) throws {
        let parsed = try MediaPlaylist(parsing: golden.text)
        #expect(parsed == golden.playlist)
        #expect(parsed.render() == golden.text)
    }

    @Test("render → parse → render is byte-identical for generated playlists", arguments: 0..<400)
    func roundTripsGenerated(seed: Int) throws {
        var generator = PlaylistGenerator(seed: UInt64(seed))
        let playlist = generator.mediaPlaylist()
        let text = playlist.render()
        let parsed = try MediaPlaylist(parsing: text)
        #expect(parsed == playlist)
        #expect(parsed.render() == text)
    }

    @Test("CRLF line endings, blank lines and comments are accepted")
    func acceptsCRLFAndComments() throws {
        let golden = mediaGoldens[0]
        let crlf = golden.text.replacing("\n", with: "\r\n")
        #expect(try MediaPlaylist(parsing: crlf) == golden.playlist)
        let commented = golden.text.replacing("#EXTINF:5.995,\n", with: "# a comment\n\n#EXTINF:5.995,\n")
        #expect(try MediaPlaylist(parsing: commented) == golden.playlist)
    }

    @Test("inputs we do not write ourselves but accept")
    func acceptsVariants() throws {
        // A higher EXT-X-VERSION than needed, integer EXTINF, a date with an offset, tags after EXTINF,
        // no trailing newline.
        let playlist = try MediaPlaylist(
            parsing: "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T20:00:04.2+02:00\na.ts")
        #expect(playlist.version == 3)
        #expect(
            playlist.segments == [
                MediaSegment(uri: "a.ts", durationMilliseconds: 6000, programDateTime: date("2025-03-14T18:00:04.200Z"))
            ])
        #expect(playlist.mediaSequence == 0)
    }

    @Test("a combining mark right after a delimiter does not hide it")
    func combiningMarks() throws {
        let playlist = MediaPlaylist(
            targetDuration: 6,
            segments: [
                MediaSegment(
                    uri: "\u{301}a.ts", durationMilliseconds: 6000, title: "\u{301}title",
                    programDateTime: date("2025-03-14T18:00:00Z"),
                    dateRanges: [
                        DateRange(
                            id: "\u{301}id", startDate: date("2025-03-14T18:00:00Z"),
                            clientAttributes: [ClientAttribute(name: "X-A", value: .string("\u{301}"))])
                    ])
            ])
        let text = playlist.render()
        #expect(text.contains("#EXTINF:6.000,\u{301}title\n\u{301}a.ts\n"))
        #expect(try MediaPlaylist(parsing: text) == playlist)
    }

    @Test("6.499 s fits a 6 s target duration")
    func extinfJustBelowRounding() throws {
        let text = lines("#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6", "#EXTINF:6.499,", "a.ts")
        #expect(try MediaPlaylist(parsing: text).segments.first?.durationMilliseconds == 6499)
    }

    /// A header valid for the error cases, lines 1–3.
    static let header = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n"

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var message: String
        var testDescription: String { message }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(text: "", line: 1, message: "the first line must be #EXTM3U"),
        ErrorCase(text: "#EXTM3U8\n", line: 1, message: "the first line must be #EXTM3U"),
        ErrorCase(text: "\n#EXTM3U\n", line: 1, message: "the first line must be #EXTM3U"),
        ErrorCase(
            text: "\u{FEFF}#EXTM3U\n", line: 1,
            message: "the text starts with a byte order mark; playlists are UTF-8 without a BOM"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\ta\nx.ts\n", line: 4, message: "control character U+0009 is not allowed"),
        ErrorCase(text: header + "x\u{85}.ts\n", line: 4, message: "control character U+0085 is not allowed"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\rx.ts\n", line: 4, message: "a carriage return not followed by a line feed"),
        ErrorCase(text: header + "#EXTM3U\n", line: 4, message: "#EXTM3U may only be the first line"),
        ErrorCase(text: header + "#EXT-X-KEY:METHOD=NONE\n", line: 4, message: "unsupported tag EXT-X-KEY"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\n#EXT-X-PART:URI=\"p\"\nx.ts\n", line: 5,
            message: "EXT-X-PART needs the DURATION attribute"),
        ErrorCase(
            text: header + "#EXT-X-TARGETDURATION:6\n", line: 4,
            message: "EXT-X-TARGETDURATION appears twice (first on line 3)"),
        ErrorCase(
            text: header + "#EXT-X-VERSION:6\n", line: 4, message: "EXT-X-VERSION appears twice (first on line 2)"),
        ErrorCase(
            text: header + "#EXT-X-ENDLIST\n#EXT-X-ENDLIST\n", line: 5,
            message: "EXT-X-ENDLIST appears twice (first on line 4)"),
        ErrorCase(text: header + "x.ts\n", line: 4, message: "segment URI x.ts has no EXTINF before it"),
        ErrorCase(text: header + "#EXTINF:6.000,\n", line: 4, message: "EXTINF is not followed by a segment URI"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\n#EXTINF:6.000,\nx.ts\n", line: 4,
            message: "EXTINF is not followed by a segment URI"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\nx.ts\n#EXT-X-DISCONTINUITY\n", line: 6,
            message: "EXT-X-DISCONTINUITY is not followed by a segment"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.500,\nx.ts\n", line: 4,
            message: "EXTINF 6.500 rounds to 7, above EXT-X-TARGETDURATION 6"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:6.000,\nx.ts\n", line: 1,
            message: "the playlist has no EXT-X-TARGETDURATION"),
        ErrorCase(
            text:
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6.000,\nx.m4s\n",
            line: 2, message: "EXT-X-VERSION 3 is too low: EXT-X-MAP needs version 6"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-BYTERANGE:10@0\n#EXTINF:6.000,\nx.ts\n",
            line: 2, message: "EXT-X-VERSION 3 is too low: EXT-X-BYTERANGE needs version 4"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n", line: 2,
            message: "EXT-X-VERSION 3 is too low: EXT-X-I-FRAMES-ONLY needs version 4"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n"
                + "#EXT-X-MAP:URI=\"f.mp4\",BYTERANGE=\"720@0\"\n#EXT-X-BYTERANGE:1000@720\n#EXTINF:6.000,\nf.mp4\n",
            line: 2, message: "EXT-X-VERSION 4 is too low: EXT-X-MAP in an I-frames-only playlist needs version 5"),
        ErrorCase(
            text:
                "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6.000,\nx.m4s\n",
            line: 2, message: "EXT-X-VERSION 5 is too low: EXT-X-MAP needs version 6"),
        ErrorCase(
            text: header + "#EXT-X-I-FRAMES-ONLY:YES\n", line: 4, message: "EXT-X-I-FRAMES-ONLY takes no value"),
        ErrorCase(
            text: header + "#EXT-X-I-FRAMES-ONLY\n#EXT-X-I-FRAMES-ONLY\n", line: 5,
            message: "EXT-X-I-FRAMES-ONLY appears twice (first on line 4)"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000,\nx.ts\n", line: 1,
            message: "the playlist has no EXT-X-VERSION: floating-point EXTINF durations need version 3"),
        ErrorCase(
            text: header + "#EXT-X-VERSION:0\n", line: 4, message: "EXT-X-VERSION appears twice (first on line 2)"),
        ErrorCase(text: "#EXTM3U\n#EXT-X-VERSION:0\n", line: 2, message: "EXT-X-VERSION must be at least 1"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-TARGETDURATION:0\n", line: 2, message: "EXT-X-TARGETDURATION must be at least 1"),
        ErrorCase(
            text: "#EXTM3U\n#EXT-X-TARGETDURATION:+6\n", line: 2,
            message: "EXT-X-TARGETDURATION is not a decimal integer: +6"),
        ErrorCase(text: "#EXTM3U\n#EXT-X-TARGETDURATION\n", line: 2, message: "EXT-X-TARGETDURATION needs a value"),
        ErrorCase(
            text: header + "#EXT-X-MEDIA-SEQUENCE:99999999999999999999\n", line: 4,
            message: "EXT-X-MEDIA-SEQUENCE is not a decimal integer: 99999999999999999999"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\nx.ts\n#EXT-X-MEDIA-SEQUENCE:3\n", line: 6,
            message: "EXT-X-MEDIA-SEQUENCE must come before the first segment"),
        ErrorCase(
            text: header + "#EXT-X-DISCONTINUITY\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n", line: 5,
            message: "EXT-X-DISCONTINUITY-SEQUENCE must come before the first segment"),
        ErrorCase(
            text: header + "#EXT-X-PLAYLIST-TYPE:LIVE\n", line: 4,
            message: "EXT-X-PLAYLIST-TYPE must be EVENT or VOD, not LIVE"),
        ErrorCase(text: header + "#EXT-X-ENDLIST:YES\n", line: 4, message: "EXT-X-ENDLIST takes no value"),
        ErrorCase(text: header + "#EXT-X-DISCONTINUITY:\n", line: 4, message: "EXT-X-DISCONTINUITY takes no value"),
        ErrorCase(text: header + "#EXTINF:6.000\nx.ts\n", line: 4, message: "EXTINF needs a comma after the duration"),
        ErrorCase(
            text: header + "#EXTINF:6.0001,\nx.ts\n", line: 4,
            message: "EXTINF duration is not a non-negative decimal with at most 3 decimals: 6.0001"),
        ErrorCase(
            text: header + "#EXTINF:-1.000,\nx.ts\n", line: 4,
            message: "EXTINF duration is not a non-negative decimal with at most 3 decimals: -1.000"),
        ErrorCase(
            text: header + "#EXTINF:6.000,\n#EXTINF:6.000,\nx.ts\n", line: 4,
            message: "EXTINF is not followed by a segment URI"),
        ErrorCase(
            text: header
                + "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00Z\n#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00Z\n",
            line: 5, message: "EXT-X-PROGRAM-DATE-TIME appears twice for one segment (first on line 4)"),
        ErrorCase(
            text: header + "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00\n", line: 4,
            message: "EXT-X-PROGRAM-DATE-TIME is not an ISO 8601 date with a time zone: 2025-03-14T18:00:00"),
        ErrorCase(
            text: header + "#EXT-X-BYTERANGE:100\n#EXTINF:6.000,\nx.ts\n", line: 4,
            message: "EXT-X-BYTERANGE without an offset must follow a byte-range segment of the same URI"),
        ErrorCase(
            text: header + "#EXT-X-BYTERANGE:100@0\n#EXTINF:6.000,\nx.ts\n#EXT-X-BYTERANGE:100\n#EXTINF:6.000,\ny.ts\n",
            line: 7, message: "EXT-X-BYTERANGE without an offset must follow a byte-range segment of the same URI"),
        ErrorCase(
            text: header + "#EXT-X-BYTERANGE:100@\n", line: 4,
            message: "EXT-X-BYTERANGE is not <length>[@<offset>]: 100@"),
        ErrorCase(
            text: header + "#EXT-X-MAP:BYTERANGE=\"1@0\"\n", line: 4, message: "EXT-X-MAP needs the URI attribute"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=init.mp4\n", line: 4,
            message: "EXT-X-MAP attribute URI must be a quoted string"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=\"init.mp4\n", line: 4,
            message: "EXT-X-MAP attribute URI has an unterminated quoted string"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=\"\"\n", line: 4,
            message: "EXT-X-MAP attribute URI is an empty quoted string"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=\"i.mp4\",KEYFORMAT=\"x\"\n", line: 4,
            message: "EXT-X-MAP has an unsupported attribute KEYFORMAT"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"x\"\n", line: 4,
            message: "EXT-X-MAP attribute BYTERANGE is not <length>[@<offset>]: x"),
        ErrorCase(
            text: header + "#EXT-X-MAP:URI=\"a\"\n#EXT-X-MAP:URI=\"b\"\n", line: 5,
            message: "EXT-X-MAP appears twice for one segment (first on line 4)"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\"\n#EXTINF:6.000,\nx.ts\n",
            line: 4,
            message: "EXT-X-DATERANGE needs an EXT-X-PROGRAM-DATE-TIME in the playlist"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",END-ON-NEXT=YES\n", line: 4,
            message: "EXT-X-DATERANGE END-ON-NEXT needs a CLASS"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",CLASS=\"c\",START-DATE=\"2025-03-14T18:00:00Z\",END-ON-NEXT=NO\n",
            line: 4,
            message: "EXT-X-DATERANGE attribute END-ON-NEXT must be YES, not NO"),
        ErrorCase(
            text: header
                + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",END-DATE=\"2025-03-14T18:00:01Z\","
                + "DURATION=2.000\n", line: 4,
            message: "EXT-X-DATERANGE END-DATE 2025-03-14T18:00:01.000Z is not START-DATE + DURATION "
                + "(2025-03-14T18:00:02.000Z)"
        ),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\"\n", line: 4,
            message: "EXT-X-DATERANGE needs the START-DATE attribute"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:START-DATE=\"2025-03-14T18:00:00Z\"\n", line: 4,
            message: "EXT-X-DATERANGE needs the ID attribute"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"yesterday\"\n", line: 4,
            message: "EXT-X-DATERANGE attribute START-DATE is not an ISO 8601 date with a time zone: yesterday"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",SCTE35-OUT=0xFC\n", line: 4,
            message: "EXT-X-DATERANGE has an unsupported attribute SCTE35-OUT"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",X-hex=0x00\n", line: 4,
            message: "EXT-X-DATERANGE attribute name \"X-hex\" may only contain A-Z, 0-9 and -"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",X-A=0xabc\n", line: 4,
            message: "EXT-X-DATERANGE attribute X-A is not a hexadecimal sequence of whole bytes in 0-9 A-F: 0xabc"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",X-A=1e5\n", line: 4,
            message: "EXT-X-DATERANGE attribute X-A is not a decimal number: 1e5"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",ID=\"b\",START-DATE=\"2025-03-14T18:00:00Z\"\n", line: 4,
            message: "EXT-X-DATERANGE has attribute ID twice"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\", START-DATE=\"2025-03-14T18:00:00Z\"\n", line: 4,
            message: "EXT-X-DATERANGE attribute name \" START-DATE\" may only contain A-Z, 0-9 and -"),
        ErrorCase(
            text: header + "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2025-03-14T18:00:00Z\",DURATION=1.5s\n", line: 4,
            message: "EXT-X-DATERANGE attribute DURATION is not a non-negative decimal with at most 3 decimals: 1.5s"),
    ]

    @Test("malformed input is rejected with its line number and a message", arguments: errorCases)
    func rejects(_ errorCase: ErrorCase) {
        #expect(throws: PlaylistParseError(line: errorCase.line, message: errorCase.message)) {
            try MediaPlaylist(parsing: errorCase.text)
        }
    }

    @Test("the error description is 'line N: message'")
    func errorDescription() {
        #expect(
            PlaylistParseError(line: 7, message: "EXTINF needs a comma").description == "line 7: EXTINF needs a comma")
    }
}
