import CuepointTestSupport
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct ShortPlanTests {
    func product(_ id: String, _ start: Int64, _ end: Int64, sku: String? = nil) -> ChapterPlan.Product {
        let marker = PlacedMarker(
            marker: Marker(id: id, product: sku ?? "SKU-\(id)", title: "Title \(id)", url: nil, start: .offset(milliseconds: start)),
            startMilliseconds: start, durationMilliseconds: end - start)
        return ChapterPlan.Product(marker: marker, startMilliseconds: start, endMilliseconds: end)
    }

    func options(min: Int64 = 15_000, max: Int64 = 60_000, pre: Int64 = 2000, post: Int64 = 2000) -> ShortOptions {
        var options = ShortOptions()
        options.minimumMilliseconds = min
        options.maximumMilliseconds = max
        options.preRollMilliseconds = pre
        options.postRollMilliseconds = post
        return options
    }

    func spans(_ plan: ShortPlan) -> [String] {
        plan.windows.map { "\($0.markerID) \($0.startMilliseconds)-\($0.endMilliseconds)" }
    }

    @Test func rollsAroundTheProduct() {
        let plan = ShortPlan(products: [product("a", 30_000, 50_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(plan) == ["a 28000-52000"])
        #expect(plan.notes.isEmpty)
    }

    @Test func tooCloseToTheStartIsClampedAndNoted() {
        let plan = ShortPlan(products: [product("a", 1500, 20_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(plan) == ["a 0-22000"])
        #expect(plan.notes == ["marker a starts 1.500s into the replay, less than the 2.000s pre-roll; its short starts at 0.000s"])
    }

    @Test func tooCloseToTheEndIsClampedAndNoted() {
        let plan = ShortPlan(products: [product("a", 570_000, 599_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(plan) == ["a 568000-600000"])
        #expect(plan.notes == ["marker a ends 1.000s before the replay ends, less than the 2.000s post-roll; its short ends at the end of the replay (600.000s)"])
    }

    @Test func aLongProductIsCutAtTheMaximum() {
        let plan = ShortPlan(products: [product("a", 10_000, 100_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(plan) == ["a 8000-68000"])
        #expect(plan.notes.first?.contains("cut to the 60.000s maximum") == true)
    }

    @Test func aShortProductIsExtendedAfterThenBefore() {
        let after = ShortPlan(products: [product("a", 10_000, 12_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(after) == ["a 8000-23000"])
        #expect(after.notes.isEmpty)
        let before = ShortPlan(products: [product("a", 595_000, 597_000)], durationMilliseconds: 600_000, options: options())
        #expect(spans(before) == ["a 585000-600000"])
    }

    @Test func aReplayShorterThanTheMinimumGivesItsWholeLength() {
        let plan = ShortPlan(products: [product("a", 1000, 3000)], durationMilliseconds: 10_000, options: options())
        #expect(spans(plan) == ["a 0-10000"])
        #expect(plan.notes.last == "the replay lasts only 10.000s: marker a's short is 10.000s, less than the 15.000s minimum")
    }

    @Test func shortsAreInShowOrder() {
        let plan = ShortPlan(
            products: [product("b", 40_000, 45_000), product("a", 10_000, 15_000)], durationMilliseconds: 600_000,
            options: options())
        #expect(plan.windows.map(\.markerID) == ["a", "b"])
        #expect(plan.windows.map(\.product) == [1, 0])
    }

    @Test func theReelTakesTheFirstProductsInShowOrder() {
        var reel = ReelOptions()
        reel.count = 2
        reel.momentMilliseconds = 10_000
        let products = [product("c", 90_000, 95_000), product("a", 10_000, 30_000), product("b", 50_000, 52_000)]
        let (windows, notes) = ShortPlan.reel(
            products: products, durationMilliseconds: 600_000, shorts: options(), reel: reel)
        #expect(windows.map { "\($0.markerID) \($0.startMilliseconds)-\($0.endMilliseconds)" } == ["a 8000-18000", "b 48000-58000"])
        #expect(notes.isEmpty, "cutting a moment to its length is not news")
    }

    @Test func theReelRanksProductsByEvents() {
        var reel = ReelOptions()
        reel.count = 3
        reel.order = .events
        let products = [product("a", 10_000, 20_000), product("b", 30_000, 40_000), product("c", 50_000, 60_000)]
        let (windows, notes) = ShortPlan.reel(
            products: products, durationMilliseconds: 600_000, shorts: options(), reel: reel, eventCounts: [2: 5, 0: 5, 1: 0])
        #expect(windows.map(\.markerID) == ["a", "c"], "most events first, ties in show order; no events, no moment")
        #expect(notes == ["the reel holds 2 product moment(s): only 2 product(s) have events, of the 3 asked for"])
    }

    @Test func eventsAreCountedByMarkerOrProductAndBadLinesReported() throws {
        let path = NSTemporaryDirectory() + "cuepoint-events-\(UInt64.random(in: 0...UInt64.max)).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            {"type": "click", "marker": "a"}
            {"type": "pin", "product": "SKU-SHARED"}
            not json
            {"marker": "a"}
            {"type": "click", "marker": "zzz"}

            {"type": "click"}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let products = [product("a", 0, 1), product("b", 2, 3, sku: "SKU-SHARED"), product("c", 4, 5, sku: "SKU-SHARED")]
        let (counts, notes) = ReelEvents.count(path: path, products: products)
        #expect(counts == [0: 1, 1: 1, 2: 1])
        #expect(notes == [
            "\(path):3: not a JSON object; the line is skipped",
            "\(path):4: an event needs a \"type\" (click, pin, …); the line is skipped",
            "\(path):5: the event names no product of the replay; the line is skipped",
            "\(path):7: an event needs a \"marker\" or a \"product\"; the line is skipped",
        ])
    }
}

import Foundation
