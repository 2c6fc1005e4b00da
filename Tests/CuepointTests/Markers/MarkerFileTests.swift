import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// JSON-lines files: bad lines are reported with their number and the others are still used.
@Suite(.ownThreads) struct MarkerFileTests {
    typealias Support = MarkerTestSupport

    @Test func malformedLinesAreReportedAndTheOthersUsed() {
        let text = """
            {"id":"p-1","title":"One","url":"https://s.example/1","start":1}
            {"id":"p-2","title":"Two","url":"https://s.example/2","start":2

            {"id":"p-3","title":"Three","url":"https://s.example/3","start":3}
            not json at all
            {"id":"p-4","title":"Four","url":"https://s.example/4","start":4,}
            {"id":"p-5","title":"Five","url":"https://s.example/5","start":5}
            """
        let (markers, problems) = MarkerFile.parse(text, source: "products.jsonl")
        #expect(markers.map(\.line) == [1, 4, 7])
        #expect(markers.map(\.marker.id) == ["p-1", "p-3", "p-5"])
        #expect(
            problems.map(\.description) == [
                "products.jsonl:2: malformed JSON at column 64: expected `,` or `}`, found the end of the text",
                "products.jsonl:5: malformed JSON at column 1: expected a value, found `n`",
                "products.jsonl:6: malformed JSON at column 66: expected a field name in double quotes, found `}`",
            ])
        #expect(problems.map(\.line) == [2, 5, 6])
        #expect(problems.allSatisfy { $0.id == nil && $0.field == nil })
    }

    @Test func everyLineIsCheckedOnItsOwn() {
        let text = """
            {"id":"p-1","title":"One","url":"https://s.example/1","start":1,"price":"abc"}
            {"id":"p-2","tilte":"Two","url":"https://s.example/2","start":2}
            {"id":"p-3","title":"Three","url":"https://s.example/3","start":3}
            """
        let (markers, problems) = MarkerFile.parse(text, source: "products.jsonl")
        #expect(markers.map(\.marker.id) == ["p-3"])
        #expect(
            problems.map(\.description) == [
                #"products.jsonl:1: "price": expected a number ≥ 0, got "abc""#,
                #"products.jsonl:2: "tilte": unknown field; did you mean `title`?"#,
                #"products.jsonl:2: "title": required field is missing"#,
            ])
        #expect(problems.map(\.id) == ["p-1", "p-2", "p-2"])
    }

    @Test func duplicateIDsAreReportedAtTheSecondLine() {
        let text = """
            {"id":"p-1","title":"One","url":"https://s.example/1","start":1}
            {"id":"p-2","title":"Two","url":"https://s.example/2","start":2}
            {"id":"p-1","title":"Again","url":"https://s.example/1","start":9}
            """
        let (markers, problems) = MarkerFile.parse(text, source: "products.jsonl")
        #expect(markers.map(\.marker.title) == ["One", "Two"])
        #expect(problems.map(\.description) == [#"products.jsonl:3: "id": "p-1" is already the id of line 1"#])
    }

    @Test func oversizeLinesAreRejectedUnread() {
        let padding = String(repeating: "x", count: 4_000)
        let big = #"{"id":"big","title":"\#(padding)","url":"https://s.example","start":1,"product":"\#(padding)"}"#
        let exact = #"{"id":"ok","title":"t","url":"https://s.example","start":1,"attributes":{"p":""#
        let fitting = exact + String(repeating: "y", count: 4_096 - exact.utf8.count - 3) + "\"}}"
        #expect(fitting.utf8.count == 4_096)
        let (markers, problems) = MarkerFile.parse(big + "\n" + fitting + "\n", source: "m.jsonl")
        #expect(markers.map(\.marker.id) == ["ok"])
        #expect(problems.map(\.description) == ["m.jsonl:1: the line is 8072 bytes; a marker takes at most 4096"])
        // Bytes, not characters: 1,400 three-byte characters are 4,200 bytes.
        let wide =
            #"{"id":"w","title":"t","url":"https://s.example","start":1,"attributes":{"a":""#
            + String(repeating: "€", count: 1_400) + #""}}"#
        #expect(Support.problems(wide).first?.hasPrefix("m.jsonl:1: the line is 42") == true)
    }

    @Test func lineEndingsBlankLinesAndByteOrderMark() {
        let text =
            "\u{FEFF}{\"id\":\"a\",\"title\":\"t\",\"url\":\"https://s.example\",\"start\":1}\r\n\r\n  \t\r\n"
            + "{\"id\":\"b\",\"title\":\"t\",\"url\":\"https://s.example\",\"start\":2}\r\n"
        let (markers, problems) = MarkerFile.parse(text, source: "m.jsonl")
        #expect(problems.isEmpty)
        #expect(markers.map(\.line) == [1, 4])
        #expect(MarkerFile.lines(of: "a\nb\n").count == 2)
        #expect(MarkerFile.lines(of: "a\nb").count == 2)
        #expect(MarkerFile.lines(of: "").isEmpty)
        // A comment is not JSON lines.
        #expect(
            Support.problems("# products") == ["m.jsonl:1: malformed JSON at column 1: expected a value, found `#`"])
    }

    @Test func loadReportsFileProblems() throws {
        let missing = "/nonexistent-\(UUID())/products.jsonl"
        #expect(MarkerFile.load(path: missing).problems.map(\.description) == ["\(missing): no such file"])
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("bad.jsonl")
        // A line that is not UTF-8 is reported with its number; the other lines are still used.
        let good = #"{"id":"ok","title":"Fine","url":"https://shop.example/ok","start":1}"#
        try (Data(good.utf8) + Data([0x0A, 0x7B, 0xFF, 0xFE, 0x0A])).write(to: binary)
        let loaded = MarkerFile.load(path: binary.path)
        #expect(loaded.problems.map(\.description) == ["\(binary.path):2: is not UTF-8 text"])
        #expect(loaded.markers.map(\.marker.id) == ["ok"])
    }

    /// The JSON Schema's marker (`markers.from[].list[]`) describes the file format too.
    @Test(.enabled(if: PipelineExamplesTests.hasSchemaValidator, "needs python3 with PyYAML and jsonschema"))
    func theSampleProductsMatchTheSchema() throws {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            marker = schema["properties"]["markers"]["properties"]["from"]["items"]["properties"]["list"]["items"]
            validator = jsonschema.Draft202012Validator(marker)
            failed = 0
            for number, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
                for error in validator.iter_errors(json.loads(line)):
                    failed += 1
                    print(f"{number}: {error.message}")
            bad = {"id": "p 1", "title": "", "url": "ftp://x", "start": -1, "duration": 1, "end": 2, "x": 1}
            print(len(list(validator.iter_errors(bad))), "errors in a bad marker")
            sys.exit(1 if failed else 0)
            """
        let schema = PipelineTestSupport.pipelinesDirectory.appendingPathComponent("cuepoint-pipeline.schema.json").path
        let result = try #require(PipelineExamplesTests.python(["-c", script, schema, Support.productsPath]))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("6 errors in a bad marker"), "\(result.output)")
    }

    @Test func theSampleProductsAreValid() throws {
        let (markers, problems) = MarkerFile.load(path: Support.productsPath)
        #expect(problems.isEmpty, "\(problems)")
        #expect(markers.map(\.marker.id) == ["p-0001", "p-0002", "p-0003", "p-0004", "p-0005", "p-0006"])
        #expect(markers[0].marker.title == "Chef's Knife 8\" — Forged Steel")
        #expect(markers[0].marker.price == "89.0")
        #expect(markers[1].marker.start == .offset(milliseconds: 4_000))
        #expect(markers[2].marker.title == "קרש חיתוך מעץ אלון")
        #expect(markers[3].marker.title == "Linen Apron 👩‍🍳 for Home Cooks")
        var context = Support.context()
        let (placed, placementProblems) = MarkerValidator.place(markers, source: "products.jsonl", in: &context)
        #expect(placementProblems.isEmpty, "\(placementProblems)")
        #expect(placed.map(\.startMilliseconds) == [1_500, 4_000, 7_250, 12_500, 15_000, 17_800])
        #expect(placed.map(\.durationMilliseconds) == [4_000, 3_500, 5_000, 4_000, 2_500, 2_000])
    }
}
