import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@Suite("MultivariantPlaylist", .ownThreads)
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

    /// The multivariant example of hls-reference §3 (without its audio EXT-X-MEDIA: the model holds
    /// subtitle renditions' attributes, not CHANNELS), with more session data and a second I-frame stream.
    static let sessionAndIFrameGolden = MultivariantPlaylist(
        independentSegments: true,
        sessionData: [
            SessionData(dataID: SessionData.appleChaptersDataID, content: .uri("chapters.json", format: nil)),
            SessionData(dataID: "com.example.title", content: .value("Spring Sale"), language: "en"),
            SessionData(dataID: "com.example.title", content: .value("מבצע אביב"), language: "he"),
            SessionData(dataID: "com.example.cards", content: .uri("cards.json", format: .json), language: "en"),
            SessionData(dataID: "com.example.blob", content: .uri("blob.bin", format: .raw)),
        ],
        variants: [
            VariantStream(
                uri: "v720/index.m3u8", bandwidth: 3_300_000, averageBandwidth: 2_600_000,
                codecs: ["avc1.64001f", "mp4a.40.2"], resolution: Resolution(width: 1280, height: 720),
                frameRate: Rational(30_000, 1000)),
            VariantStream(uri: "v360/index.m3u8", bandwidth: 900_000, codecs: ["avc1.42c01e", "mp4a.40.5"]),
        ],
        iFrameStreams: [
            IFrameStream(
                uri: "v720/iframes.m3u8", bandwidth: 330_000, codecs: ["avc1.64001f"],
                resolution: Resolution(width: 1280, height: 720)),
            IFrameStream(
                uri: "v360/iframes.m3u8", bandwidth: 90_000, averageBandwidth: 60_000, codecs: ["avc1.42c01e"],
                resolution: Resolution(width: 640, height: 360)),
            IFrameStream(uri: "bare/iframes.m3u8", bandwidth: 1),
        ])

    static let sessionAndIFrameGoldenText = lines(
        "#EXTM3U",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.apple.hls.chapters\",URI=\"chapters.json\"",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.title\",VALUE=\"Spring Sale\",LANGUAGE=\"en\"",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.title\",VALUE=\"מבצע אביב\",LANGUAGE=\"he\"",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.cards\",URI=\"cards.json\",FORMAT=JSON,LANGUAGE=\"en\"",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.blob\",URI=\"blob.bin\",FORMAT=RAW",
        "#EXT-X-STREAM-INF:BANDWIDTH=3300000,AVERAGE-BANDWIDTH=2600000,CODECS=\"avc1.64001f,mp4a.40.2\","
            + "RESOLUTION=1280x720,FRAME-RATE=30.000",
        "v720/index.m3u8",
        "#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.42c01e,mp4a.40.5\"",
        "v360/index.m3u8",
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=330000,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,"
            + "URI=\"v720/iframes.m3u8\"",
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,AVERAGE-BANDWIDTH=60000,CODECS=\"avc1.42c01e\","
            + "RESOLUTION=640x360,URI=\"v360/iframes.m3u8\"",
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"bare/iframes.m3u8\"")

    @Test("session data and I-frame streams render in order, parse back, and need no EXT-X-VERSION")
    func sessionDataAndIFrameStreams() throws {
        let golden = Self.sessionAndIFrameGolden
        #expect(golden.render() == Self.sessionAndIFrameGoldenText)
        #expect(golden.version == 1)
        let parsed = try MultivariantPlaylist(parsing: Self.sessionAndIFrameGoldenText)
        #expect(parsed == golden)
        #expect(parsed.render() == Self.sessionAndIFrameGoldenText)
    }

    @Test("the convenience initializers build the same session data")
    func sessionDataInitializers() {
        #expect(
            SessionData(dataID: "com.example.a", value: "x", language: "en")
                == SessionData(dataID: "com.example.a", content: .value("x"), language: "en"))
        #expect(
            SessionData(dataID: SessionData.appleChaptersDataID, uri: "chapters.json")
                == SessionData(dataID: "com.apple.hls.chapters", content: .uri("chapters.json", format: nil)))
        #expect(
            SessionData(dataID: "com.example.b", uri: "b.bin", format: .raw, language: "he")
                == SessionData(dataID: "com.example.b", content: .uri("b.bin", format: .raw), language: "he"))
    }

    @Test("the tags may come in any order; each kind keeps its order and renders grouped")
    func acceptsAnyTagOrder() throws {
        let text = lines(
            "#EXTM3U",
            "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"a.m3u8\"",
            "#EXT-X-STREAM-INF:BANDWIDTH=2",
            "v.m3u8",
            "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.b\",VALUE=\"2\"",
            "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=3,URI=\"b.m3u8\"",
            "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"1\"")
        let parsed = try MultivariantPlaylist(parsing: text)
        #expect(
            parsed
                == MultivariantPlaylist(
                    sessionData: [
                        SessionData(dataID: "com.example.b", content: .value("2")),
                        SessionData(dataID: "com.example.a", content: .value("1")),
                    ],
                    variants: [VariantStream(uri: "v.m3u8", bandwidth: 2)],
                    iFrameStreams: [
                        IFrameStream(uri: "a.m3u8", bandwidth: 1), IFrameStream(uri: "b.m3u8", bandwidth: 3),
                    ]))
        #expect(
            parsed.render()
                == lines(
                    "#EXTM3U",
                    "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.b\",VALUE=\"2\"",
                    "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"1\"",
                    "#EXT-X-STREAM-INF:BANDWIDTH=2",
                    "v.m3u8",
                    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"a.m3u8\"",
                    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=3,URI=\"b.m3u8\""))
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
        ("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",CHANNELS=\"2\"\n", 2, "EXT-X-MEDIA has an unsupported attribute CHANNELS"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:6\n", 2, "unsupported tag EXT-X-TARGETDURATION"),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv\u{7F}\n", 3, "control character U+007F is not allowed"),
        // EXT-X-SESSION-DATA
        ("#EXTM3U\n#EXT-X-SESSION-DATA\n", 2, "EXT-X-SESSION-DATA needs a value"),
        ("#EXTM3U\n#EXT-X-SESSION-DATA:VALUE=\"x\"\n", 2, "EXT-X-SESSION-DATA needs the DATA-ID attribute"),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"\",VALUE=\"x\"\n", 2,
            "EXT-X-SESSION-DATA attribute DATA-ID is an empty quoted string"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=com.example.a,VALUE=\"x\"\n", 2,
            "EXT-X-SESSION-DATA attribute DATA-ID must be a quoted string"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\"\n", 2,
            "EXT-X-SESSION-DATA needs a VALUE or a URI attribute"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",URI=\"a.json\"\n", 2,
            "EXT-X-SESSION-DATA has both VALUE and URI; it takes exactly one"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",FORMAT=JSON\n", 2,
            "EXT-X-SESSION-DATA attribute FORMAT is only allowed with URI"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",URI=\"a.xml\",FORMAT=XML\n", 2,
            "EXT-X-SESSION-DATA attribute FORMAT must be JSON or RAW, not XML"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",URI=\"a.json\",FORMAT=\"JSON\"\n", 2,
            "EXT-X-SESSION-DATA attribute FORMAT must not be quoted"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",LANGUAGE=en\n", 2,
            "EXT-X-SESSION-DATA attribute LANGUAGE must be a quoted string"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",X-COM-EXAMPLE=\"y\"\n", 2,
            "EXT-X-SESSION-DATA has an unsupported attribute X-COM-EXAMPLE"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",LANGUAGE=\"en\"\n"
                + "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\",LANGUAGE=\"fr\"\n"
                + "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",URI=\"y.json\",LANGUAGE=\"en\"\n", 4,
            "EXT-X-SESSION-DATA with DATA-ID \"com.example.a\" and LANGUAGE \"en\" appears twice (first on line 2)"
        ),
        (
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"x\"\n"
                + "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.a\",VALUE=\"y\"\n", 3,
            "EXT-X-SESSION-DATA with DATA-ID \"com.example.a\" and no LANGUAGE appears twice (first on line 2)"
        ),
        // EXT-X-I-FRAME-STREAM-INF
        ("#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:\n", 2, "EXT-X-I-FRAME-STREAM-INF needs a value"),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF needs the BANDWIDTH attribute"
        ),
        ("#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n", 2, "EXT-X-I-FRAME-STREAM-INF needs the URI attribute"),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=i.m3u8\n", 2,
            "EXT-X-I-FRAME-STREAM-INF attribute URI must be a quoted string"
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,FRAME-RATE=30.000,URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF has an unsupported attribute FRAME-RATE"
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,AUDIO=\"aac\",URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF has an unsupported attribute AUDIO"
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=-1,URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF attribute BANDWIDTH is not a decimal integer: -1"
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=99999999999999999999,URI=\"i\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF attribute AVERAGE-BANDWIDTH is not a decimal integer: 99999999999999999999"
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f \",URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF attribute CODECS has an empty entry or whitespace: avc1.64001f "
        ),
        (
            "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280,URI=\"i.m3u8\"\n", 2,
            "EXT-X-I-FRAME-STREAM-INF attribute RESOLUTION is not <width>x<height>: 1280"
        ),
        (
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i.m3u8\"\nv\n", 2,
            "EXT-X-STREAM-INF is not followed by a URI"
        ),
    ]

    @Test("malformed input is rejected with its line number and a message", arguments: errorCases)
    func rejects(text: String, line: Int, message: String) {
        #expect(throws: PlaylistParseError(line: line, message: message)) {
            try MultivariantPlaylist(parsing: text)
        }
    }
}
