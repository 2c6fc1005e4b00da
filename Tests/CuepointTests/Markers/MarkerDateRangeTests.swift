import CuepointTestSupport
import CuepointJSON
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Markers as EXT-X-DATERANGE: no title can break a playlist, and the card keeps every title
/// exactly.
@Suite(.ownThreads) struct MarkerDateRangeTests {
    typealias Support = MarkerTestSupport

    static let className = "com.example.shop.product"

    /// The titles of the issue's bad-input list, and a few more.
    static let trickyTitles: [(name: String, title: String, attribute: String)] = [
        ("double quotes", #"Chef's Knife 8" — "Forged" Steel"#, "Chef's Knife 8' — 'Forged' Steel"),
        ("CR and LF", "Line one\r\nLine two\nthree\rfour", "Line one Line two three four"),
        ("tabs", "Tab\there\t\tand there", "Tab here and there"),
        ("backslashes", #"C:\new\table \" \\ \u0041"#, #"C:\new\table \' \\ \u0041"#),
        (
            "markup and ampersands", #"<b>Salt & Pepper</b> <script>alert("x")</script> &amp;"#,
            "<b>Salt & Pepper</b> <script>alert('x')</script> &amp;"
        ),
        ("Hebrew, right to left", "קרש חיתוך מעץ אלון", "קרש חיתוך מעץ אלון"),
        ("Hebrew mixed with numbers and quotes", #"מחבת "פרו" 28 ס״מ — ₪149.90"#, "מחבת 'פרו' 28 ס״מ — ₪149.90"),
        ("Arabic", "مقلاة من الحديد الزهر", "مقلاة من الحديد الزهر"),
        ("emoji with ZWJ", "Linen Apron 👩‍🍳 for Home Cooks 👨‍👩‍👧‍👦 🏳️‍🌈", "Linen Apron 👩‍🍳 for Home Cooks 👨‍👩‍👧‍👦 🏳️‍🌈"),
        ("bidi controls", "\u{202E}tcudorp\u{202C} \u{200F}x", "\u{202E}tcudorp\u{202C} \u{200F}x"),
        ("C0 and C1 controls", "a\u{0}b\u{1B}[31mc\u{7F}d\u{85}e\u{9F}", "a b [31mc d e "),
        ("decomposed accents", "Cafe\u{301} cre\u{300}me", "Café crème"),
        ("only a quote", "\"", "'"),
        ("a long title", String(repeating: "\"ab\" ", count: 40), String(repeating: "'ab' ", count: 40)),
    ]

    /// A playlist holding `ranges` on one segment with PROGRAM-DATE-TIME.
    static func playlist(_ ranges: [DateRange]) -> MediaPlaylist {
        MediaPlaylist(
            targetDuration: 6, playlistType: .vod, endList: true,
            segments: [
                MediaSegment(
                    uri: "seg_000001.ts", durationMilliseconds: 6_000, programDateTime: Support.recordingStart,
                    dateRanges: ranges),
                MediaSegment(uri: "seg_000002.ts", durationMilliseconds: 6_000),
            ])
    }

    static func attribute(_ name: String, of range: DateRange) -> AttributeValue? {
        range.clientAttributes.first { $0.name == name }?.value
    }

    /// The card of a date range, decoded by Foundation.
    static func card(of range: DateRange) throws -> [String: Any] {
        guard case .string(let text) = attribute(MarkerAttribute.card, of: range) else {
            throw CancellationError()
        }
        let bytes = try #require(MarkerText.bytes(fromBase64URL: text))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test(arguments: trickyTitles.indices)
    func trickyTitlesCannotBreakAPlaylist(index: Int) throws {
        let (name, title, attribute) = Self.trickyTitles[index]
        // Through the file format, as a user would write it.
        let line = Support.line(title: title)
        let (markers, problems) = MarkerFile.parse(line, source: "m.jsonl")
        #expect(problems.isEmpty, "\(name): \(problems)")
        let marker = try #require(markers.first?.marker)
        #expect(Support.sameScalars(marker.title, title), "\(name): decoded exactly")
        let placed = try MarkerValidator.place(marker, in: Support.context()).get()
        let range = placed.dateRange(className: Self.className, recordingStart: Support.recordingStart)
        #expect(range.validationProblems() == [], "\(name)")

        // The sanitized title: no `"`, CR, LF or control character; everything else kept (NFC).
        guard case .string(let sanitized) = Self.attribute(MarkerAttribute.title, of: range) else {
            Issue.record("\(name): no title attribute")
            return
        }
        #expect(Support.sameScalars(sanitized, attribute), "\(name): \(sanitized)")

        // Rendered and read back by the strict parser, unchanged.
        let playlist = Self.playlist([range])
        let text = playlist.render()
        let parsed = try MediaPlaylist(parsing: text)
        #expect(parsed == playlist, "\(name)")
        #expect(parsed.segments[0].dateRanges == [range])
        let tagLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("#EXT-X-DATERANGE:") })
        #expect(tagLine.filter { $0 == "\"" }.count % 2 == 0)
        #expect(!tagLine.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })

        // The card carries the exact original title.
        let card = try Self.card(of: parsed.segments[0].dateRanges[0])
        let decoded = try #require(card["title"] as? String)
        #expect(Support.sameScalars(decoded, title), "\(name): card title")
    }

    @Test func attributesInOrder() throws {
        let line =
            #"{"id":"p-0001","product":"SKU \"8\"","title":"Mug","url":"https://shop.example/mug?a=1&b=2","#
            + #""price":24.50,"currency":"USD","image":"https://shop.example/mug.jpg","attributes":{"color":"blue"},"#
            + #""start":4.2,"duration":171.4}"#
        let marker = try #require(Support.marker(line))
        let placed = try MarkerValidator.place(marker, in: Support.context(durationMilliseconds: nil)).get()
        let range = placed.dateRange(className: Self.className, recordingStart: Support.recordingStart)
        #expect(range.id == "p-0001")
        #expect(range.classAttribute == Self.className)
        #expect(range.startDate == WallClockTime(iso8601: "2025-03-14T18:00:04.200Z"))
        #expect(range.durationMilliseconds == 171_400)
        #expect(range.endDate == nil && range.plannedDurationMilliseconds == nil && !range.endOnNext)
        #expect(
            range.clientAttributes.map(\.name) == [
                "X-COM-CUEPOINT-PRODUCT", "X-COM-CUEPOINT-TITLE", "X-COM-CUEPOINT-URL", "X-COM-CUEPOINT-PRICE",
                "X-COM-CUEPOINT-CURRENCY", "X-COM-CUEPOINT-CARD",
            ])
        #expect(Self.attribute(MarkerAttribute.product, of: range) == .string("SKU '8'"))
        #expect(Self.attribute(MarkerAttribute.url, of: range) == .string("https://shop.example/mug?a=1&b=2"))
        #expect(Self.attribute(MarkerAttribute.price, of: range) == .number("24.50"))
        #expect(Self.attribute(MarkerAttribute.currency, of: range) == .string("USD"))
        let card = JSONWriter.compact(.object(marker.cardMembers()), sortedKeys: true)
        #expect(
            card
                == #"{"attributes":{"color":"blue"},"currency":"USD","id":"p-0001","#
                + #""image":"https://shop.example/mug.jpg","#
                + #""price":24.50,"product":"SKU \"8\"","title":"Mug","url":"https://shop.example/mug?a=1&b=2"}"#)
        #expect(placed.cardJSON == Array(card.utf8))
        #expect(Self.attribute(MarkerAttribute.card, of: range) == .string(MarkerText.base64URL(Array(card.utf8))))
        #expect(
            !placed.cardBase64URL.contains("=") && !placed.cardBase64URL.contains("+")
                && !placed.cardBase64URL.contains("/"))

        let text = Self.playlist([range]).render()
        #expect(
            text.contains(
                #"#EXT-X-DATERANGE:ID="p-0001",CLASS="com.example.shop.product",START-DATE="2025-03-14T18:00:04.200Z","#
                    + #"DURATION=171.400,X-COM-CUEPOINT-PRODUCT="SKU '8'",X-COM-CUEPOINT-TITLE="Mug","#
                    + #"X-COM-CUEPOINT-URL="https://shop.example/mug?a=1&b=2",X-COM-CUEPOINT-PRICE=24.50,"#
                    + #"X-COM-CUEPOINT-CURRENCY="USD",X-COM-CUEPOINT-CARD=""# + placed.cardBase64URL + "\"\n"))
    }

    @Test func optionalAttributesAreLeftOut() throws {
        let marker = try #require(Support.marker(#"{"id":"a","title":"t","url":"https://s.example","start":1}"#))
        let range = try MarkerValidator.place(marker, in: Support.context()).get()
            .dateRange(className: MarkersSpec.defaultClassName, recordingStart: Support.recordingStart)
        #expect(
            range.clientAttributes.map(\.name) == [
                MarkerAttribute.product, MarkerAttribute.title, MarkerAttribute.url, MarkerAttribute.card,
            ])
        #expect(range.durationMilliseconds == nil)
        #expect(try Self.card(of: range).keys.sorted() == ["id", "product", "title", "url"])
    }

    /// An open marker, then the same ID with DURATION: identical attributes, never END-ON-NEXT.
    @Test func openMarkerClosedLater() throws {
        let marker = try #require(
            Support.marker(
                #"{"id":"p-7","title":"Pan \"Pro\"","url":"https://s.example","start":"now"}"#, allowNow: true))
        let open = try MarkerValidator.place(marker, in: Support.context(durationMilliseconds: nil, nowOffset: 4_200))
            .get()
        let opening = open.dateRange(className: Self.className, recordingStart: Support.recordingStart)
        #expect(opening.durationMilliseconds == nil)
        let closing = open.closingDateRange(
            className: Self.className, recordingStart: Support.recordingStart, durationMilliseconds: 12_500)
        #expect(closing.id == opening.id)
        #expect(closing.classAttribute == opening.classAttribute)
        #expect(closing.startDate == opening.startDate)
        #expect(closing.clientAttributes == opening.clientAttributes)
        #expect(closing.durationMilliseconds == 12_500)
        #expect(!opening.endOnNext && !closing.endOnNext)
        #expect(closing.validationProblems() == [])

        var playlist = Self.playlist([opening])
        playlist.segments[1].dateRanges = [closing]
        let text = playlist.render()
        #expect(try MediaPlaylist(parsing: text) == playlist)
        let tags = text.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-DATERANGE:") }
        #expect(tags.count == 2)
        let withDuration = tags[0].replacingOccurrences(
            of: "Z\",X-COM-CUEPOINT-PRODUCT", with: "Z\",DURATION=12.500,X-COM-CUEPOINT-PRODUCT")
        #expect(tags[1] == withDuration)
    }

    @Test func theSampleProductsMakeAValidPlaylist() throws {
        let (markers, problems) = MarkerFile.load(path: Support.productsPath)
        #expect(problems.isEmpty)
        var context = Support.context()
        let placed = MarkerValidator.place(markers, source: "products.jsonl", in: &context).markers
        #expect(placed.count == 6)
        var playlist = MediaPlaylist(targetDuration: 4, playlistType: .vod, endList: true)
        for index in 0..<5 {
            let start = Int64(index) * 4_000
            playlist.segments.append(
                MediaSegment(
                    uri: "seg_\(index).ts", durationMilliseconds: 4_000,
                    programDateTime: Support.recordingStart.advanced(by: .milliseconds(start)),
                    dateRanges: placed.filter { $0.startMilliseconds / 4_000 == Int64(index) }
                        .map { $0.dateRange(className: Self.className, recordingStart: Support.recordingStart) }))
        }
        let parsed = try MediaPlaylist(parsing: playlist.render())
        let ranges = parsed.segments.flatMap(\.dateRanges)
        #expect(ranges.map(\.id) == ["p-0001", "p-0002", "p-0003", "p-0004", "p-0005", "p-0006"])
        for (range, original) in zip(ranges, markers.map(\.marker)) {
            let card = try Self.card(of: range)
            #expect(card["title"] as? String == original.title)
            #expect(Support.sameScalars(card["title"] as? String ?? "", original.title))
            #expect(card["product"] as? String == original.product)
            #expect(card["url"] as? String == original.url)
        }
        // START-DATE falls in the segment that holds the marker's media time.
        for segment in parsed.segments {
            let start = try #require(segment.programDateTime)
            for range in segment.dateRanges {
                #expect(range.startDate >= start)
                #expect(range.startDate < start.advanced(by: .milliseconds(segment.durationMilliseconds)))
            }
        }
    }

    @Test func quotedStringSafety() {
        #expect(MarkerText.quotedStringSafe("") == "-")
        #expect(MarkerText.quotedStringSafe("\r\n\t") == " ")
        #expect(MarkerText.quotedStringSafe("a\r\n\r\nb") == "a b")
        #expect(MarkerText.quotedStringSafe("\"\"") == "''")
        #expect(MarkerText.quotedStringSafe("a < b & c \\ d") == "a < b & c \\ d")
    }

    @Test func base64URL() {
        #expect(MarkerText.base64URL(Array("{\"t\":\"Mug\"}".utf8)) == "eyJ0IjoiTXVnIn0")
        #expect(MarkerText.base64URL([0xFB, 0xFF]) == "-_8")
        #expect(MarkerText.bytes(fromBase64URL: "-_8") == [0xFB, 0xFF])
        #expect(MarkerText.bytes(fromBase64URL: "eyJ0IjoiTXVnIn0") == Array("{\"t\":\"Mug\"}".utf8))
        #expect(MarkerText.bytes(fromBase64URL: "a+b") == nil)
    }
}
