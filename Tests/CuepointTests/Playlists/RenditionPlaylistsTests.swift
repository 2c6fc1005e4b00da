import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct RenditionPlaylistsTests {
    func segment(_ number: Int, duration: Int64 = 6000, discontinuity: Bool = false) -> MediaSegment {
        var segment = MediaSegment(uri: "seg_\(number).ts", durationMilliseconds: duration)
        segment.discontinuity = discontinuity
        segment.programDateTime = WallClockTime(millisecondsSince1970: Int64(number) * 6000)
        return segment
    }

    @Test func theLiveWindowSlidesAndCountsDiscontinuities() throws {
        var playlists = RenditionPlaylists(
            kinds: [.index, .live], windowSize: 3, finishAsVOD: false, targetMilliseconds: 6000, firstSequence: 1)
        var removed: [String] = []
        for number in 1...6 { removed += playlists.append(segment(number, discontinuity: number == 2)).map(\.uri) }
        #expect(removed == ["seg_1.ts", "seg_2.ts", "seg_3.ts"])
        let live = playlists.livePlaylist(finished: false)
        #expect(live.segments.map(\.uri) == ["seg_4.ts", "seg_5.ts", "seg_6.ts"])
        #expect(live.mediaSequence == 4)
        #expect(live.discontinuitySequence == 1)
        #expect(live.playlistType == nil)
        #expect(!live.endList)
        let index = playlists.indexPlaylist(finished: false)
        #expect(index.segments.count == 6)
        #expect(index.playlistType == .event)
        #expect(index.mediaSequence == 1)
        // Both render to text our strict parser accepts.
        for file in playlists.rendered(finished: true) {
            let parsed = try MediaPlaylist(parsing: file.text)
            #expect(parsed.endList)
            #expect(parsed.render() == file.text)
        }
    }

    @Test func aFileRecordingFinishesAsVOD() {
        var playlists = RenditionPlaylists(
            kinds: [.index], windowSize: 6, finishAsVOD: true, targetMilliseconds: 6000, firstSequence: 1)
        _ = playlists.append(segment(1))
        #expect(playlists.indexPlaylist(finished: false).playlistType == .event)
        #expect(playlists.indexPlaylist(finished: true).playlistType == .vod)
        #expect(playlists.indexPlaylist(finished: true).endList)
        #expect(playlists.rendered(finished: true).map(\.name) == ["index.m3u8"])
    }

    @Test func theTargetDurationRisesOnlyForASegmentThatRoundsAboveIt() {
        var playlists = RenditionPlaylists(
            kinds: [.index], windowSize: 6, finishAsVOD: true, targetMilliseconds: 6000, firstSequence: 1)
        _ = playlists.append(segment(1, duration: 6499))
        #expect(playlists.targetDuration == 6)
        _ = playlists.append(segment(2, duration: 6500))
        #expect(playlists.targetDuration == 7)
    }
}

@Suite(.ownThreads) struct LiveWindowDateRangeTests {
    func range(_ id: String, start: Int64, duration: Int64?) -> DateRange {
        DateRange(
            id: id, classAttribute: "com.cuepoint.product", startDate: WallClockTime(millisecondsSince1970: start),
            endDate: nil, durationMilliseconds: duration, plannedDurationMilliseconds: nil, endOnNext: false,
            clientAttributes: [])
    }

    func segment(_ number: Int, ranges: [DateRange] = []) -> MediaSegment {
        var segment = MediaSegment(uri: "seg_\(number).ts", durationMilliseconds: 6000)
        segment.programDateTime = WallClockTime(millisecondsSince1970: Int64(number - 1) * 6000)
        segment.dateRanges = ranges
        return segment
    }

    /// A range stays while any of its dates maps to a listed segment (RFC 8216 §6.2.1).
    @Test func rangesStayWhileTheyOverlapTheWindow() throws {
        var playlists = RenditionPlaylists(
            kinds: [.live], windowSize: 2, finishAsVOD: false, targetMilliseconds: 6000, firstSequence: 1)
        _ = playlists.append(segment(1, ranges: [
            range("short", start: 1000, duration: 2000),  // ends at 3 s: gone when segment 1 leaves
            range("long", start: 2000, duration: 20_000),  // ends at 22 s: stays
            range("open", start: 4000, duration: nil),  // open: stays until closed
        ]))
        _ = playlists.append(segment(2, ranges: [range("closed-later", start: 7000, duration: nil)]))
        _ = playlists.append(segment(3, ranges: [range("closed-later", start: 7000, duration: 1000)]))
        _ = playlists.append(segment(4))
        // The window is segments 3 and 4, starting at 12 s.
        let live = playlists.livePlaylist(finished: false)
        #expect(live.segments.map(\.uri) == ["seg_3.ts", "seg_4.ts"])
        let ids = live.segments[0].dateRanges.map(\.id)
        #expect(ids.contains("long"))
        #expect(ids.contains("open"))
        #expect(!ids.contains("short"))
        // Closed at 8 s by a tag in segment 3: its opening tag (segment 2) is not carried, and its
        // closing tag stays where it is.
        #expect(ids.filter { $0 == "closed-later" }.count == 1)
        let text = live.render()
        #expect(try MediaPlaylist(parsing: text).render() == text)
    }
}
