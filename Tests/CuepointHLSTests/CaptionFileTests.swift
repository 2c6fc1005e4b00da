import CuepointTestSupport
import CuepointHLS
import Testing

@Suite(.ownThreads) struct CaptionFileTests {
    func read(_ text: String) -> CaptionFile.Reading { CaptionFile.read(bytes: Array(text.utf8)) }

    func spans(_ reading: CaptionFile.Reading) -> [String] {
        reading.document.cues.map { "\($0.startMilliseconds)-\($0.endMilliseconds) \($0.text)" }
    }

    @Test func webVTTIsReadAsWritten() {
        let reading = read(
            lines(
                "WEBVTT - spring sale", "", "NOTE a comment", "", "STYLE", "::cue { color: yellow }", "",
                "intro", "00:00:00.500 --> 00:00:03.500 line:85% align:center", "Welcome to the <i>sale</i>!",
                "Two lines &amp; more", "", "01:02.000 --> 01:04.000", "ﬁn"))
        #expect(reading.format == .webVTT)
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        #expect(spans(reading) == ["500-3500 Welcome to the <i>sale</i>!\nTwo lines &amp; more", "62000-64000 ﬁn"])
        #expect(reading.document.cues[0].identifier == "intro")
        #expect(reading.document.cues[0].settings == "line:85% align:center")
    }

    @Test func subRipWithCRLFAndTagsBecomesWebVTTText() {
        let text =
            "1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color=\"red\">Sel</font> & <b>poivre</b> <3\r\n\r\n"
            + "2\r\n00:00:03,000 --> 00:00:04,000\r\n{\\an8}En haut\r\n"
        let reading = read(text)
        #expect(reading.format == .subRip)
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        #expect(spans(reading) == ["1000-2500 Sel &amp; <b>poivre</b> &lt;3", "3000-4000 En haut"])
        #expect(reading.document.cues.allSatisfy { $0.identifier == nil })
    }

    @Test func aByteOrderMarkIsAllowed() {
        let reading = CaptionFile.read(bytes: [0xEF, 0xBB, 0xBF] + Array("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n".utf8))
        #expect(reading.format == .webVTT && reading.document.cues.count == 1 && reading.problems.isEmpty)
    }

    @Test func badTimingsAreReportedByLineAndTheOtherCuesKept() {
        let reading = read(
            lines(
                "1", "00:00:01,000 --> 00:00:02,000", "first", "",
                "2", "00:00:3,000 --> 00:00:04,000", "malformed start", "",
                "3", "00:00:06,000 --> 00:00:05,000", "ends before it starts", "",
                "4", "00:00:00,500 --> 00:00:00,900", "out of order", "",
                "5", "00:00:07,000 --> 00:00:09,000", "fifth", "",
                "6", "00:00:08,000 --> 00:00:10,000", "overlaps the fifth", "",
                "seven", "00:00:11,000 --> 00:00:12,000", "not numbered"))
        #expect(spans(reading) == ["1000-2000 first", "7000-8000 fifth", "8000-10000 overlaps the fifth", "11000-12000 not numbered"])
        #expect(reading.problems.map(\.line) == [6, 10, 14, 22, 25])
        #expect(reading.problems[0].message.contains("\"00:00:3,000 --> 00:00:04,000\" is not a timing line"))
        #expect(reading.problems[0].message.hasSuffix("the cue is left out"))
        #expect(reading.problems[1].message.contains("ends (00:00:05.000) before it starts (00:00:06.000)"))
        #expect(reading.problems[2].message.contains("before the previous cue (line 2)") && reading.problems[2].message.contains("in order"))
        #expect(reading.problems[3].message.contains("before the previous cue (line 18) ends at 00:00:09.000"))
        #expect(reading.problems[3].message.contains("the previous cue now ends at 00:00:08.000"))
        #expect(reading.problems[4].message.contains("expected a cue number before the timing line, got \"seven\""))
        #expect(reading.problems[0].description.hasPrefix("6: "))
    }

    @Test func aLineThatIsNotUTF8LosesOnlyItsCue() {
        var bytes = Array("WEBVTT\n\n00:01.000 --> 00:02.000\nCaf".utf8) + [0xE9] + Array("\n\n00:03.000 --> 00:04.000\nok\n".utf8)
        let reading = CaptionFile.read(bytes: bytes)
        #expect(spans(reading) == ["3000-4000 ok"])
        #expect(reading.problems.count == 1)
        #expect(reading.problems.first?.line == 4)
        #expect(reading.problems.first?.message.contains("not UTF-8 (byte 0xE9 at byte 4 of the line)") == true)
        #expect(reading.problems.first?.message.contains("save the file as UTF-8") == true)
        // A control character is reported the same way.
        bytes = Array("WEBVTT\n\n00:01.000 --> 00:02.000\nbell\u{07}\n".utf8)
        #expect(CaptionFile.read(bytes: bytes).problems.first?.message.contains("control character U+7 at column 5") == true)
    }

    @Test func utf16IsRefusedAsAWhole() {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("WEBVTT".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let reading = CaptionFile.read(bytes: utf16)
        #expect(reading.format == nil && reading.document.cues.isEmpty)
        #expect(reading.problems == [CaptionProblem(line: 1, message: "the file is UTF-16, not UTF-8; save it as UTF-8")])
        #expect(CaptionFile.read(bytes: Array("W\0E\0".utf8)).format == nil, "NUL bytes without a byte order mark")
    }

    @Test func otherFilesAreRefused() {
        #expect(read("").problems == [CaptionProblem(line: 1, message: "the file is empty")])
        let reading = read(lines("", "Hello there", "00:01 -> 00:02"))
        #expect(reading.format == nil)
        #expect(reading.problems.first?.line == 2)
        #expect(reading.problems.first?.message.contains("neither WebVTT") == true)
    }

    @Test func cueTextWithAnArrowIsLeftOut() {
        let reading = read(lines("WEBVTT", "", "00:01.000 --> 00:02.000", "a", "00:03.000 --> 00:04.000", "b"))
        #expect(reading.document.cues.isEmpty)
        #expect(reading.problems.first?.line == 5)
        #expect(reading.problems.first?.message.contains("missing blank line") == true)
    }
}
