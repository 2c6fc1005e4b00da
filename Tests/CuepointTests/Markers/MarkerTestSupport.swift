import CuepointTestSupport
import CuepointJSON
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Shared helpers for the marker tests.
enum MarkerTestSupport {
    /// Media time 0 of the test recordings.
    static let recordingStart = WallClockTime(millisecondsSince1970: 1_741_975_200_000)  // 2025-03-14T18:00:00Z

    /// A 20-second recording (the length of `SampleMedia/sample.mp4`), or a live one.
    static func context(
        durationMilliseconds: Int64? = 20_000,
        nowOffset: Int64 = 5_000,
        knownIDs: Set<String> = []
    ) -> MarkerContext {
        MarkerContext(
            recordingStart: recordingStart,
            recordingDuration: durationMilliseconds.map { .milliseconds($0) },
            now: WallClockTime(millisecondsSince1970: recordingStart.millisecondsSince1970 + nowOffset),
            knownIDs: knownIDs)
    }

    /// A JSON line with the given fields, in order (values written with `JSONWriter`).
    static func line(_ fields: KeyValuePairs<String, JSONValue>) -> String {
        JSONWriter.compact(.object(fields.map { JSONMember(key: $0.key, value: $0.value) }))
    }

    /// A valid marker line (id `p-1`, 4.2 s for 10 s) with the given title.
    static func line(title: String) -> String {
        line([
            "id": .string("p-1"), "title": .string(title), "url": .string("https://shop.example/p/1"),
            "price": .number("24.99"), "currency": .string("USD"), "start": .number("4.2"), "duration": .number("10"),
        ])
    }

    /// The problems of one line, as `cuepoint` prints them.
    static func problems(_ line: String, allowNow: Bool = false) -> [String] {
        MarkerFile.parse(line, source: "m.jsonl", allowNow: allowNow).problems.map(\.description)
    }

    /// The marker of one line; nil (after recording an issue) when it has problems.
    static func marker(_ line: String, allowNow: Bool = false) -> Marker? {
        let (markers, problems) = MarkerFile.parse(line, source: "m.jsonl", allowNow: allowNow)
        if !problems.isEmpty { Issue.record("unexpected problems: \(problems)") }
        return markers.first?.marker
    }

    /// `SampleMedia/products.jsonl`.
    static var productsPath: String {
        Repository.root.appendingPathComponent("SampleMedia/products.jsonl").path
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-markers-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Whether two strings have the same Unicode scalars (Swift's `==` treats canonically
    /// equivalent strings as equal, which hides normalization).
    static func sameScalars(_ lhs: String, _ rhs: String) -> Bool {
        Array(lhs.unicodeScalars) == Array(rhs.unicodeScalars)
    }
}
