import CuepointTestSupport
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct ChapterPlanTests {
    func marker(_ id: String, _ start: Int64, _ duration: Int64?, title: String? = nil) -> PlacedMarker {
        PlacedMarker(
            marker: Marker(id: id, product: "SKU-\(id)", title: title ?? "Title \(id)", url: nil, start: .offset(milliseconds: start)),
            startMilliseconds: start, durationMilliseconds: duration)
    }

    func spans(_ plan: ChapterPlan) -> [String] {
        plan.chapters.map { "\($0.id) \($0.startMilliseconds)-\($0.endMilliseconds)" }
    }

    @Test func disjointMarkersBecomeOneChapterEach() {
        let plan = ChapterPlan(
            markers: [marker("a", 1000, 2000), marker("b", 5000, 1000)], durationMilliseconds: 10_000, mode: .products)
        #expect(spans(plan) == ["a 1000-3000", "b 5000-6000"])
        #expect(plan.products.count == 2)
        #expect(plan.notes.isEmpty)
    }

    @Test func overlapEndsTheEarlierChapterWhereTheNextStarts() {
        let plan = ChapterPlan(
            markers: [marker("a", 0, 8000), marker("b", 3000, 2000)], durationMilliseconds: 10_000, mode: .products)
        #expect(spans(plan) == ["a 0-3000", "b 3000-5000"])
        // Products keep their own times.
        #expect(plan.products.map(\.endMilliseconds) == [8000, 5000])
        #expect(plan.notes.contains { $0.contains("marker a overlaps b") })
    }

    @Test func sameStartKeepsTheFirstInLogOrderAsChapter() {
        let plan = ChapterPlan(
            markers: [marker("a", 2000, 1000), marker("b", 2000, 3000)], durationMilliseconds: 10_000, mode: .products)
        #expect(spans(plan) == ["a 2000-3000"])
        #expect(plan.products.count == 2)
        #expect(plan.notes.contains { $0.contains("marker b starts at the same time as a") })
    }

    @Test func outOfRangeMarkersAreSkippedAndReported() {
        let plan = ChapterPlan(
            markers: [marker("late", 12_000, 1000), marker("early", -5000, 2000), marker("ok", 1000, 1000)],
            durationMilliseconds: 10_000, mode: .products)
        #expect(spans(plan) == ["ok 1000-2000"])
        #expect(plan.notes.count == 2)
        #expect(plan.notes[0].contains("late") && plan.notes[0].contains("after the recording ends"))
        #expect(plan.notes[1].contains("early") && plan.notes[1].contains("before the recording starts"))
    }

    @Test func markersStickingOutAreClippedAndOpenOnesEndWithTheReplay() {
        let plan = ChapterPlan(
            markers: [marker("head", -1000, 3000), marker("open", 6000, nil), marker("tail", 9000, 5000)],
            durationMilliseconds: 10_000, mode: .products)
        #expect(plan.products.map { "\($0.startMilliseconds)-\($0.endMilliseconds)" } == ["0-2000", "6000-10000", "9000-10000"])
        #expect(spans(plan) == ["head 0-2000", "open 6000-9000", "tail 9000-10000"])
        #expect(plan.notes.contains { $0.contains("head") && $0.contains("clipped") })
        #expect(plan.notes.contains { $0.contains("tail") && $0.contains("clipped") })
    }

    @Test func fullModeCoversTheTimelineWithFillers() {
        let plan = ChapterPlan(
            markers: [marker("a", 2000, 2000), marker("b", 4500, 1000)], durationMilliseconds: 10_000, mode: .full,
            introTitle: "Intro", fillerTitle: "More")
        // The 500 ms gap between a and b is given to a; the tail gets a filler.
        #expect(spans(plan) == ["intro 0-2000", "a 2000-4500", "b 4500-5500", "filler-1 5500-10000"])
        #expect(plan.chapters.first?.title == "Intro")
        #expect(plan.chapters.last?.title == "More")
        #expect(plan.chapters.last?.product == nil)
        // Contiguous and covering.
        for (left, right) in zip(plan.chapters, plan.chapters.dropFirst()) {
            #expect(left.endMilliseconds == right.startMilliseconds)
        }
    }

    @Test func noMarkersGiveNoProductChaptersAndOneFillerInFullMode() {
        #expect(ChapterPlan(markers: [], durationMilliseconds: 5000, mode: .products).chapters.isEmpty)
        let full = ChapterPlan(markers: [], durationMilliseconds: 5000, mode: .full)
        #expect(spans(full) == ["intro 0-5000"])
    }

    @Test func chaptersAreDisjointForManyRandomMarkers() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let markers = (0..<40).map { index in
                marker("m\(index)", Int64.random(in: -2000...62_000, using: &generator),
                    Bool.random(using: &generator) ? nil : Int64.random(in: 1...20_000, using: &generator))
            }
            let plan = ChapterPlan(markers: markers, durationMilliseconds: 60_000, mode: .full)
            for chapter in plan.chapters {
                #expect(chapter.startMilliseconds < chapter.endMilliseconds)
                #expect(chapter.startMilliseconds >= 0 && chapter.endMilliseconds <= 60_000)
            }
            for (left, right) in zip(plan.chapters, plan.chapters.dropFirst()) {
                #expect(left.endMilliseconds == right.startMilliseconds)
            }
            #expect(plan.chapters.first?.startMilliseconds == 0)
            #expect(plan.chapters.last?.endMilliseconds == 60_000)
        }
    }
}

@Suite(.ownThreads) struct ReplayTimelineTests {
    func slots(_ usable: [Bool], duration: Int64 = 4000) -> [ReplaySource.Slot] {
        usable.enumerated().map {
            ReplaySource.Slot(
                index: $0.offset, recordingStartMilliseconds: Int64($0.offset) * duration, durationMilliseconds: duration,
                usable: $0.element)
        }
    }

    @Test func allUsableSegmentsMapOneToOne() {
        let timeline = ReplayTimeline(slots: slots([true, true, true]), discontinuities: [false, false, false])
        #expect(timeline.durationMilliseconds == 12_000)
        #expect(timeline.replayTime(ofRecording: 5500) == 5500)
        #expect(timeline.entries.map(\.discontinuity) == [false, false, false])
        #expect(timeline.replayTime(ofRecording: 13_000) == 13_000)
    }

    @Test func aDroppedSegmentClosesTheGapAndMarksADiscontinuity() {
        let timeline = ReplayTimeline(slots: slots([true, false, true, true]), discontinuities: [false, false, false, false])
        #expect(timeline.entries.map(\.index) == [0, 2, 3])
        #expect(timeline.entries.map(\.discontinuity) == [false, true, false])
        #expect(timeline.durationMilliseconds == 12_000)
        #expect(timeline.replayTime(ofRecording: 9000) == 5000)  // in segment 3 (recording 8000…)
        #expect(timeline.replayTime(ofRecording: 5000) == 4000)  // inside the dropped one: where the next starts
    }

    @Test func aDroppedTailShortensTheReplay() {
        let timeline = ReplayTimeline(slots: slots([true, true, false]), discontinuities: [false, false, false])
        #expect(timeline.durationMilliseconds == 8000)
        #expect(timeline.replayTime(ofRecording: 9000) == 9000)  // beyond the end: stays outside
    }

    @Test func recordedDiscontinuitiesAreKept() {
        let timeline = ReplayTimeline(slots: slots([true, true, true]), discontinuities: [false, true, false])
        #expect(timeline.entries.map(\.discontinuity) == [false, true, false])
    }
}
