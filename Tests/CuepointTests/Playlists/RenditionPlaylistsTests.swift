import CuepointHLS
import CuepointTime
import Testing

@testable import Cuepoint

@Suite struct RenditionPlaylistsTests {
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
