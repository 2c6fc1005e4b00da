import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// Where markers go as a recording advances, fed as the session feeds it.
@Suite(.ownThreads) struct MarkerScheduleTests {
    static func placed(_ id: String, start: Int64, duration: Int64? = nil) -> PlacedMarker {
        PlacedMarker(
            marker: Marker(id: id, title: id, url: "https://shop.example/\(id)", start: .offset(milliseconds: start)),
            startMilliseconds: start, durationMilliseconds: duration)
    }

    @Test func aDateRangeGoesWithTheFirstSegmentThatClosesAfterItsStart() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: true)
        schedule.add(Self.placed("b", start: 7_000, duration: 2_000))
        schedule.add(Self.placed("a", start: 1_000, duration: 2_000))
        #expect(schedule.forSegment(endingAt: 1_000).opened.isEmpty)  // starts at the end: the next segment
        #expect(schedule.forSegment(endingAt: 6_000).opened.map(\.id) == ["a"])
        #expect(schedule.forSegment(endingAt: 12_000).opened.map(\.id) == ["b"])
        #expect(schedule.forSegment(endingAt: 18_000).opened.isEmpty)
    }

    @Test func aCloseBeforePublicationGoesIntoTheFirstTagAndAfterItIntoASecond() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: false)
        schedule.add(Self.placed("early", start: 1_000))
        schedule.add(Self.placed("late", start: 2_000))
        let closedEarly = schedule.close(id: "early", durationMilliseconds: 500)
        #expect(closedEarly)
        let first = schedule.forSegment(endingAt: 6_000)
        #expect(first.opened.map(\.id) == ["early", "late"])
        #expect(first.opened[0].durationMilliseconds == 500)
        #expect(first.opened[1].durationMilliseconds == nil)
        #expect(first.closed.isEmpty)
        let closedLate = schedule.close(id: "late", durationMilliseconds: 7_000)
        let closedTwice = schedule.close(id: "late", durationMilliseconds: 8_000)  // closed once
        let closedUnknown = schedule.close(id: "unknown", durationMilliseconds: 1)
        #expect(closedLate)
        #expect(!closedTwice)
        #expect(!closedUnknown)
        let second = schedule.forSegment(endingAt: 12_000)
        #expect(second.opened.isEmpty)
        #expect(second.closed.map { "\($0.0.id) \($0.1)" } == ["late 7000"])
        #expect(schedule.forSegment(endingAt: 18_000).closed.isEmpty)  // published once
    }

    @Test func inBandTagsAreDueWhenTheMediaReachesTheStartAndLateOnesAreFlagged() {
        var schedule = MarkerSchedule(carriesDateRanges: false, carriesInBand: true)
        schedule.add(Self.placed("a", start: 3_000, duration: 1_000))
        #expect(schedule.dueInBand(at: 2_999).isEmpty)
        let due = schedule.dueInBand(at: 3_000)
        #expect(due.map(\.marker.id) == ["a"])
        #expect(due.map(\.late) == [false])
        #expect(due.map(\.eventID) == [1])
        // A marker that arrives after the media passed its start is due at once, and late.
        schedule.add(Self.placed("b", start: 2_000, duration: 1_000))
        let late = schedule.dueInBand(at: 4_000)
        #expect(late.map(\.marker.id) == ["b"])
        #expect(late.map(\.late) == [true])
        #expect(late.map(\.eventID) == [2])
        #expect(schedule.upcomingStarts.isEmpty)
    }

    @Test func theEndClosesOpenMarkersAndReportsThoseAfterIt() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: false)
        schedule.add(Self.placed("open", start: 1_000))
        schedule.add(Self.placed("after", start: 30_000, duration: 1_000))
        _ = schedule.forSegment(endingAt: 6_000)
        let (closed, unplaced) = schedule.finish(recordingEnd: 20_000)
        #expect(closed.map { "\($0.0.id) \($0.1)" } == ["open 19000"])
        #expect(unplaced.map(\.id) == ["after"])
    }
}

/// Marker placement on the timeline: date ranges on the PDT mapping, in-band tags in media time.
@Suite(.ownThreads) struct MarkerPlacementTests {
    static let t0 = WallClockTime(millisecondsSince1970: 1_700_000_000_000)

    @Test func dateRangesAndTagsFollowTheEpochThatHoldsTheMarker() throws {
        var timeline = Timeline(isLive: false, startDate: Self.t0)
        var placement = MarkerPlacement(spec: MarkersSpec(align: true))
        let first = timeline.beginEpoch(origin: .milliseconds(1_000), now: Self.t0)
        // Aligned cuts: the marker's start in the current epoch's media time.
        #expect(placement.add(MarkerScheduleTests.placed("a", start: 2_000, duration: 1_000), on: timeline) == .milliseconds(3_000))
        timeline.segmentClosed(endOffsetMilliseconds: 6_000)
        let ranges = placement.dateRanges(forSegmentEndingAt: 6_000, on: timeline, now: Self.t0)
        #expect(ranges.map(\.startDate) == [Self.t0.advanced(by: .milliseconds(2_000))])
        let tags = try placement.dueTags(at: .milliseconds(3_100), in: first)
        #expect(tags.map(\.time) == [.milliseconds(3_000)])  // the marker's own time, not the packet's
        #expect(tags.allSatisfy { $0.lateNotice == nil })
        // A second epoch (timestamps jumped to 100 s); a marker inside it maps through it.
        let second = timeline.beginEpoch(origin: .milliseconds(100_000), now: Self.t0)
        #expect(placement.add(MarkerScheduleTests.placed("b", start: 8_000, duration: 1_000), on: timeline) == .milliseconds(102_000))
        let later = try placement.dueTags(at: .milliseconds(102_500), in: second)
        #expect(later.map(\.time) == [.milliseconds(102_000)])
        timeline.segmentClosed(endOffsetMilliseconds: 6_000)
        #expect(
            placement.dateRanges(forSegmentEndingAt: 12_000, on: timeline, now: Self.t0).map(\.startDate)
                == [Self.t0.advanced(by: .milliseconds(8_000))])
    }

    @Test func aLateMarkerIsTaggedWhereTheMediaIsAndTagTimesNeverGoBack() throws {
        var timeline = Timeline(isLive: false, startDate: Self.t0)
        var placement = MarkerPlacement(spec: MarkersSpec())
        let epoch = timeline.beginEpoch(origin: .zero(), now: Self.t0)
        _ = placement.add(MarkerScheduleTests.placed("on-time", start: 5_000, duration: 1_000), on: timeline)
        #expect(try placement.dueTags(at: .milliseconds(5_000), in: epoch).map(\.time) == [.milliseconds(5_000)])
        _ = placement.add(MarkerScheduleTests.placed("late", start: 1_000, duration: 1_000), on: timeline)
        // With B-frames the triggering packet may present before the last tag: one ms after it.
        let late = try placement.dueTags(at: .milliseconds(4_960), in: epoch)
        #expect(late.map(\.time) == [.milliseconds(5_001)])
        #expect(late.first?.lateNotice?.contains("marker late arrived after its start (1.000 s)") == true)
    }

    @Test func withoutAlignmentNoBoundaryIsRequested() {
        var timeline = Timeline(isLive: false, startDate: Self.t0)
        var placement = MarkerPlacement(spec: MarkersSpec(carry: [.daterange]))
        let epoch = timeline.beginEpoch(origin: .zero(), now: Self.t0)
        #expect(placement.add(MarkerScheduleTests.placed("a", start: 5_000), on: timeline) == nil)
        #expect(placement.epochBegan(epoch).isEmpty)
        #expect(!placement.carriesInBand)
    }
}
