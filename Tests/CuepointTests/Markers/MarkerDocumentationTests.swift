import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// `docs/markers.md` shows what the code does: its JSON lines parse (or fail exactly as shown),
/// and its DATERANGE, card and log lines are what Cuepoint writes for its example marker.
@Suite(.ownThreads) struct MarkerDocumentationTests {
    typealias Support = MarkerTestSupport

    static func documentation() throws -> String {
        try String(
            contentsOf: Repository.root.appendingPathComponent("docs/markers.md"), encoding: .utf8)
    }

    /// Every `jsonl` block parses without problems, unless a `text` block follows it: then its
    /// problems are exactly that block's lines.
    @Test func documentedMarkerLinesAreReal() throws {
        let blocks = PipelineExamplesTests.fencedBlocks(try Self.documentation())
        var checked = 0
        for (index, block) in blocks.enumerated() where block.info == "jsonl" {
            let problems = MarkerFile.parse(block.body, source: "products.jsonl").problems.map(\.description)
            if index + 1 < blocks.count, blocks[index + 1].info == "text" {
                #expect(problems == blocks[index + 1].body.split(separator: "\n").map(String.init), "block \(index)")
            } else {
                #expect(problems == [], "block \(index)")
            }
            checked += 1
        }
        #expect(checked == 2)
    }

    @Test func documentedOutputIsReal() throws {
        let documentation = try Self.documentation()
        let blocks = PipelineExamplesTests.fencedBlocks(documentation)
        let example = try #require(blocks.first { $0.info == "jsonl" })
        let (markers, problems) = MarkerFile.parse(example.body, source: "products.jsonl")
        #expect(problems.isEmpty)
        var context = Support.context()
        let placed = MarkerValidator.place(markers, source: "products.jsonl", in: &context)
        #expect(placed.problems.isEmpty)
        #expect(placed.markers.count == 4)
        let marker = try #require(placed.markers.first { $0.id == "p-0002" })

        let range = marker.dateRange(className: "com.example.shop.product", recordingStart: Support.recordingStart)
        let playlist = MediaPlaylist(
            targetDuration: 4,
            segments: [
                MediaSegment(
                    uri: "seg_000002.ts", durationMilliseconds: 4_000,
                    programDateTime: Support.recordingStart.advanced(by: .milliseconds(4_000)), dateRanges: [range])
            ])
        let tag = try #require(playlist.render().split(separator: "\n").first { $0.hasPrefix("#EXT-X-DATERANGE:") })
        let shown = try #require(blocks.first { $0.info == "m3u8" })
        #expect(shown.body.split(separator: "\n").contains(tag))

        let logBlock = try #require(blocks.first { $0.info == "json" && $0.body.contains("\"event\"") })
        let add = MarkerLogRecord.add(marker, received: WallClockTime(iso8601: "2025-03-14T18:00:04.210Z")!)
        let close = MarkerLogRecord.close(
            id: "p-0009", durationMilliseconds: 12_500, received: WallClockTime(iso8601: "2025-03-14T18:00:16.700Z")!)
        #expect(logBlock.body == add + "\n" + close + "\n")

        let card = try #require(blocks.first { $0.info == "json" && !$0.body.contains("\"event\"") })
        #expect(card.body == String(decoding: marker.cardJSON, as: UTF8.self) + "\n")
        #expect(documentation.contains("`m-64b13ee8`"))
        #expect(
            Support.marker(#"{"title":"Mug","url":"https://shop.example/mug","start":4.2}"#)?.id == "m-64b13ee8")
    }
}
