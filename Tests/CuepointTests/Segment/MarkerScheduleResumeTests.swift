import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@testable import Cuepoint

/// `MarkerSchedule.resume`: a resumed recording's log against the date ranges its playlists had
/// published before the crash. Pure: no files.
@Suite(.ownThreads) struct MarkerScheduleResumeTests {
    static let zero = WallClockTime(millisecondsSince1970: 1_741_975_200_000)

    func placed(_ id: String, start: Int64, duration: Int64? = nil) -> PlacedMarker {
        PlacedMarker(
            marker: Marker(id: id, title: "Product \(id)", url: nil, start: .offset(milliseconds: start)),
            startMilliseconds: start, durationMilliseconds: duration)
    }

    func tag(_ marker: PlacedMarker) -> DateRange { marker.dateRange(className: "com.cuepoint.product", recordingStart: Self.zero) }

    @Test("published and open: stays open, and a close adds the closing tag with the next segment")
    func publishedOpenMarkerCanBeClosed() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: true)
        let open = placed("open-1", start: 500)
        let again = schedule.resume(logged: [open], published: [tag(open)], recordedUntil: 6_000)
        #expect(again.isEmpty)
        #expect(schedule.awaitingPlaylist.isEmpty && schedule.awaitingInBand.isEmpty, "nothing is published twice")
        let closed = schedule.close(id: "open-1", durationMilliseconds: 7_000)
        #expect(closed)
        let next = schedule.forSegment(endingAt: 8_000)
        #expect(next.opened.isEmpty)
        #expect(next.closed.map(\.0.id) == ["open-1"] && next.closed.map(\.1) == [7_000])
    }

    @Test("published open, closed in the log only: the closing tag goes with the next segment")
    func loggedCloseIsPublished() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: false)
        let open = placed("p-1", start: 500)
        _ = schedule.resume(logged: [open.closed(durationMilliseconds: 2_000)], published: [tag(open)], recordedUntil: 6_000)
        let closedAgain = schedule.close(id: "p-1", durationMilliseconds: 3_000)
        #expect(!closedAgain, "it is closed already")
        let next = schedule.forSegment(endingAt: 8_000)
        #expect(next.closed.map(\.1) == [2_000])
    }

    @Test("never published: placed again (tag with the next segment; in-band only after what was recorded)")
    func unpublishedMarkersArePlacedAgain() {
        var schedule = MarkerSchedule(carriesDateRanges: true, carriesInBand: true)
        let inside = placed("late-1", start: 1_000, duration: 2_000)
        let after = placed("next-1", start: 9_000)
        let done = placed("done-1", start: 200, duration: 100)
        let again = schedule.resume(logged: [done, inside, after], published: [tag(done)], recordedUntil: 6_000)
        #expect(again.map(\.id) == ["late-1", "next-1"])
        #expect(schedule.awaitingPlaylist.map(\.id) == ["late-1", "next-1"])
        #expect(schedule.awaitingInBand.map(\.id) == ["next-1"], "the segments holding 1 s are written already")
        let next = schedule.forSegment(endingAt: 7_000)
        #expect(next.opened.map(\.id) == ["late-1"])
        let closed = schedule.close(id: "next-1", durationMilliseconds: 500)
        #expect(closed, "an unpublished open marker can be closed")
    }
}
