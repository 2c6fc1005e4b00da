import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// The checks that need the recording: unique ids, times inside it.
@Suite(.ownThreads) struct MarkerValidatorTests {
    typealias Support = MarkerTestSupport

    func marker(id: String = "p-1", start: MarkerTime, end: MarkerEnd? = nil) -> Marker {
        Marker(id: id, title: "Mug", url: "https://shop.example/mug", start: start, end: end)
    }

    func problems(_ marker: Marker, _ context: MarkerContext = Support.context()) -> [String] {
        switch MarkerValidator.place(marker, in: context, source: "products.jsonl", line: 3) {
        case .success: return []
        case .failure(let failure): return failure.problems.map(\.description)
        }
    }

    func placed(_ marker: Marker, _ context: MarkerContext = Support.context()) throws -> PlacedMarker {
        try MarkerValidator.place(marker, in: context).get()
    }

    @Test func offsetsDatesAndNowArePlaced() throws {
        let offset = try placed(marker(start: .offset(milliseconds: 4_200), end: .duration(milliseconds: 10_000)))
        #expect(offset.startMilliseconds == 4_200)
        #expect(offset.durationMilliseconds == 10_000)
        #expect(offset.endMilliseconds == 14_200)
        #expect(offset.marker.start == .offset(milliseconds: 4_200))
        #expect(offset.marker.end == .duration(milliseconds: 10_000))

        let date = try placed(
            marker(
                start: .date(WallClockTime(iso8601: "2025-03-14T18:00:04.200Z")!),
                end: .time(.date(WallClockTime(iso8601: "2025-03-14T18:00:06Z")!))))
        #expect(date.startMilliseconds == 4_200)
        #expect(date.durationMilliseconds == 1_800)
        #expect(date.marker.end == .duration(milliseconds: 1_800))

        let now = try placed(marker(start: .now), Support.context(durationMilliseconds: nil, nowOffset: 7_500))
        #expect(now.startMilliseconds == 7_500)
        #expect(now.isOpen)
        let mixed = try placed(marker(start: .offset(milliseconds: 1_000), end: .time(.now)))
        #expect(mixed.durationMilliseconds == 4_000)
        // A clock a little behind the recording start means the start.
        #expect(try placed(marker(start: .now), Support.context(nowOffset: -30)).startMilliseconds == 0)
    }

    @Test func duplicateIDs() {
        #expect(
            problems(marker(start: .offset(milliseconds: 1_000)), Support.context(knownIDs: ["p-1"])) == [
                #"products.jsonl:3: "id": "p-1" is already the id of another marker of this recording"#
            ])
        var context = Support.context()
        let lines = [
            (line: 1, marker: marker(start: .offset(milliseconds: 1_000))),
            (line: 2, marker: marker(id: "p-2", start: .offset(milliseconds: 2_000))),
            (line: 3, marker: marker(start: .offset(milliseconds: 3_000))),
        ]
        let (placed, problems) = MarkerValidator.place(lines, source: "products.jsonl", in: &context)
        #expect(placed.map(\.id) == ["p-1", "p-2"])
        #expect(problems.map(\.line) == [3])
        #expect(context.knownIDs == ["p-1", "p-2"])
    }

    @Test func generatedIDsNeverCollide() throws {
        let line = #"{"title":"Mug","url":"https://s.example","start":"now"}"#
        let decoded = try #require(Support.marker(line, allowNow: true))
        var context = Support.context(durationMilliseconds: nil)
        let (placed, problems) = MarkerValidator.place(
            [(1, decoded), (2, decoded), (3, decoded)], source: "api", in: &context)
        #expect(problems.isEmpty)
        #expect(placed.map(\.id) == [decoded.id, decoded.id + "-2", decoded.id + "-3"])
        #expect(placed.map(\.marker.product) == placed.map(\.id))
        #expect(placed.allSatisfy { Marker.isGeneratedID($0.id) })
    }

    @Test func startBeforeTheRecording() {
        let early = marker(start: .date(WallClockTime(iso8601: "2025-03-14T17:59:58.500Z")!))
        #expect(
            problems(early) == [
                #"products.jsonl:3: "start": 2025-03-14T17:59:58.500Z is before the recording start "#
                    + "(2025-03-14T18:00:00.000Z)"
            ])
    }

    @Test func timesPastTheEnd() {
        #expect(
            problems(marker(start: .offset(milliseconds: 20_000))) == [
                #"products.jsonl:3: "start": 20 s is at or past the end of the recording (20 s long)"#
            ])
        #expect(
            problems(marker(start: .offset(milliseconds: 25_500), end: .duration(milliseconds: 1_000))) == [
                #"products.jsonl:3: "start": 25.5 s is at or past the end of the recording (20 s long)"#
            ])
        #expect(
            problems(marker(start: .offset(milliseconds: 18_000), end: .duration(milliseconds: 2_500))) == [
                #"products.jsonl:3: "duration": the marker ends at 20.5 s, past the end of the recording (20 s long)"#
            ])
        #expect(
            problems(marker(start: .offset(milliseconds: 18_000), end: .time(.offset(milliseconds: 21_000)))) == [
                #"products.jsonl:3: "end": the marker ends at 21 s, past the end of the recording (20 s long)"#
            ])
        // Up to the very end is inside; a live recording has no end.
        #expect(problems(marker(start: .offset(milliseconds: 18_000), end: .duration(milliseconds: 2_000))) == [])
        #expect(
            problems(marker(start: .offset(milliseconds: 99_000)), Support.context(durationMilliseconds: nil)) == [])
    }

    @Test func endBeforeStart() {
        let date = marker(
            start: .offset(milliseconds: 10_000), end: .time(.date(WallClockTime(iso8601: "2025-03-14T18:00:05Z")!)))
        #expect(
            problems(date) == [#"products.jsonl:3: "end": 2025-03-14T18:00:05.000Z is before the start (10 s)"#])
        // Both in one form: reported once.
        #expect(
            problems(marker(start: .offset(milliseconds: 10_000), end: .time(.offset(milliseconds: 5_000)))) == [
                #"products.jsonl:3: "end": 5 s is before the start (10 s)"#
            ])
    }

    @Test func handBuiltMarkersMeetTheSameRules() {
        var bad = Marker(id: "p 1", title: " ", url: nil, price: "-2", currency: "usd", start: .offset(milliseconds: 0))
        bad.attributes = ["Key": "v"]
        #expect(
            problems(bad) == [
                #"products.jsonl:3: "id": expected 1 to 64 letters, digits, ".", "_", ":" or "-", got "p 1""#,
                #"products.jsonl:3: "title": must not be only white space"#,
                #"products.jsonl:3: "url": required field is missing"#,
                #"products.jsonl:3: "price": expected a number ≥ 0, got -2"#,
                #"products.jsonl:3: "currency": expected an ISO 4217 code, three uppercase letters such as "USD", "#
                    + "got \"usd\"; did you mean `USD`?",
                #"products.jsonl:3: "attributes.Key": expected a key of 1 to 32 lowercase letters, digits, "#
                    + #""_" and "-"; "#
                    + "did you mean `key`?",
            ])
        // Without a line, problems name the marker.
        let result = MarkerValidator.place(
            Marker(id: "p-7", title: "t", url: nil, start: .offset(milliseconds: 0)), in: Support.context())
        guard case .failure(let failure) = result else {
            Issue.record("a marker without url was placed")
            return
        }
        #expect(failure.description == #"api: marker "p-7": "url": required field is missing"#)
    }

    @Test func closingDurations() throws {
        let open = try placed(marker(start: .offset(milliseconds: 4_000)))
        let context = Support.context(durationMilliseconds: nil, nowOffset: 9_000)
        #expect(try MarkerValidator.closingDuration(of: open, end: .time(.now), in: context).get() == 5_000)
        #expect(
            try MarkerValidator.closingDuration(of: open, end: .duration(milliseconds: 1_500), in: context).get()
                == 1_500)
        let early = MarkerValidator.closingDuration(of: open, end: .time(.offset(milliseconds: 3_000)), in: context)
        #expect(throws: MarkerProblems.self) { try early.get() }
        #expect((try? early.get()) == nil)
        if case .failure(let failure) = early {
            #expect(failure.description == #"api: marker "p-1": "end": 3 s is before the start (4 s)"#)
        }
        let closed = open.closed(durationMilliseconds: 1_000)
        if case .failure(let failure) = MarkerValidator.closingDuration(of: closed, end: .time(.now), in: context) {
            #expect(failure.description == #"api: marker "p-1": the marker is already closed (after 1 s)"#)
        } else {
            Issue.record("a closed marker was closed again")
        }
        let short = Support.context(durationMilliseconds: 6_000)
        if case .failure(let failure) = MarkerValidator.closingDuration(
            of: open, end: .duration(milliseconds: 3_000), in: short)
        {
            #expect(
                failure.description
                    == #"api: marker "p-1": "end": the marker would end at 7 s, past the end of the recording "#
                    + "(6 s long)"
            )
        } else {
            Issue.record("a close past the end was accepted")
        }
    }
}
