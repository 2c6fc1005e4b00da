import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The durable `markers.jsonl`: what is appended is read back, a torn last line is tolerated.
@Suite(.ownThreads) struct MarkerLogTests {
    typealias Support = MarkerTestSupport

    static let received = WallClockTime(millisecondsSince1970: 1_741_975_204_210)  // 2025-03-14T18:00:04.210Z

    func placed(_ line: String, allowNow: Bool = false) throws -> PlacedMarker {
        let marker = try #require(Support.marker(line, allowNow: allowNow))
        return try MarkerValidator.place(marker, in: Support.context(durationMilliseconds: nil)).get()
    }

    @Test func appendAndReadBack() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("markers.jsonl").path

        let first = try placed(
            #"{"id":"p-1","product":"SKU-1","title":"Chef's \"Knife\"\n👩‍🍳 קרש","url":"https://s.example/1","#
                + #""price":89.0,"currency":"USD","image":"https://s.example/1.jpg","attributes":{"k":"v"},"#
                + #""start":"2025-03-14T18:00:01.500Z","duration":4}"#)
        let second = try placed(#"{"title":"Open","url":"https://s.example/2","start":"now"}"#, allowNow: true)
        let log = try MarkerLog(path: path)
        try log.append(first, received: Self.received)
        try log.append(second, received: Self.received)
        try log.appendClose(id: second.id, durationMilliseconds: 2_500, received: Self.received)
        log.close()

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "")
        #expect(
            lines[0]
                == #"{"event":"add","received":"2025-03-14T18:00:04.210Z","marker":{"id":"p-1","product":"SKU-1","#
                + #""title":"Chef's \"Knife\"\n👩‍🍳 קרש","url":"https://s.example/1","price":89.0,"currency":"USD","#
                + #""image":"https://s.example/1.jpg","attributes":{"k":"v"},"start":1.5,"duration":4}}"#)
        #expect(
            lines[2]
                == #"{"event":"close","id":"\#(second.id)","duration":2.5,"received":"2025-03-14T18:00:04.210Z"}"#)

        let (markers, problems) = MarkerLog.read(path: path)
        #expect(problems.isEmpty, "\(problems)")
        #expect(markers == [first, second.closed(durationMilliseconds: 2_500)])
        #expect(markers[1].startMilliseconds == 5_000)
        #expect(Support.sameScalars(markers[0].marker.title, "Chef's \"Knife\"\n👩‍🍳 קרש"))
    }

    @Test func appendsGoToTheEndOfAnExistingLog() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("markers.jsonl").path
        try MarkerLog(path: path).append(
            try placed(#"{"id":"a","title":"A","url":"https://s.example","start":1}"#), received: Self.received)
        // Every append is on disk when it returns: another reader sees it at once.
        #expect(MarkerLog.read(path: path).markers.map(\.id) == ["a"])
        let reopened = try MarkerLog(path: path)
        try reopened.append(
            try placed(#"{"id":"b","title":"B","url":"https://s.example","start":2}"#), received: Self.received)
        #expect(MarkerLog.read(path: path).markers.map(\.id) == ["a", "b"])
    }

    @Test func aTornLastLineIsReportedAndRepaired() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("markers.jsonl").path
        let first = try placed(#"{"id":"a","title":"A","url":"https://s.example","start":1}"#)
        try MarkerLog(path: path).append(first, received: Self.received)
        // A crash in the middle of the second record's write.
        let record = MarkerLogRecord.add(
            try placed(#"{"id":"b","title":"B 👩‍🍳","url":"https://s.example","start":2}"#), received: Self.received)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(record.utf8).prefix(record.utf8.count - 9))
        try handle.close()

        let torn = MarkerLog.read(path: path)
        #expect(torn.markers == [first])
        #expect(
            torn.problems.map(\.description) == [
                "\(path):2: malformed JSON at column 129: a string is not closed (a line torn by a crash?)"
            ])

        // Reopening ends the torn line, so the next record is whole.
        let third = try placed(#"{"id":"c","title":"C","url":"https://s.example","start":3}"#)
        try MarkerLog(path: path).append(third, received: Self.received)
        let repaired = MarkerLog.read(path: path)
        #expect(repaired.markers == [first, third])
        #expect(repaired.problems.map(\.line) == [2])
    }

    @Test func badRecordsAreSkipped() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("markers.jsonl").path
        let add = MarkerLogRecord.add(
            try placed(#"{"id":"a","title":"A","url":"https://s.example","start":1}"#), received: Self.received)
        let text = [
            add,
            add,
            #"{"event":"close","id":"zz","duration":1,"received":"2025-03-14T18:00:04.210Z"}"#,
            #"{"event":"close","id":"a","duration":-1}"#,
            #"{"event":"remove","id":"a"}"#,
            #"{"event":"add"}"#,
            #"{"event":"add","marker":{"id":"b","title":"B","url":"https://s.example","#
                + #""start":"2025-03-14T18:00:00Z"}}"#,
            #"{"event":"add","marker":{"id":"c","tilte":"C","url":"https://s.example","start":1}}"#,
            "[1]",
            #"{"event":"close","id":"a","duration":2,"received":"2025-03-14T18:00:04.210Z"}"#,
        ].joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (markers, problems) = MarkerLog.read(path: path)
        #expect(markers.map(\.id) == ["a"])
        #expect(markers.first?.durationMilliseconds == 2_000)
        #expect(
            problems.map(\.description) == [
                "\(path):2: \"a\" was already added",
                "\(path):3: closes \"zz\", which was not added before",
                "\(path):4: a \"close\" record without a \"duration\" of seconds ≥ 0",
                "\(path):5: expected \"event\" to be \"add\" or \"close\"",
                "\(path):6: an \"add\" record without \"marker\"",
                "\(path):7: the logged start is not a number of seconds",
                "\(path):8: \"tilte\": unknown field; did you mean `title`?",
                "\(path):8: \"title\": required field is missing",
                "\(path):9: expected a JSON object",
            ])
    }

    @Test func aMissingLogIsEmpty() {
        let result = MarkerLog.read(path: "/nonexistent-\(UUID())/markers.jsonl")
        #expect(result.markers.isEmpty && result.problems.isEmpty)
    }

    @Test func failuresSayWhatFailed() throws {
        let path = "/nonexistent-\(UUID())/markers.jsonl"
        #expect(throws: StorageError(path: path, operation: "open", code: ENOENT)) { try MarkerLog(path: path) }
        let error = StorageError(path: path, operation: "open", code: ENOENT)
        #expect(error.description == "cannot open \(path): No such file or directory")

        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = try MarkerLog(path: directory.appendingPathComponent("markers.jsonl").path)
        log.close()
        #expect(throws: StorageError.self) {
            try log.appendClose(id: "a", durationMilliseconds: 1, received: Self.received)
        }
    }
}
