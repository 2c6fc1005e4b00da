import CuepointTestSupport
import CuepointHLS
import Testing

@Suite("ChapterDocument", .ownThreads)
struct ChapterDocumentTests {
    /// The chapters example of hls-reference §5, with a second title language and more metadata.
    static let golden = ChapterDocument(chapters: [
        Chapter(number: 1, startMilliseconds: 0, titles: [ChapterTitle(language: "en", title: "Intro")]),
        Chapter(
            number: 2, startMilliseconds: 4_200, durationMilliseconds: 171_400,
            titles: [
                ChapterTitle(language: "en", title: "Ceramic Mug"), ChapterTitle(language: "he", title: "ספל קרמיקה"),
            ],
            images: [ChapterImage(category: "thumbnail", pixelWidth: 320, pixelHeight: 180, url: "thumbs/p-0001.jpg")],
            metadata: [
                ChapterMetadata(key: "com.example.shop.sku", value: .string("B0ABC12345")),
                ChapterMetadata(key: "com.example.shop.price", value: .number("89.00"), language: "en"),
                ChapterMetadata(key: "com.example.shop.in-stock", value: .bool(true)),
                ChapterMetadata(key: "com.example.shop.offset", value: .seconds(milliseconds: 1_050)),
            ]),
    ])

    static let goldenText = lines(
        "[",
        "  {",
        "    \"chapter\": 1,",
        "    \"start-time\": 0,",
        "    \"titles\": [",
        "      {",
        "        \"language\": \"en\",",
        "        \"title\": \"Intro\"",
        "      }",
        "    ]",
        "  },",
        "  {",
        "    \"chapter\": 2,",
        "    \"start-time\": 4.2,",
        "    \"duration\": 171.4,",
        "    \"titles\": [",
        "      {",
        "        \"language\": \"en\",",
        "        \"title\": \"Ceramic Mug\"",
        "      },",
        "      {",
        "        \"language\": \"he\",",
        "        \"title\": \"ספל קרמיקה\"",
        "      }",
        "    ],",
        "    \"images\": [",
        "      {",
        "        \"image-category\": \"thumbnail\",",
        "        \"pixel-width\": 320,",
        "        \"pixel-height\": 180,",
        "        \"url\": \"thumbs/p-0001.jpg\"",
        "      }",
        "    ],",
        "    \"metadata\": [",
        "      {",
        "        \"key\": \"com.example.shop.sku\",",
        "        \"value\": \"B0ABC12345\"",
        "      },",
        "      {",
        "        \"key\": \"com.example.shop.price\",",
        "        \"value\": 89.00,",
        "        \"language\": \"en\"",
        "      },",
        "      {",
        "        \"key\": \"com.example.shop.in-stock\",",
        "        \"value\": true",
        "      },",
        "      {",
        "        \"key\": \"com.example.shop.offset\",",
        "        \"value\": 1.05",
        "      }",
        "    ]",
        "  }",
        "]")

    @Test("encoded() matches the golden text byte for byte; it parses back and encodes identically")
    func golden() throws {
        #expect(Self.golden.encoded() == Self.goldenText)
        let parsed = try ChapterDocument.parse(Self.goldenText)
        #expect(parsed == Self.golden)
        #expect(parsed.encoded() == Self.goldenText)
        #expect(Self.golden.validationProblems() == [])
    }

    @Test("the compact example of hls-reference §5 parses")
    func referenceExample() throws {
        let text = """
            [{"chapter":1,"start-time":0,"titles":[{"language":"en","title":"Intro"}]},
             {"chapter":2,"start-time":4.2,"duration":171.4,"titles":[{"language":"en","title":"Ceramic Mug"}],
              "images":[{"image-category":"thumbnail","pixel-width":320,"pixel-height":180,"url":"thumbs/p-0001.jpg"}],
              "metadata":[{"key":"com.example.shop.sku","value":"B0ABC12345"}]}]
            """
        let document = try ChapterDocument.parse(text)
        var expected = Self.golden
        expected.chapters[1].titles.removeLast()
        expected.chapters[1].metadata.removeLast(3)
        #expect(document == expected)
        #expect(document.validationProblems() == [])
    }

    @Test("an empty document is an empty array; empty arrays in a chapter are not written")
    func emptyDocument() throws {
        #expect(ChapterDocument().encoded() == "[]\n")
        #expect(try ChapterDocument.parse(" [ ] ") == ChapterDocument())
        let bare = ChapterDocument(chapters: [Chapter(number: 1, startMilliseconds: 0)])
        #expect(bare.encoded() == lines("[", "  {", "    \"chapter\": 1,", "    \"start-time\": 0", "  }", "]"))
        let withEmptyArrays = try ChapterDocument.parse(
            #"[{"chapter": 1, "start-time": 0, "titles": [], "images": [], "metadata": []}]"#)
        #expect(withEmptyArrays == bare)
    }

    @Test(
        "times are written as decimal seconds with as few decimals as needed",
        arguments: [
            (Int64(0), "0"), (4_200, "4.2"), (171_400, "171.4"), (1, "0.001"), (10, "0.01"), (1_000, "1"),
            (60_000, "60"), (1_050, "1.05"), (123_456_789, "123456.789"), (-1_500, "-1.5"),
            (Int64.max, "9223372036854775.807"),
        ])
    func timeText(milliseconds: Int64, text: String) throws {
        let document = ChapterDocument(chapters: [
            Chapter(number: 1, startMilliseconds: milliseconds, durationMilliseconds: milliseconds)
        ])
        let encoded = document.encoded()
        #expect(encoded.contains("\"start-time\": \(text),\n"))
        #expect(encoded.contains("\"duration\": \(text)\n"))
        #expect(try ChapterDocument.parse(encoded) == document)
        #expect(ChapterMetadataValue.seconds(milliseconds: milliseconds) == .number(text))
    }

    @Test(
        "seconds are read exactly and rounded to the nearest millisecond, halves away from zero",
        arguments: [
            ("0", Int64(0)), ("-0", 0), ("0.0", 0), ("4.2", 4_200), ("171.4", 171_400), ("4.2000000000000002", 4_200),
            ("4.1999999999999993", 4_200), ("0.0005", 1), ("0.00049999", 0), ("0.0015", 2), ("-0.0005", -1),
            ("1e3", 1_000_000), ("1E+3", 1_000_000), ("1.5e-1", 150), ("25e-5", 0), ("5e-4", 1), ("0.5e-3", 1),
            ("0.000000000000000000000000001", 0), ("1e-10000000000", 0), ("0e99999", 0), ("0.000e-5", 0),
            ("9223372036854775.807", Int64.max), ("9223372036854775.8074", Int64.max),
            ("-9223372036854775.807", -Int64.max),
        ])
    func secondsInput(text: String, milliseconds: Int64) throws {
        let document = try ChapterDocument.parse(#"[{"chapter": 1, "start-time": \#(text)}]"#)
        #expect(document.chapters.first?.startMilliseconds == milliseconds)
    }

    /// Titles and metadata strings that need escaping or must survive as they are.
    static let trickyStrings: [(String, String)] = [
        ("say \"hi\"", #""say \"hi\"""#),
        (#"back\slash"#, #""back\\slash""#),
        ("line\r\nbreak", #""line\r\nbreak""#),
        ("tab\there", #""tab\there""#),
        ("nul\u{0}bell\u{7}del\u{7F}c1\u{85}", #""nul\u0000bell\u0007del\u007Fc1\u0085""#),
        ("ls\u{2028}ps\u{2029}", #""ls\u2028ps\u2029""#),
        ("a --> b", #""a --> b""#),
        ("<b>bold</b> & co", #""<b>bold</b> & co""#),
        ("a/b", #""a/b""#),
        ("כוס קרמיקה", #""כוס קרמיקה""#),
        ("👩‍👩‍👧‍👦 family 🏳️‍🌈", #""👩‍👩‍👧‍👦 family 🏳️‍🌈""#),
        ("\u{301}combining first", "\"\u{301}combining first\""),
        ("", #""""#),
    ]

    @Test("strings are escaped as JSON requires and nothing more, and read back unchanged", arguments: trickyStrings)
    func trickyString(value: String, literal: String) throws {
        let document = ChapterDocument(chapters: [
            Chapter(
                number: 1, startMilliseconds: 0, titles: [ChapterTitle(language: "und", title: value)],
                metadata: [ChapterMetadata(key: "com.example.note", value: .string(value), language: value)])
        ])
        let encoded = document.encoded()
        #expect(encoded.contains("\"title\": \(literal)\n"))
        #expect(encoded.contains("\"value\": \(literal),\n"))
        #expect(encoded.contains("\"language\": \(literal)\n"))
        let parsed = try ChapterDocument.parse(encoded)
        #expect(parsed == document)
        #expect(parsed.encoded() == encoded)
    }

    @Test("every JSON escape is decoded, surrogate pairs included")
    func escapesDecoded() throws {
        let text =
            #"[{"chapter": 1, "start-time": 0, "titles": [{"language": "en", "#
            + #""title": "\"\\\/\b\f\n\r\t\u00e9\u00E9\ud83d\ude00\u05E9"}]}]"#
        let document = try ChapterDocument.parse(text)
        #expect(document.chapters.first?.titles.first?.title == "\"\\/\u{8}\u{C}\n\r\téé😀ש")
    }

    @Test("metadata numbers keep their exact text; booleans and strings round trip")
    func metadataValues() throws {
        let values: [ChapterMetadataValue] = [
            .number("89.00"), .number("-0.5e-3"), .number("1E+400"), .number("0"), .bool(false), .bool(true),
            .string("89.00"),
        ]
        let document = ChapterDocument(chapters: [
            Chapter(
                number: 1, startMilliseconds: 0,
                metadata: values.enumerated().map {
                    ChapterMetadata(key: "com.example.v\($0.offset)", value: $0.element)
                })
        ])
        let encoded = document.encoded()
        #expect(encoded.contains("\"value\": 89.00\n"))
        #expect(encoded.contains("\"value\": 1E+400\n"))
        #expect(encoded.contains("\"value\": \"89.00\"\n"))
        #expect(try ChapterDocument.parse(encoded) == document)
        #expect(document.validationProblems() == [])
    }

    @Test("whitespace, key order and line endings are free in the input")
    func flexibleInput() throws {
        let text =
            "\t[\r\n {\"titles\":[{\"title\":\"Intro\",\"language\":\"en\"}],\n\"start-time\" :0 , \"chapter\":1}\r\n]\n\n"
        #expect(try ChapterDocument.parse(text) == ChapterDocument(chapters: [Self.golden.chapters[0]]))
    }

    @Test("render → parse → render is byte-identical for generated documents", arguments: 0..<100)
    func roundTripsGenerated(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let strings = Self.trickyStrings.map(\.0) + ["Intro", "com.example.shop.sku", "en"]
        var chapters: [Chapter] = []
        var start: Int64 = 0
        for index in 0..<Int.random(in: 0...6, using: &random) {
            var chapter = Chapter(number: index + 1, startMilliseconds: start)
            if Bool.random(using: &random) {
                chapter.durationMilliseconds = Int64.random(in: 1...600_000, using: &random)
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                chapter.titles.append(ChapterTitle(language: pick(strings), title: pick(strings)))
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                chapter.images.append(
                    ChapterImage(
                        category: pick(strings), pixelWidth: Int.random(in: -5...4000, using: &random),
                        pixelHeight: Int.random(in: 0...4000, using: &random), url: pick(strings)))
            }
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let value: ChapterMetadataValue = pick([
                    .string(pick(strings)), .number("89.00"), .number("-1e-7"), .bool(true),
                    .seconds(milliseconds: Int64.random(in: -10_000...10_000, using: &random)),
                ])
                chapter.metadata.append(
                    ChapterMetadata(
                        key: pick(strings), value: value, language: Bool.random(using: &random) ? nil : "en"))
            }
            chapters.append(chapter)
            start += Int64.random(in: 0...100_000, using: &random)
        }
        let document = ChapterDocument(chapters: chapters)
        let text = document.encoded()
        let parsed = try ChapterDocument.parse(text)
        #expect(parsed == document)
        #expect(parsed.encoded() == text)
    }

    // MARK: Errors

    static let errorCases: [(String, Int, String)] = [
        ("", 1, "expected a value, found the end of the text"),
        ("   \n  ", 2, "expected a value, found the end of the text"),
        ("\u{FEFF}[]", 1, "the text starts with a byte order mark; JSON must not have one"),
        ("{}", 1, "the document must be a JSON array of chapters, not an object"),
        ("[] []", 1, "unexpected text after the JSON value"),
        ("[1,]", 1, "expected a value, found `]`"),
        ("[\n1\n2]", 3, "expected `,` or `]`, found `2`"),
        ("[// comment\n]", 1, "expected a value, found `/`"),
        ("['a']", 1, "expected a value, found `'`; JSON strings use double quotes"),
        ("[NaN]", 1, "expected a value, found `N`"),
        ("[tru]", 1, "expected a value, found `t`"),
        ("[01]", 1, "a number must not start with 0 (write 7, not 07)"),
        ("[-]", 1, "a number needs digits after `-`"),
        ("[1.]", 1, "a number needs digits after `.`"),
        ("[.5]", 1, "expected a value, found `.`"),
        ("[1e]", 1, "a number needs digits in its exponent"),
        ("[+1]", 1, "expected a value, found `+`"),
        ("[\"abc]", 1, "a string is not closed"),
        ("[\"a\tb\"]", 1, "the control character U+0009 must be escaped in a string (\\n, \\t, \\u0000)"),
        ("[\"a\nb\"]", 1, "the control character U+000A must be escaped in a string (\\n, \\t, \\u0000)"),
        (#"["\x"]"#, 1, "`\\x` is not a JSON escape"),
        (#"["\u12"]"#, 1, "`\\u` needs four hexadecimal digits"),
        (#"["\ud83d"]"#, 1, "`\\uD83D` is a high surrogate without a low surrogate after it"),
        (#"["\ud83d\u0041"]"#, 1, "`\\uD83D` is a high surrogate followed by `\\u0041`, not a low surrogate"),
        (#"["\ude00"]"#, 1, "`\\uDE00` is a low surrogate without a high surrogate before it"),
        (#"[{"a": 1, "a": 2}]"#, 1, "\"a\" appears twice in the same object"),
        (#"[{"a" 1}]"#, 1, "expected `:`, found `1`"),
        (#"[{a: 1}]"#, 1, "expected a field name in double quotes, found `a`"),
        (#"[{"a": 1,}]"#, 1, "expected a field name in double quotes, found `}`"),
        (#"[{"a": 1 "b": 2}]"#, 1, "expected `,` or `}`, found `\"`"),
        (
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65), 1,
            "arrays and objects are nested more than 64 levels deep"
        ),
        // The chapter schema.
        ("[1]", 1, "entry 1 must be an object, not a number"),
        ("[{\"start-time\": 0}]", 1, "entry 1 has no \"chapter\""),
        ("[{\"chapter\": 1},\n{\"chapter\": 2}]", 1, "entry 1 has no \"start-time\""),
        ("[{\"chapter\": 1, \"start-time\": 0},\n{\"chapter\": 2}]", 2, "entry 2 has no \"start-time\""),
        (#"[{"chapter": "1", "start-time": 0}]"#, 1, "entry 1 \"chapter\" must be an integer, not a string"),
        (#"[{"chapter": 1.0, "start-time": 0}]"#, 1, "entry 1 \"chapter\" must be an integer, not 1.0"),
        (#"[{"chapter": 1e0, "start-time": 0}]"#, 1, "entry 1 \"chapter\" must be an integer, not 1e0"),
        (
            #"[{"chapter": 99999999999999999999, "start-time": 0}]"#, 1,
            "entry 1 \"chapter\" 99999999999999999999 is out of range"
        ),
        (#"[{"chapter": 1, "start-time": "4.2"}]"#, 1, "entry 1 \"start-time\" must be a number, not a string"),
        (#"[{"chapter": 1, "start-time": null}]"#, 1, "entry 1 \"start-time\" must be a number, not null"),
        (#"[{"chapter": 1, "start-time": 1e16}]"#, 1, "entry 1 \"start-time\" 1e16 is out of range"),
        (
            #"[{"chapter": 1, "start-time": 0, "duration": 9223372036854775.808}]"#, 1,
            "entry 1 \"duration\" 9223372036854775.808 is out of range"
        ),
        (#"[{"chapter": 1, "start-time": 0, "title": "x"}]"#, 1, "entry 1 has an unsupported key \"title\""),
        (#"[{"chapter": 1, "start-time": 0, "titles": {}}]"#, 1, "entry 1 \"titles\" must be an array, not an object"),
        (#"[{"chapter": 1, "start-time": 0, "titles": ["x"]}]"#, 1, "entry 1 title 1 must be an object, not a string"),
        (
            "[{\"chapter\": 1, \"start-time\": 0, \"titles\": [\n{\"language\": \"en\"}]}]", 2,
            "entry 1 title 1 has no \"title\""
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "titles": [{"language": "en", "title": "a", "x": 1}]}]"#, 1,
            "entry 1 title 1 has an unsupported key \"x\""
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "images": [{"image-category": "t", "pixel-width": 1, "url": "u"}]}]"#, 1,
            "entry 1 image 1 has no \"pixel-height\""
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "images": [{"image-category": "t", "pixel-width": 1.5, "pixel-height": 1, "url": "u"}]}]"#,
            1, "entry 1 image 1 \"pixel-width\" must be an integer, not 1.5"
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "metadata": [{"key": "com.example.a"}]}]"#, 1,
            "entry 1 metadata 1 has no \"value\""
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "metadata": [{"key": "com.example.a", "value": [1]}]}]"#, 1,
            "entry 1 metadata 1 \"value\" must be a string, number or boolean, not an array"
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "metadata": [{"key": "com.example.a", "value": null}]}]"#, 1,
            "entry 1 metadata 1 \"value\" must be a string, number or boolean, not null"
        ),
        (
            #"[{"chapter": 1, "start-time": 0, "metadata": [{"key": "com.example.a", "value": 1, "language": 1}]}]"#, 1,
            "entry 1 metadata 1 \"language\" must be a string, not a number"
        ),
    ]

    @Test("malformed input is rejected with its line number and a message", arguments: errorCases)
    func rejects(text: String, line: Int, message: String) {
        #expect(throws: ChapterParseError(line: line, message: message)) {
            try ChapterDocument.parse(text)
        }
    }

    @Test("the error description is 'line N: message'")
    func errorDescription() {
        #expect(
            ChapterParseError(line: 3, message: "entry 2 has no \"chapter\"").description
                == "line 3: entry 2 has no \"chapter\"")
    }

    // MARK: Validation

    struct ValidationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var chapters: [Chapter]
        var problems: [String]
        var testDescription: String { name }
    }

    static func chapter(
        _ number: Int, _ start: Int64, _ duration: Int64? = nil, images: [ChapterImage] = [],
        metadata: [ChapterMetadata] = []
    ) -> Chapter {
        Chapter(
            number: number, startMilliseconds: start, durationMilliseconds: duration,
            titles: [ChapterTitle(language: "en", title: "Chapter \(number)")], images: images, metadata: metadata)
    }

    static let validationCases: [ValidationCase] = [
        ValidationCase(name: "valid: no chapters", chapters: [], problems: []),
        ValidationCase(
            name: "valid: nested chapters with durations, sharing a start",
            chapters: [chapter(1, 0, 84_000), chapter(2, 0, 44_000), chapter(3, 44_000, 35_000), chapter(4, 84_000)],
            problems: []),
        ValidationCase(
            name: "valid: overlapping chapters with durations",
            chapters: [chapter(1, 0, 60_000), chapter(2, 30_000, 60_000)], problems: []),
        ValidationCase(
            name: "valid: a chapter with a duration followed by one without, after it ends",
            chapters: [chapter(1, 0, 10_000), chapter(2, 10_000), chapter(3, 20_000)], problems: []),
        ValidationCase(
            name: "chapter number below 1", chapters: [chapter(0, 0)],
            problems: ["entry 1: chapter 0 is not at least 1"]),
        ValidationCase(
            name: "negative start", chapters: [chapter(1, -1)], problems: ["entry 1: start-time -0.001 is negative"]),
        ValidationCase(
            name: "zero and negative durations", chapters: [chapter(1, 0, 0), chapter(2, 1_000, -5)],
            problems: ["entry 1: duration 0 is not more than 0", "entry 2: duration -0.005 is not more than 0"]),
        ValidationCase(
            name: "chapters out of order", chapters: [chapter(1, 5_000), chapter(2, 4_200)],
            problems: [
                "entry 2: start-time 4.2 is before the start-time 5 of entry 1; chapters must be in order of start-time"
            ]),
        ValidationCase(
            name: "a nested chapter without a duration",
            chapters: [chapter(1, 0, 60_000), chapter(2, 10_000), chapter(3, 70_000)],
            problems: [
                "entry 2: starts inside entry 1 (0 s + 60 s), so it is nested or overlapping and needs a duration"
            ]),
        ValidationCase(
            name: "a parent chapter without a duration, starting with its first child",
            chapters: [chapter(1, 0), chapter(2, 0, 5_000)],
            problems: [
                "entry 1: starts together with entry 2, so it is nested and needs a duration "
                    + "(without one it would end where it starts)"
            ]),
        ValidationCase(
            name: "empty title language",
            chapters: [Chapter(number: 1, startMilliseconds: 0, titles: [ChapterTitle(language: "", title: "x")])],
            problems: ["entry 1 title 1: language is empty; use \"und\" when it is unknown"]),
        ValidationCase(
            name: "image fields empty or not positive",
            chapters: [
                chapter(
                    1, 0,
                    images: [
                        ChapterImage(category: "", pixelWidth: 0, pixelHeight: -1, url: ""),
                        ChapterImage(category: "thumbnail", pixelWidth: 1, pixelHeight: 1, url: "a.jpg"),
                    ])
            ],
            problems: [
                "entry 1 image 1: image-category is empty", "entry 1 image 1: url is empty",
                "entry 1 image 1: pixel-width 0 is not more than 0",
                "entry 1 image 1: pixel-height -1 is not more than 0",
            ]),
        ValidationCase(
            name: "metadata keys not reverse-DNS",
            chapters: [
                chapter(
                    1, 0,
                    metadata: [
                        ChapterMetadata(key: "sku", value: .bool(true)),
                        ChapterMetadata(key: "com..example", value: .bool(true)),
                        ChapterMetadata(key: "com.example.", value: .bool(true)),
                        ChapterMetadata(key: "com.exam ple", value: .bool(true)),
                        ChapterMetadata(key: "com.example.shop_1-a", value: .bool(true)),
                    ])
            ],
            problems: [
                "entry 1 metadata 1: key \"sku\" is not a reverse-DNS name",
                "entry 1 metadata 2: key \"com..example\" is not a reverse-DNS name",
                "entry 1 metadata 3: key \"com.example.\" is not a reverse-DNS name",
                "entry 1 metadata 4: key \"com.exam ple\" is not a reverse-DNS name",
            ]),
        ValidationCase(
            name: "metadata key and language not unique",
            chapters: [
                chapter(
                    1, 0,
                    metadata: [
                        ChapterMetadata(key: "com.example.a", value: .bool(true)),
                        ChapterMetadata(key: "com.example.a", value: .bool(true), language: "en"),
                        ChapterMetadata(key: "com.example.a", value: .bool(false), language: "en"),
                        ChapterMetadata(key: "com.example.a", value: .bool(false)),
                    ]),
                chapter(2, 1_000, metadata: [ChapterMetadata(key: "com.example.a", value: .bool(true))]),
            ],
            problems: [
                "entry 1 metadata 3: key \"com.example.a\" with language \"en\" appears twice in the chapter",
                "entry 1 metadata 4: key \"com.example.a\" with no language appears twice in the chapter",
            ]),
        ValidationCase(
            name: "metadata numbers that are not JSON numbers",
            chapters: [
                chapter(
                    1, 0,
                    metadata: ["89.", ".5", "+1", "01", "1e", "NaN", "", "1,5"].enumerated().map {
                        ChapterMetadata(key: "com.example.n\($0.offset)", value: .number($0.element))
                    })
            ],
            problems: ["89.", ".5", "+1", "01", "1e", "NaN", "", "1,5"].enumerated().map {
                "entry 1 metadata \($0.offset + 1): value \($0.element) is not a JSON number"
            }),
    ]

    @Test("validationProblems() reports each broken rule", arguments: validationCases)
    func validation(_ validationCase: ValidationCase) {
        #expect(ChapterDocument(chapters: validationCase.chapters).validationProblems() == validationCase.problems)
    }
}
