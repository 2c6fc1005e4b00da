import CuepointTestSupport
import CuepointHLS
import Testing

@Suite("WebVTTChapters", .ownThreads)
struct WebVTTChaptersTests {
    typealias Cue = WebVTTChapters.Cue

    /// The WebVTT example of hls-reference §5, plus a nested chapter without identifier.
    static let golden = WebVTTChapters(cues: [
        Cue(identifier: "p-0001", startMilliseconds: 4_200, endMilliseconds: 175_600, text: "Ceramic Mug"),
        Cue(startMilliseconds: 4_200, endMilliseconds: 60_000, text: "Glaze"),
        Cue(
            identifier: "p-0002", startMilliseconds: 175_600, endMilliseconds: 370_000, text: "Linen Apron & Oven Mitt"),
    ])

    static let goldenText = lines(
        "WEBVTT",
        "",
        "p-0001",
        "00:00:04.200 --> 00:02:55.600",
        "Ceramic Mug",
        "",
        "00:00:04.200 --> 00:01:00.000",
        "Glaze",
        "",
        "p-0002",
        "00:02:55.600 --> 00:06:10.000",
        "Linen Apron &amp; Oven Mitt")

    @Test("render() matches the golden text byte for byte; it parses back and renders identically")
    func golden() throws {
        #expect(Self.golden.render() == Self.goldenText)
        let parsed = try WebVTTChapters.parse(Self.goldenText)
        #expect(parsed == Self.golden)
        #expect(parsed.render() == Self.goldenText)
        #expect(Self.golden.validationProblems() == [])
    }

    @Test("a file without cues is the signature line alone")
    func empty() throws {
        #expect(WebVTTChapters().render() == "WEBVTT\n")
        #expect(try WebVTTChapters.parse("WEBVTT\n") == WebVTTChapters())
        #expect(try WebVTTChapters.parse("WEBVTT") == WebVTTChapters())
    }

    @Test(
        "timestamps are hh:mm:ss.ttt with at least two hour digits",
        arguments: [
            (Int64(0), "00:00:00.000"), (4_200, "00:00:04.200"), (175_600, "00:02:55.600"), (1, "00:00:00.001"),
            (59_999, "00:00:59.999"), (3_599_999, "00:59:59.999"), (3_600_000, "01:00:00.000"),
            (86_399_999, "23:59:59.999"), (360_000_000, "100:00:00.000"),
        ])
    func timestamps(milliseconds: Int64, text: String) throws {
        let chapters = WebVTTChapters(cues: [
            Cue(startMilliseconds: milliseconds, endMilliseconds: milliseconds + 1, text: "x")
        ])
        let rendered = chapters.render()
        #expect(rendered.hasPrefix("WEBVTT\n\n\(text) --> "))
        #expect(try WebVTTChapters.parse(rendered) == chapters)
    }

    /// Titles, the line `render()` writes for them, and the text `parse(_:)` reads back.
    static let trickyTitles: [(String, String, String)] = [
        ("Linen Apron & Oven Mitt", "Linen Apron &amp; Oven Mitt", "Linen Apron & Oven Mitt"),
        ("<b>Bold</b>", "&lt;b&gt;Bold&lt;/b&gt;", "<b>Bold</b>"),
        ("a --> b", "a --&gt; b", "a --> b"),
        ("&amp; already", "&amp;amp; already", "&amp; already"),
        ("say \"hi\" \\o/", "say \"hi\" \\o/", "say \"hi\" \\o/"),
        ("CRLF\r\nline", "CRLF line", "CRLF line"),
        ("CR\rLF\nCRCR\r\rend", "CR LF CRCR  end", "CR LF CRCR  end"),
        ("tab\there", "tab here", "tab here"),
        ("nul\u{0}del\u{7F}c1\u{85}", "nul del c1 ", "nul del c1 "),
        ("כוס קרמיקה", "כוס קרמיקה", "כוס קרמיקה"),
        ("👩‍👩‍👧‍👦 family 🏳️‍🌈", "👩‍👩‍👧‍👦 family 🏳️‍🌈", "👩‍👩‍👧‍👦 family 🏳️‍🌈"),
        ("\u{301}combining first", "\u{301}combining first", "\u{301}combining first"),
        ("  spaced  ", "  spaced  ", "  spaced  "),
    ]

    @Test("titles are escaped as chapter title text and read back", arguments: trickyTitles)
    func trickyTitle(title: String, line: String, readBack: String) throws {
        let chapters = WebVTTChapters(cues: [Cue(startMilliseconds: 0, endMilliseconds: 1_000, text: title)])
        let rendered = chapters.render()
        #expect(rendered == "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\(line)\n")
        #expect(!line.contains("-->") && !line.contains("<"))
        let parsed = try WebVTTChapters.parse(rendered)
        #expect(parsed.cues.first?.text == readBack)
        #expect(parsed.render() == rendered)
    }

    @Test(
        "identifiers are written without line breaks or -->",
        arguments: [
            ("p-0001", "p-0001"), ("p-->1", "p-- >1"), ("a--->b", "a--- >b"), ("-->-->", "-- >-- >"),
            ("a\r\nb\rc\nd", "a b c d"), ("&amp; <b>", "&amp; <b>"), ("ספל 👩‍👩‍👧‍👦", "ספל 👩‍👩‍👧‍👦"),
            ("NOTE", "NOTE"),
        ])
    func identifiers(identifier: String, line: String) throws {
        let chapters = WebVTTChapters(cues: [
            Cue(identifier: identifier, startMilliseconds: 0, endMilliseconds: 1_000, text: "x")
        ])
        let rendered = chapters.render()
        #expect(rendered == "WEBVTT\n\n\(line)\n00:00:00.000 --> 00:00:01.000\nx\n")
        #expect(try WebVTTChapters.parse(rendered).cues.first?.identifier == line)
    }

    @Test("an empty identifier and an empty title are not written")
    func emptyFields() throws {
        let chapters = WebVTTChapters(cues: [
            Cue(identifier: "", startMilliseconds: 0, endMilliseconds: 1_000, text: ""),
            Cue(startMilliseconds: 1_000, endMilliseconds: 2_000, text: "b"),
        ])
        let rendered = chapters.render()
        #expect(rendered == "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\n00:00:01.000 --> 00:00:02.000\nb\n")
        #expect(
            try WebVTTChapters.parse(rendered)
                == WebVTTChapters(cues: [
                    Cue(startMilliseconds: 0, endMilliseconds: 1_000, text: ""),
                    Cue(startMilliseconds: 1_000, endMilliseconds: 2_000, text: "b"),
                ]))
    }

    @Test("inputs we do not write ourselves but accept")
    func acceptsVariants() throws {
        let text =
            "\u{FEFF}WEBVTT - Chapters of the show\r\n\r\n\r\nNOTE written by hand\r\nover two lines\r\n\r\n"
            + "intro\r\n00:04.200 --> 01:00:00.000\r\nFirst line\r\nsecond &lt;line&gt; &#38; &#x1F600; &#X5E9; > raw\r\n"
            + "\r\n\r\n01:00:00.000\t-->  01:30:00.000\rCR only\r\nNOTE\n\n"
        let parsed = try WebVTTChapters.parse(text)
        #expect(
            parsed
                == WebVTTChapters(cues: [
                    Cue(
                        identifier: "intro", startMilliseconds: 4_200, endMilliseconds: 3_600_000,
                        text: "First line\nsecond <line> & 😀 ש > raw"),
                    Cue(startMilliseconds: 3_600_000, endMilliseconds: 5_400_000, text: "CR only\nNOTE"),
                ]))
        #expect(try WebVTTChapters.parse("WEBVTT\tx\n") == WebVTTChapters())
    }

    @Test("render → parse → render is byte-identical for generated chapters", arguments: 0..<100)
    func roundTripsGenerated(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let titles = Self.trickyTitles.map(\.1)  // already clean: escaping them again is lossless
        var cues: [Cue] = []
        var start: Int64 = 0
        for index in 0..<Int.random(in: 0...8, using: &random) {
            let length = Int64.random(in: 1...10_000_000, using: &random)
            cues.append(
                Cue(
                    identifier: Bool.random(using: &random) ? "c\(index)" : nil, startMilliseconds: start,
                    endMilliseconds: start + length, text: titles[Int.random(in: 0..<titles.count, using: &random)]))
            start += Int64.random(in: 0...length, using: &random)
        }
        let chapters = WebVTTChapters(cues: cues)
        let text = chapters.render()
        let parsed = try WebVTTChapters.parse(text)
        #expect(parsed == chapters)
        #expect(parsed.render() == text)
    }

    // MARK: Errors

    static let errorCases: [(String, Int, String)] = [
        ("", 1, "the first line must be WEBVTT, optionally followed by a space or tab and text"),
        ("WEBVTT-x\n", 1, "the first line must be WEBVTT, optionally followed by a space or tab and text"),
        ("webvtt\n", 1, "the first line must be WEBVTT, optionally followed by a space or tab and text"),
        ("WEBVTT a --> b\n", 1, "the first line must be WEBVTT, optionally followed by a space or tab and text"),
        ("\nWEBVTT\n", 1, "the first line must be WEBVTT, optionally followed by a space or tab and text"),
        ("WEBVTT\nKind: chapters\n", 2, "the WEBVTT line must be followed by a blank line"),
        ("WEBVTT\n\nSTYLE\n::cue { color: red }\n", 3, "STYLE and REGION blocks are not supported in chapters"),
        ("WEBVTT\n\nREGION\nid:a\n", 3, "STYLE and REGION blocks are not supported in chapters"),
        ("WEBVTT\n\nhello\n", 3, "a block must be a cue (with a --> timing line) or a NOTE comment"),
        (
            "WEBVTT\n\nid\nmore\n00:00.000 --> 00:01.000\n", 3,
            "a block must be a cue (with a --> timing line) or a NOTE comment"
        ),
        ("WEBVTT\n\nNOTE x\ny\nz --> w\n", 5, "a NOTE comment must not contain -->"),
        ("WEBVTT\n\n00:00.000-->00:01.000\nx\n", 3, "a timing line must be <start> --> <end>, with blanks around -->"),
        ("WEBVTT\n\n00:00.000 --> \nx\n", 3, "a timing line must be <start> --> <end>, with blanks around -->"),
        (
            "WEBVTT\n\n00:00.000 ->> 00:01.000 -->\nx\n", 3,
            "a timing line must be <start> --> <end>, with blanks around -->"
        ),
        ("WEBVTT\n\n0:00:00.000 --> 00:01.000\n", 3, "start 0:00:00.000 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n00:60.000 --> 01:01.000\n", 3, "start 00:60.000 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n00:00:00.000 --> 00:60:00.000\n", 3, "end 00:60:00.000 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n00:00.00 --> 00:01.000\n", 3, "start 00:00.00 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n00:00.000 --> 00:01,000\n", 3, "end 00:01,000 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n-00:01.000 --> 00:02.000\n", 3, "start -00:01.000 is not a timestamp [hh:]mm:ss.ttt"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000 line:0\n", 3, "cue settings are not supported in chapters"),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\nok\n<b>x</b>\n", 5,
            "cue text must not contain < (tags): chapter title text is plain"
        ),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\na & b\n", 4,
            "& must start &amp;, &lt;, &gt; or a numeric character reference ending in ;"
        ),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\n&nbsp;\n", 4, "unsupported character reference &nbsp;"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\n&#0;\n", 4, "&#0; is not a reference to a character other than U+0000"),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\n&#xD800;\n", 4,
            "&#xD800; is not a reference to a character other than U+0000"
        ),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\n&#x110000;\n", 4,
            "&#x110000; is not a reference to a character other than U+0000"
        ),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\n&#12a;\n", 4,
            "&#12a; is not a reference to a character other than U+0000"
        ),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\n&#;\n", 4, "&#; is not a reference to a character other than U+0000"),
    ]

    @Test("malformed input is rejected with its line number and a message", arguments: errorCases)
    func rejects(text: String, line: Int, message: String) {
        #expect(throws: ChapterParseError(line: line, message: message)) {
            try WebVTTChapters.parse(text)
        }
    }

    @Test("negative times render with a sign the parser rejects")
    func negativeTimes() {
        let text = WebVTTChapters(cues: [Cue(startMilliseconds: -4_200, endMilliseconds: 1_000, text: "x")]).render()
        #expect(text == "WEBVTT\n\n-00:00:04.200 --> 00:00:01.000\nx\n")
        #expect(throws: ChapterParseError(line: 3, message: "start -00:00:04.200 is not a timestamp [hh:]mm:ss.ttt")) {
            try WebVTTChapters.parse(text)
        }
    }

    // MARK: Validation

    struct ValidationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var cues: [Cue]
        var problems: [String]
        var testDescription: String { name }
    }

    static func cue(_ start: Int64, _ end: Int64, _ identifier: String? = nil) -> Cue {
        Cue(identifier: identifier, startMilliseconds: start, endMilliseconds: end, text: "t")
    }

    static let validationCases: [ValidationCase] = [
        ValidationCase(name: "valid: no cues", cues: [], problems: []),
        ValidationCase(
            name: "valid: the nested example of WebVTT §4.5.1",
            cues: [
                cue(0, 84_000), cue(0, 44_000), cue(44_000, 79_000), cue(84_000, 300_000), cue(95_000, 180_000),
                cue(180_000, 300_000),
            ],
            problems: []),
        ValidationCase(
            name: "valid: same start, the longer one second", cues: [cue(0, 10_000), cue(0, 20_000)], problems: []),
        ValidationCase(
            name: "valid: identical timings, adjacent cues",
            cues: [cue(0, 10_000), cue(0, 10_000), cue(10_000, 20_000)],
            problems: []),
        ValidationCase(
            name: "negative start", cues: [cue(-1, 1_000)],
            problems: ["cue 1: start -00:00:00.001 is negative"]),
        ValidationCase(
            name: "end not after start", cues: [cue(1_000, 1_000), cue(2_000, 1_500)],
            problems: [
                "cue 1: end 00:00:01.000 is not after start 00:00:01.000",
                "cue 2: end 00:00:01.500 is not after start 00:00:02.000",
            ]),
        ValidationCase(
            name: "start times decrease", cues: [cue(5_000, 6_000), cue(4_200, 4_500)],
            problems: [
                "cue 2: start 00:00:04.200 is before the start 00:00:05.000 of cue 1; start times must not decrease"
            ]),
        ValidationCase(
            name: "partly overlapping cues (the counter-example of WebVTT §4.5.1)",
            cues: [cue(0, 60_000), cue(30_000, 90_000)],
            problems: [
                "cues 1 and 2 partly overlap (00:00:00.000–00:01:00.000 and 00:00:30.000–00:01:30.000); "
                    + "chapters must be nested or disjoint"
            ]),
        ValidationCase(
            name: "a nested cue overlapping its parent's sibling",
            cues: [cue(0, 60_000), cue(50_000, 70_000), cue(60_000, 120_000)],
            problems: [
                "cues 1 and 2 partly overlap (00:00:00.000–00:01:00.000 and 00:00:50.000–00:01:10.000); "
                    + "chapters must be nested or disjoint",
                "cues 2 and 3 partly overlap (00:00:50.000–00:01:10.000 and 00:01:00.000–00:02:00.000); "
                    + "chapters must be nested or disjoint",
            ]),
        ValidationCase(
            name: "empty and repeated identifiers",
            cues: [cue(0, 1_000, "a"), cue(1_000, 2_000, ""), cue(2_000, 3_000, "a")],
            problems: [
                "cue 2: identifier is empty; use nil for none", "cue 3: identifier \"a\" is already used by cue 1",
            ]),
    ]

    @Test("validationProblems() reports each broken rule", arguments: validationCases)
    func validation(_ validationCase: ValidationCase) {
        #expect(WebVTTChapters(cues: validationCase.cues).validationProblems() == validationCase.problems)
    }
}
