import CuepointHLS
import CuepointTime
import Testing

@Suite("MultivariantPlaylist")
struct MultivariantPlaylistTests {
    static let golden = MultivariantPlaylist(
        independentSegments: true,
        variants: [
            VariantStream(
                uri: "v720/index.m3u8", bandwidth: 3_300_000, averageBandwidth: 2_600_000,
                codecs: ["avc1.64001f", "mp4a.40.2"], resolution: Resolution(width: 1280, height: 720),
                frameRate: Rational(30, 1)),
            VariantStream(
                uri: "v360/index.m3u8", bandwidth: 900_000, codecs: ["avc1.42c01e", "mp4a.40.5"],
                resolution: Resolution(width: 640, height: 360), frameRate: Rational(30000, 1001)),
            VariantStream(
                uri: "audio/index.m3u8", bandwidth: 140_000, averageBandwidth: 130_000, codecs: ["mp4a.40.2"]),
        ])

    static let goldenText = lines(
        "#EXTM3U",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXT-X-STREAM-INF:BANDWIDTH=3300000,AVERAGE-BANDWIDTH=2600000,CODECS=\"avc1.64001f,mp4a.40.2\","
            + "RESOLUTION=1280x720,FRAME-RATE=30.000",
        "v720/index.m3u8",
        "#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.42c01e,mp4a.40.5\",RESOLUTION=640x360,FRAME-RATE=29.970",
        "v360/index.m3u8",
        "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\"",
        "audio/index.m3u8")

    @Test("render() matches the golden text; it has no EXT-X-VERSION")
    func rendersGolden() {
        #expect(Self.golden.render() == Self.goldenText)
        #expect(Self.golden.version == 1)
        #expect(MultivariantPlaylist().render() == "#EXTM3U\n")
    }

    @Test("the golden text parses back; frame rates come back as thousandths")
    func parsesGolden() throws {
        let parsed = try MultivariantPlaylist(parsing: Self.goldenText)
        var expected = Self.golden
        expected.variants[0].frameRate = Rational(30_000, 1000)
        expected.variants[1].frameRate = Rational(29_970, 1000)
        #expect(parsed == expected)
        #expect(parsed.render() == Self.goldenText)
    }

    @Test(
        "FRAME-RATE is rounded to three decimals",
        arguments: [
            (Rational(30000, 1001), "29.970"), (Rational(24000, 1001), "23.976"), (Rational(60000, 1001), "59.940"),
            (Rational(25, 1), "25.000"), (Rational(1, 2000), "0.001"), (Rational(1, 2001), "0.000"),
            (Rational(119_880, 1000), "119.880"),
        ])
    func frameRate(rate: Rational, text: String) {
        let playlist = MultivariantPlaylist(variants: [VariantStream(uri: "v", bandwidth: 1, frameRate: rate)])
        #expect(playlist.render() == "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=\(text)\nv\n")
    }

    @Test("render → parse → render is byte-identical for generated playlists", arguments: 0..<100)
    func roundTripsGenerated(seed: Int) throws {
        var generator = PlaylistGenerator(seed: UInt64(seed))
        let playlist = generator.multivariantPlaylist()
        let text = playlist.render()
        let parsed = try MultivariantPlaylist(parsing: text)
        #expect(parsed == playlist)
        #expect(parsed.render() == text)
    }

    @Test("an EXT-X-VERSION, CRLF and comments are accepted")
    func acceptsVersion() throws {
        let text = "#EXTM3U\r\n#EXT-X-VERSION:6\r\n# comment\r\n\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\r\nv.m3u8\r\n"
        #expect(
            try MultivariantPlaylist(parsing: text)
                == MultivariantPlaylist(variants: [VariantStream(uri: "v.m3u8", bandwidth: 1)]))
    }

    static let errorCases: [(String, Int, String)] = [
        ("", 1, "the first line must be #EXTM3U"),
        ("\u{FEFF}#EXTM3U\n", 1, "the text starts with a byte order mark; playlists are UTF-8 without a BOM"),
        ("#EXTM3U\nv.m3u8\n", 2, "URI v.m3u8 has no EXT-X-STREAM-INF before it"),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", 2, "EXT-X-STREAM-INF is not followed by a URI"),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nv.m3u8\n", 2,
            "EXT-X-STREAM-INF is not followed by a URI"
        ),
        ("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"mp4a.40.2\"\nv\n", 2, "EXT-X-STREAM-INF needs the BANDWIDTH attribute"),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1.5\nv\n", 2,
            "EXT-X-STREAM-INF attribute BANDWIDTH is not a decimal integer: 1.5"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=\"1\"\nv\n", 2,
            "EXT-X-STREAM-INF attribute BANDWIDTH must not be quoted"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"aac\"\nv\n", 2,
            "EXT-X-STREAM-INF has an unsupported attribute AUDIO"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f, mp4a.40.2\"\nv\n", 2,
            "EXT-X-STREAM-INF attribute CODECS has an empty entry or whitespace: avc1.64001f, mp4a.40.2"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f,\"\nv\n", 2,
            "EXT-X-STREAM-INF attribute CODECS has an empty entry or whitespace: avc1.64001f,"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280X720\nv\n", 2,
            "EXT-X-STREAM-INF attribute RESOLUTION is not <width>x<height>: 1280X720"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=29.97003\nv\n", 2,
            "EXT-X-STREAM-INF attribute FRAME-RATE is not a non-negative decimal with at most 3 decimals: 29.97003"
        ),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,\nv\n", 2, "EXT-X-STREAM-INF attribute list ends with a comma"),
        ("#EXTM3U\n#EXT-X-STREAM-INF:\nv\n", 2, "EXT-X-STREAM-INF needs a value"),
        (
            "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-INDEPENDENT-SEGMENTS\n", 3,
            "EXT-X-INDEPENDENT-SEGMENTS appears twice (first on line 2)"
        ),
        ("#EXTM3U\n#EXT-X-VERSION:x\n", 2, "EXT-X-VERSION must be an integer of at least 1"),
        ("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\"\n", 2, "unsupported tag EXT-X-MEDIA"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:6\n", 2, "unsupported tag EXT-X-TARGETDURATION"),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv\u{7F}\n", 3, "control character U+007F is not allowed"),
    ]

    @Test("malformed input is rejected with its line number and a message", arguments: errorCases)
    func rejects(text: String, line: Int, message: String) {
        #expect(throws: PlaylistParseError(line: line, message: message)) {
            try MultivariantPlaylist(parsing: text)
        }
    }
}
