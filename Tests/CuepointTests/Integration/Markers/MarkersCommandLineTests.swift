import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration.ProductMarkers {
    /// Markers through the `cuepoint` binary: bad marker files on `segment --markers`, and
    /// `cuepoint markers list|add|close` on a finished recording.
    @Suite("Markers through the command line", .ownThreads)
    struct CommandLine {
        /// Good lines whose titles hold everything a quoted-string cannot, or that is easy to break.
        static let goodLines: [(line: String, title: String)] = [
            (
                #"{"id":"g-quotes","title":"Chef's \"Pro\" Knife","url":"https://shop.example/p/1","price":24.50,"currency":"USD","start":1,"duration":2}"#,
                #"Chef's "Pro" Knife"#
            ),
            (
                #"{"id":"g-crlf","title":"Line one\r\nLine two\rthree\nfour","url":"https://shop.example/p/2","start":"3s","duration":1}"#,
                "Line one\r\nLine two\rthree\nfour"
            ),
            (
                #"{"id":"g-tab","title":"Tab\there and back\\slash \\\" end","url":"https://shop.example/p/3","start":5.5}"#,
                "Tab\there and back\\slash \\\" end"
            ),
            (
                #"{"id":"g-markup","title":"<b>Bold</b> & <i>more</i> &amp;","url":"https://shop.example/p/4?a=1&b=2","start":9,"end":"11s"}"#,
                "<b>Bold</b> & <i>more</i> &amp;"
            ),
            (
                #"{"id":"g-rtl","product":"SKU-RTL","title":"קרש חיתוך \u05D0 مرحبا 👩‍🍳👨‍👩‍👧 e\u0301","url":"https://shop.example.co.il/p/5","price":"149.90","currency":"ILS","start":14,"duration":3}"#,
                "קרש חיתוך \u{05D0} مرحبا 👩‍🍳👨‍👩‍👧 e\u{0301}"
            ),
        ]

        /// Bad lines, each with one problem, and a text its warning must contain.
        static func badLines() -> [(line: String, mentions: String)] {
            [
                (#"{"id":"b-json","title":"Broken","url":"https://shop.example/p/x","start":2,"#, "malformed JSON"),
                (#"{"id":"g-quotes","title":"Again","url":"https://shop.example/p/x","start":2}"#, "g-quotes"),
                (
                    #"{"id":"b-unknown","title":"Pan","url":"https://shop.example/p/x","start":2,"durration":3}"#,
                    "`duration`"
                ),
                (#"{"id":"b-notitle","url":"https://shop.example/p/x","start":2}"#, "title"),
                (#"{"id":"b-early","title":"Early","url":"https://shop.example/p/x","start":-1}"#, "start"),
                (#"{"id":"b-late","title":"Late","url":"https://shop.example/p/x","start":25}"#, "start"),
                (sized(id: "b-4097", bytes: 4_097), "4096"),
            ]
        }

        /// A valid marker line of exactly `bytes` bytes (an attribute padded with `y`).
        static func sized(id: String, bytes: Int) -> String {
            let head =
                #"{"id":""# + id
                + #"","title":"Max size","url":"https://shop.example/p/m","start":2,"attributes":{"note":""#
            let tail = #""}}"#
            return head + String(repeating: "y", count: bytes - head.utf8.count - tail.utf8.count) + tail
        }

        @Test(
            "bad lines in --markers: one warning each with file and line; the good markers intact; the playlist strict")
        func badMarkerLines() async throws {
            try await TemporaryDirectory.with(label: "markers-cli-bad") { folder in
                // Good and bad lines interleaved, a blank line and CRLF endings on some.
                var lines: [String] = []
                var badAt: [(number: Int, mentions: String)] = []
                let bad = Self.badLines()
                for index in 0..<max(Self.goodLines.count, bad.count) {
                    if index < Self.goodLines.count { lines.append(Self.goodLines[index].line) }
                    if index < bad.count {
                        lines.append(bad[index].line)
                        badAt.append((lines.count, bad[index].mentions))
                    }
                }
                lines.insert("", at: 2)
                lines.append(Self.sized(id: "g-4096", bytes: 4_096))  // the largest allowed line
                badAt = badAt.map { $0.number >= 3 ? ($0.number + 1, $0.mentions) : $0 }
                let file = folder.appendingPathComponent("products with space.jsonl")
                let text = lines.enumerated().map { $0.offset % 3 == 0 ? $0.element + "\r\n" : $0.element + "\n" }
                    .joined()
                try Data(text.utf8).write(to: file)

                let output = folder.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", SampleInput.mp4.path, "-o", output.path, "--markers", file.path,
                ])
                #expect(result.status == 0, "\(result)")
                #expect(result.errorLines.isEmpty, "\(result)")
                // One warning per bad line, naming the file and the line.
                #expect(result.warningLines.count == badAt.count, "one warning per bad line:\n\(result.stderr)")
                for (number, mentions) in badAt {
                    let matching = result.warningLines.filter { $0.contains("\(file.path):\(number):") }
                    #expect(matching.count == 1, "line \(number): \(matching.count) warnings:\n\(result.stderr)")
                    #expect(
                        matching.first?.contains(mentions) == true,
                        "line \(number)'s warning should mention \(mentions): \(matching)")
                }
                let unknown = result.warningLines.first { $0.contains("durration") }
                #expect(
                    unknown?.contains("did you mean `duration`?") == true,
                    "the unknown field gets a suggestion: \(unknown ?? "none")")

                // The good markers, all of them, and nothing else.
                let expected = try (Self.goodLines.map(\.line) + [Self.sized(id: "g-4096", bytes: 4_096)]).map {
                    try ExpectedMarker.parse(line: $0)
                }
                for (marker, good) in zip(expected, Self.goodLines) {
                    #expect(sameScalars(marker.title, good.title), "the test's own reading of \(marker.id)")
                }
                let recording = try verifyRecording(directory: output, container: .ts)
                let rendition = recording.rendition
                expectRoundTrip(rendition.text, "index.m3u8")
                let start = try #require(rendition.playlist.segments.first?.programDateTime)
                expectDateRanges(
                    in: rendition.playlist, name: "index.m3u8", describe: expected,
                    className: MarkersSpec.defaultClassName,
                    recordingStart: start)
                // Nothing in a title can break a line of the playlist.
                for line in dateRangeLines(rendition.text) {
                    #expect(!line.contains("\r") && !line.contains("\t"), "a control character in \(line)")
                }
                let events = try MarkerLogEvent.read(output)
                #expect(
                    events.filter { $0.event == "add" }.compactMap(\.id).sorted() == expected.map(\.id).sorted(),
                    "markers.jsonl holds the good markers only")
                // Markers without an end are closed with the recording, in the log as in the playlist.
                #expect(
                    events.filter { $0.event == "close" }.compactMap(\.id).sorted()
                        == expected.filter { $0.durationMilliseconds == nil }.map(\.id).sorted())
            }
        }

        @Test("a line that is not UTF-8 is one bad line: reported with its number, the other lines still used")
        func nonUTF8Line() async throws {
            try await TemporaryDirectory.with(label: "markers-cli-utf8") { folder in
                let good = Self.goodLines[0].line
                var bytes = Array((good + "\n").utf8)
                // "Café" in Latin-1: a lone 0xE9 byte.
                bytes +=
                    Array(#"{"id":"b-latin1","title":"Caf"#.utf8) + [0xE9]
                    + Array(#"","url":"https://shop.example/p/c","start":3}"#.utf8) + [0x0A]
                let file = folder.appendingPathComponent("latin1.jsonl")
                try Data(bytes).write(to: file)
                let output = folder.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", SampleInput.mp4.path, "-o", output.path, "--markers", file.path,
                ])
                #expect(result.status == 0, "\(result)")
                #expect(
                    result.warningLines.count == 1 && result.warningLines.first?.contains("\(file.path):2:") == true,
                    "one warning naming line 2:\n\(result.stderr)")
                let rendition = try verifyRecording(directory: output, container: .ts).rendition
                #expect(
                    rendition.playlist.placedDateRanges.map(\.range.id) == ["g-quotes"],
                    "the valid line 1 is still used; DATERANGE ids: \(rendition.playlist.placedDateRanges.map(\.range.id))"
                )
            }
        }

        @Test("a missing --markers file: exit 1, one line naming it")
        func missingMarkerFile() async throws {
            try await TemporaryDirectory.with(label: "markers-cli-missing") { folder in
                let file = folder.appendingPathComponent("nowhere.jsonl").path
                let output = folder.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", SampleInput.mp4.path, "-o", output.path, "--markers", file,
                ])
                expectOneLineError(result, exitCode: 1, mentions: [file])
                try verifyWhateverWasWritten(directory: output)
            }
        }

        @Test("`cuepoint markers list|add|close` on a finished recording")
        func listAddClose() async throws {
            try await TemporaryDirectory.with(label: "markers-cli-edit") { folder in
                let output = folder.appendingPathComponent("out")
                let products = Repository.sampleMedia("products.jsonl").path
                let made = try CuepointCLI.run([
                    "segment", SampleInput.mp4.path, "-o", output.path, "--markers", products,
                ])
                #expect(made.status == 0, "\(made)")
                let expected = try ExpectedMarker.sampleProducts()

                // list: one row per marker, with start and duration.
                let listed = try CuepointCLI.run(["markers", "list", output.path])
                #expect(listed.status == 0 && listed.stderr.isEmpty, "\(listed)")
                let rows = Self.rows(listed.stdout)
                #expect(rows.map(\.id) == expected.map(\.id), "\(listed.stdout)")
                for marker in expected {
                    let row = rows.first { $0.id == marker.id }
                    #expect(
                        row?.start == Double(marker.startMilliseconds) / 1000,
                        "start of \(marker.id): \(String(describing: row))")
                    #expect(
                        row?.duration == marker.durationMilliseconds.map { Double($0) / 1000 },
                        "duration of \(marker.id)")
                    #expect(
                        sameScalars(row?.title, marker.title),
                        "title of \(marker.id): \(String(describing: row?.title))")
                }
                let json = try CuepointCLI.run(["markers", "list", output.path, "--json"])
                #expect(json.status == 0, "\(json)")
                let cards = json.stdout.split(separator: "\n").map { cardObject(String($0)) }
                #expect(cards.compactMap { $0?["id"] as? String } == expected.map(\.id), "\(json.stdout)")

                // add an open marker; list shows it open.
                let body =
                    #"{"id":"p-0900","title":"Cast-Iron Pan \"10\"","url":"https://shop.example.com/p/pan","price":39.5,"currency":"EUR","start":"9.5s"}"#
                let added = try CuepointCLI.run(["markers", "add", output.path, body])
                #expect(added.status == 0 && added.stderr.isEmpty, "\(added)")
                #expect(added.stdout.contains("p-0900"), "\(added)")
                let afterAdd = Self.rows(try CuepointCLI.run(["markers", "list", output.path]).stdout)
                let pan = afterAdd.first { $0.id == "p-0900" }
                #expect(pan?.start == 9.5 && pan?.duration == nil && pan?.open == true, "\(afterAdd)")
                #expect(afterAdd.count == expected.count + 1)

                // the same id again: exit 1, one line, nothing added.
                let again = try CuepointCLI.run(["markers", "add", output.path, body])
                expectOneLineError(again, exitCode: 1, mentions: ["p-0900"])
                #expect(
                    Self.rows(try CuepointCLI.run(["markers", "list", output.path]).stdout).count == expected.count + 1)

                // close it after 3 s; list shows the duration.
                let closedRun = try CuepointCLI.run(["markers", "close", output.path, "p-0900", "--duration", "3s"])
                #expect(closedRun.status == 0 && closedRun.stderr.isEmpty, "\(closedRun)")
                let afterClose = Self.rows(try CuepointCLI.run(["markers", "list", output.path]).stdout)
                let closedPan = afterClose.first { $0.id == "p-0900" }
                #expect(closedPan?.duration == 3 && closedPan?.open == false, "\(afterClose)")

                // closing again, or closing a marker that has a duration already: exit 1.
                expectOneLineError(
                    try CuepointCLI.run(["markers", "close", output.path, "p-0900", "--duration", "1s"]), exitCode: 1,
                    mentions: ["p-0900"])
                expectOneLineError(
                    try CuepointCLI.run(["markers", "close", output.path, "nobody", "--duration", "1s"]), exitCode: 1,
                    mentions: ["nobody"])

                // The log records it all: six adds from the run, then the add and the close.
                let events = try MarkerLogEvent.read(output)
                #expect(events.map(\.event) == Array(repeating: "add", count: 7) + ["close"])
                #expect(MarkerLogEvent.milliseconds(events.last?.object["duration"]) == 3_000)
            }
        }

        /// A row of `cuepoint markers list`: `id<TAB>start s<TAB>duration s|open s<TAB>product<TAB>title`.
        struct Row: CustomStringConvertible {
            var id: String
            var start: Double?
            var duration: Double?
            var open: Bool
            var title: String
            var description: String { "\(id) \(start ?? -1) \(duration.map { "\($0)" } ?? "open") \(title)" }
        }

        static func rows(_ stdout: String) -> [Row] {
            stdout.split(separator: "\n").map { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                func seconds(_ index: Int) -> Double? {
                    guard index < fields.count else { return nil }
                    return Double(
                        fields[index].replacingOccurrences(of: " s", with: "").trimmingCharacters(in: .whitespaces))
                }
                let open = fields.count > 2 && fields[2].trimmingCharacters(in: .whitespaces).hasPrefix("open")
                return Row(
                    id: fields[0], start: seconds(1), duration: seconds(2), open: open,
                    title: fields.count > 4 ? fields[4...].joined(separator: "\t") : "")
            }
        }
    }
}
