import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// The `markers:` section: defaults, sources, and inline markers checked by the marker decoder
/// with their problems placed at the field in the pipeline file.
@Suite(.ownThreads) struct PipelineMarkersTests {
    typealias Support = PipelineTestSupport

    static let head = "version: 1\nname: x\ninput: {url: a.mp4}\n"

    @Test func aFullSection() throws {
        let text =
            Self.head + """
                markers:
                  class: com.example.product
                  align: true
                  carry: [id3]
                  from:
                    - file: SampleMedia/products.jsonl
                    - list:
                        - { id: p-1, title: Mug, url: "https://shop.example/mug", start: 4.2, duration: 10 }
                    - file: more.jsonl
                """
        let markers = try #require(Support.decode(text)?.markers)
        #expect(markers.className == "com.example.product")
        #expect(markers.align)
        #expect(markers.carry == [.id3])
        #expect(markers.files == ["SampleMedia/products.jsonl", "more.jsonl"])
        // The same marker as the JSON line with the same fields.
        let line = #"{"id":"p-1","title":"Mug","url":"https://shop.example/mug","start":4.2,"duration":10}"#
        #expect(markers.inline == MarkerFile.parse(line, source: "l.jsonl").markers.map(\.marker))
    }

    @Test func defaults() {
        #expect(Support.decode(Self.head)?.markers == nil)
        #expect(Support.decode(Self.head + "markers:\n")?.markers == nil)
        #expect(
            Support.decode(Self.head + "markers: {}\n")?.markers
                == MarkersSpec(className: "com.cuepoint.product", align: false, carry: [.daterange, .id3]))
    }

    @Test func yamlScalarsTakeTheTypeTheFieldWants() throws {
        let text =
            Self.head + """
                markers:
                  from:
                    - list:
                        - id: 0001
                          product: 12345
                          title: 2025
                          url: https://shop.example/p?a=1&b=2
                          price: 24.50
                          start: 2025-03-14T18:00:04Z
                          end: "2025-03-14T18:00:09.5Z"
                          attributes: { color: blue, size: "42" }
                        - { title: 'Quoted "double"', url: "https://s.example", start: "4.2", duration: 1m }
                        - title: |
                            Two
                            lines
                          url: https://s.example
                          start: 12.5s
                """
        let inline = try #require(Support.decode(text)?.markers?.inline)
        #expect(inline.count == 3)
        #expect(inline[0].id == "0001")
        #expect(inline[0].product == "12345")
        #expect(inline[0].title == "2025")
        #expect(inline[0].url == "https://shop.example/p?a=1&b=2")
        #expect(inline[0].price == "24.50")
        #expect(inline[0].start == .date(WallClockTime(iso8601: "2025-03-14T18:00:04Z")!))
        #expect(inline[0].end == .time(.date(WallClockTime(iso8601: "2025-03-14T18:00:09.500Z")!)))
        #expect(inline[0].attributes == ["color": "blue", "size": "42"])
        #expect(inline[1].title == #"Quoted "double""#)
        #expect(inline[1].start == .offset(milliseconds: 4_200))
        #expect(inline[1].end == .duration(milliseconds: 60_000))
        #expect(Marker.isGeneratedID(inline[1].id))
        #expect(inline[2].title == "Two\nlines\n")
        #expect(inline[2].start == .offset(milliseconds: 12_500))
    }

    @Test func environmentVariablesExpandInMarkers() throws {
        let text =
            Self.head
            + "markers:\n  from:\n    - list:\n        - { title: \"${TITLE}\", url: \"${SHOP}/mug\", start: 1 }\n"
        let markers = try #require(
            Support.decode(text, environment: ["TITLE": "Mug", "SHOP": "https://shop.example"])?.markers)
        #expect(markers.inline.first?.url == "https://shop.example/mug")
        #expect(
            Support.lines(text) == [
                "p.yaml:7:20: markers.from[0].list[0].title: environment variable `TITLE` is not set; set it, or give "
                    + "a default with `${TITLE:-default}`",
                "p.yaml:7:37: markers.from[0].list[0].url: environment variable `SHOP` is not set; set it, or give a "
                    + "default with `${SHOP:-default}`",
            ])
    }

    @Test func inlineProblemsPointAtTheField() {
        let text =
            Self.head + """
                markers:
                  from:
                    - list:
                        - id: p-1
                          tilte: Mug
                          url: ftp://shop.example/mug
                          price: abc
                          start: -1
                          attributes: { Color: blue, size: [1] }
                        - { id: p-2, title: Pan, url: "https://s.example", start: 1, duration: 2, end: 4 }
                        - plain
                """
        #expect(
            Support.lines(text) == [
                "p.yaml:7:11: markers.from[0].list[0].title: required field is missing",
                "p.yaml:8:11: markers.from[0].list[0].tilte: unknown field; did you mean `title`?",
                "p.yaml:9:16: markers.from[0].list[0].url: expected an http or https URL such as "
                    + "\"https://shop.example/p/1\", got \"ftp://shop.example/mug\"",
                "p.yaml:10:18: markers.from[0].list[0].price: expected a number ≥ 0, got \"abc\"",
                "p.yaml:11:18: markers.from[0].list[0].start: expected a number of seconds ≥ 0, got -1",
                "p.yaml:12:25: markers.from[0].list[0].attributes.Color: expected a key of 1 to 32 lowercase letters, "
                    + "digits, \"_\" and \"-\"; did you mean `color`?",
                "p.yaml:12:44: markers.from[0].list[0].attributes.size: expected a string, got a list",
                "p.yaml:13:88: markers.from[0].list[1].end: give either \"duration\" or \"end\", not both",
                "p.yaml:14:11: markers.from[0].list[2]: expected a mapping of marker fields (`title`, `url`, `start`, "
                    + "…), got \"plain\"",
            ])
    }

    @Test func duplicateIDsAcrossLists() {
        let text =
            Self.head + """
                markers:
                  from:
                    - list: [{ id: a, title: A, url: "https://s.example", start: 1 }]
                    - list: [{ id: a, title: B, url: "https://s.example", start: 2 }]
                """
        #expect(
            Support.lines(text) == [
                "p.yaml:7:20: markers.from[1].list[0].id: `a` is already the id of markers.from[0].list[0]"
            ])
    }

    @Test func sectionProblems() {
        let text =
            Self.head + """
                markers:
                  class: Product
                  align: "yes"
                  carry: [daterange, id4, daterange]
                  from:
                    - files: a.jsonl
                    - file: ""
                    - file:
                    - list: { id: a }
                    - api: { token_env: TOKEN }
                  clas: x
                """
        #expect(
            Support.lines(text) == [
                "p.yaml:5:10: markers.class: expected a reverse-DNS name such as `com.example.shop.product` (labels "
                    + "of letters, digits and `-`, separated by dots), got \"Product\"",
                "p.yaml:6:10: markers.align: expected true or false, got the string \"yes\"; remove the quotes",
                "p.yaml:7:22: markers.carry[1]: expected `daterange` or `id3`, got \"id4\"; did you mean `id3`?",
                "p.yaml:7:27: markers.carry[2]: `daterange` is listed twice",
                "p.yaml:9:7: markers.from[0].files: unknown key; did you mean `file`?",
                "p.yaml:9:7: markers.from[0]: expected `file: PATH.jsonl` or `list: [markers]`",
                "p.yaml:10:13: markers.from[1].file: must not be empty",
                "p.yaml:11:7: markers.from[2].file: required key has no value",
                "p.yaml:12:13: markers.from[3].list: expected a list of markers, got a mapping",
                "p.yaml:13:7: markers.from[4].api: `api` (the HTTP marker API) is not supported by this version of "
                    + "cuepoint",
                "p.yaml:14:3: markers.clas: unknown key; did you mean `class`?",
            ])
        #expect(
            Support.lines(Self.head + "markers:\n  carry: []\n  from: a.jsonl\n") == [
                "p.yaml:5:10: markers.carry: must name at least one carriage: `daterange`, `id3` or both",
                "p.yaml:6:9: markers.from: expected a list of sources such as `- file: products.jsonl`, "
                    + "got \"a.jsonl\"",
            ])
        #expect(
            Support.lines(Self.head + "markers: [a]\n") == ["p.yaml:4:10: markers: expected a mapping, got a list"])
    }

    @Test func anchorsAndAliasesAreResolvedByYAML() {
        let text =
            Self.head
            + "markers:\n  from:\n    - list:\n"
            + "        - { id: a, title: &t Mug, url: \"https://s.example\", start: 1 }\n"
            + "        - { id: b, title: *t, url: \"https://s.example\", start: 2 }\n"
        #expect(Support.decode(text)?.markers?.inline.map(\.title) == ["Mug", "Mug"])
    }
}
