import CuepointTestSupport
import CuepointHLS
import Testing

@Suite(.ownThreads) struct WebVTTDocumentTests {
    @Test func aSubtitleSegmentRendersWithItsTimestampMapAndClosingNote() {
        let document = WebVTTDocument(
            timestampMap: .init(mpegts: 132_000),
            cues: [
                WebVTTCue(identifier: "1", startMilliseconds: 500, endMilliseconds: 3500, settings: "line:85%", text: "Hello <i>there</i>"),
                WebVTTCue(startMilliseconds: 3_600_000, endMilliseconds: 3_601_000, text: "an hour in"),
            ],
            closingNote: "end of segment")
        #expect(
            document.render()
                == lines(
                    "WEBVTT", "X-TIMESTAMP-MAP=MPEGTS:132000,LOCAL:00:00:00.000", "", "1",
                    "00:00:00.500 --> 00:00:03.500 line:85%", "Hello <i>there</i>", "", "01:00:00.000 --> 01:00:01.000",
                    "an hour in", "", "NOTE end of segment"))
        // What we write, our reader reads back.
        let reading = CaptionFile.read(bytes: Array(document.render().utf8))
        #expect(reading.problems.isEmpty)
        #expect(reading.document.cues == document.cues)
    }

    @Test func metadataCuesCarryOneLineOfJSONWithoutAnArrow() {
        let cue = WebVTTCue.metadata(
            identifier: "p-1", startMilliseconds: 0, endMilliseconds: 1000, json: "{\"title\":\"a --> b\",\n\"x\":1}")
        #expect(cue.text == #"{"title":"a --\u003e b","x":1}"#)
        #expect(!WebVTTDocument(cues: [cue]).render().contains("a -->"))
    }

    @Test func plainTextIsEscapedWithoutBlankLines() {
        #expect(WebVTTDocument.escaped("Salt & <Pepper>\n\n\r\nnext") == "Salt &amp; &lt;Pepper&gt;\nnext")
    }

    @Test func excerptsMoveAndCutCues() {
        let document = WebVTTDocument(cues: [
            WebVTTCue(startMilliseconds: 0, endMilliseconds: 2000, text: "a"),
            WebVTTCue(startMilliseconds: 3000, endMilliseconds: 6000, text: "b"),
            WebVTTCue(startMilliseconds: 7000, endMilliseconds: 8000, text: "c"),
        ])
        #expect(document.cues(overlappingFrom: 1000, to: 4000).map(\.text) == ["a", "b"])
        #expect(document.cues(overlappingFrom: 2000, to: 3000).isEmpty, "ends and starts are exclusive")
        let excerpt = document.excerpt(from: 1000, to: 5000)
        #expect(excerpt.cues.map { "\($0.startMilliseconds)-\($0.endMilliseconds) \($0.text)" } == ["0-1000 a", "2000-4000 b"])
    }
}

@Suite(.ownThreads) struct MediaRenditionTests {
    static let master = lines(
        "#EXTM3U", "#EXT-X-INDEPENDENT-SEGMENTS",
        #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subtitles/en/index.m3u8""#,
        #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français",LANGUAGE="fr",AUTOSELECT=YES,URI="subtitles/fr/index.m3u8""#,
        #"#EXT-X-STREAM-INF:BANDWIDTH=366600,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=640x360,SUBTITLES="subs""#,
        "source/index.m3u8")

    @Test func subtitleRenditionsRenderAndParseBack() throws {
        var playlist = MultivariantPlaylist(independentSegments: true)
        playlist.renditions = [
            MediaRendition(
                kind: .subtitles, groupID: "subs", name: "English", language: "en", isDefault: true, autoselect: true,
                uri: "subtitles/en/index.m3u8"),
            MediaRendition(
                kind: .subtitles, groupID: "subs", name: "Français", language: "fr", autoselect: true,
                uri: "subtitles/fr/index.m3u8"),
        ]
        playlist.variants = [
            VariantStream(
                uri: "source/index.m3u8", bandwidth: 366_600, codecs: ["avc1.64001f", "mp4a.40.2"],
                resolution: Resolution(width: 640, height: 360), subtitles: "subs")
        ]
        #expect(playlist.render() == Self.master)
        #expect(try MultivariantPlaylist(parsing: Self.master) == playlist)
    }

    @Test(arguments: [
        (#"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A""#, "needs a URI"),
        (#"#EXT-X-MEDIA:TYPE=TEXT,GROUP-ID="s",NAME="A",URI="a.m3u8""#, "TYPE must be"),
        (#"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",DEFAULT=YES,AUTOSELECT=NO,URI="a.m3u8""#, "must not have AUTOSELECT=NO"),
        (#"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="s",NAME="A",FORCED=YES"#, "FORCED is only allowed"),
        (#"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",DEFAULT=yes,URI="a.m3u8""#, "must be YES or NO"),
        (#"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",CHARACTERISTICS="x",URI="a.m3u8""#, "CHARACTERISTICS"),
    ])
    func badRenditionsAreRefusedWithTheirLine(tag: String, message: String) {
        let text = lines("#EXTM3U", tag)
        #expect {
            _ = try MultivariantPlaylist(parsing: text)
        } throws: { error in
            guard let error = error as? PlaylistParseError else { return false }
            return error.line == 2 && error.message.contains(message)
        }
    }

    @Test func groupsAreChecked() {
        let twoDefaults = lines(
            "#EXTM3U", #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",DEFAULT=YES,URI="a.m3u8""#,
            #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="B",DEFAULT=YES,URI="b.m3u8""#)
        #expect(throws: PlaylistParseError.self) { try MultivariantPlaylist(parsing: twoDefaults) }
        let sameName = lines(
            "#EXTM3U", #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",URI="a.m3u8""#,
            #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="A",URI="b.m3u8""#)
        #expect(throws: PlaylistParseError.self) { try MultivariantPlaylist(parsing: sameName) }
        let unknownGroup = lines(
            "#EXTM3U", #"#EXT-X-STREAM-INF:BANDWIDTH=1000,SUBTITLES="subs""#, "a/index.m3u8")
        #expect {
            _ = try MultivariantPlaylist(parsing: unknownGroup)
        } throws: { error in
            (error as? PlaylistParseError).map { $0.line == 2 && $0.message.contains(#"SUBTITLES="subs" names no"#) } ?? false
        }
    }
}
