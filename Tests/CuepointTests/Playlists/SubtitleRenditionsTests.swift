import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@testable import Cuepoint

/// The subtitle renditions of a recording as values: segments, X-TIMESTAMP-MAP, windows.
@Suite(.ownThreads) struct SubtitleRenditionsTests {
    static let date = WallClockTime(iso8601: "2025-03-14T18:00:00Z")!
    static let track = CaptionTrack(
        path: "captions.en.vtt", language: "en", name: "English",
        document: WebVTTDocument(cues: [
            WebVTTCue(startMilliseconds: 500, endMilliseconds: 3_500, text: "Welcome"),
            WebVTTCue(startMilliseconds: 3_800, endMilliseconds: 4_500, text: "Across"),
            WebVTTCue(startMilliseconds: 9_000, endMilliseconds: 9_500, text: "Late"),
        ]))

    static func renditions(_ container: Container, window: Int = 2, kinds: Set<PlaylistKind> = [.live]) -> SubtitleRenditions {
        SubtitleRenditions(tracks: [track], container: container) {
            RenditionPlaylists(kinds: kinds, windowSize: window, finishAsVOD: false, targetMilliseconds: 4_000, firstSequence: 1)
        }
    }

    static func record(_ sequence: Int64, start: Int64, duration: Int64 = 4_000, discontinuity: Bool = false) -> SegmentRecord {
        SegmentRecord(
            rendition: "source", sequence: sequence, uri: "seg_\(String(repeating: "0", count: 5))\(sequence).ts",
            durationMilliseconds: duration, byteCount: 1_000, discontinuity: discontinuity,
            programDateTime: date.advanced(by: .milliseconds(start)), mediaStartMilliseconds: start)
    }

    @Test func aSegmentHoldsTheCuesThatShowDuringItUnderItsTimestampMap() {
        var subtitles = Self.renditions(.ts)
        let first = Self.record(1, start: 0)
        #expect(subtitles.needsAnchor(first))
        // The first video frame of the epoch is at 1.4 s + 6000 ticks (FFmpeg's mpegts muxer offset).
        subtitles.anchor(start: MediaTime(ticks: 132_000, timeBase: .mpegTS), at: first)
        let files = subtitles.files(following: first)
        #expect(files.map(\.path) == ["subtitles/en/seg_000001.vtt"])
        #expect(
            files.first?.text == """
                WEBVTT
                X-TIMESTAMP-MAP=MPEGTS:132000,LOCAL:00:00:00.000

                00:00:00.500 --> 00:00:03.500
                Welcome

                00:00:03.800 --> 00:00:04.500
                Across

                NOTE end of segment

                """)
        _ = subtitles.add(following: first)
        let second = Self.record(2, start: 4_000)
        #expect(!subtitles.needsAnchor(second), "one measurement per epoch")
        let text = subtitles.files(following: second).first?.text ?? ""
        #expect(text.hasPrefix("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:492000,LOCAL:00:00:04.000\n"), "\(text)")
        #expect(text.contains("Across") && !text.contains("Welcome"), "a cue spanning the boundary is in both segments")
    }

    @Test func mpegTSWrapsAt33BitsAndFragmentedMP4DoesNot() {
        let wrapAt: Int64 = 1 << 33
        for (container, expected) in [(Container.ts, Int64(90_000 * 4) - 90_000), (.fmp4, wrapAt - 90_000 + 90_000 * 4)] {
            var subtitles = Self.renditions(container)
            let first = Self.record(1, start: 0)
            subtitles.anchor(start: MediaTime(ticks: wrapAt - 90_000, timeBase: .mpegTS), at: first)
            #expect(subtitles.mpegts(atRecordingMilliseconds: 4_000) == expected, "\(container)")
        }
    }

    @Test func aDiscontinuityIsMeasuredAgainAndKeptInThePlaylist() {
        var subtitles = Self.renditions(.fmp4, window: 2)
        let first = Self.record(1, start: 0)
        subtitles.anchor(start: MediaTime(ticks: 0, timeBase: .mpegTS), at: first)
        _ = subtitles.add(following: first)
        let afterBreak = Self.record(2, start: 4_000, discontinuity: true)
        #expect(subtitles.needsAnchor(afterBreak))
        subtitles.anchor(start: MediaTime(ticks: 900_000, timeBase: Rational(1, 90_000)), at: afterBreak)
        #expect(subtitles.files(following: afterBreak).first?.text.contains("MPEGTS:900000,LOCAL:00:00:04.000") == true)
        _ = subtitles.add(following: afterBreak)
        let removed = subtitles.add(following: Self.record(3, start: 8_000))
        #expect(removed.map(\.folder) == ["subtitles/en"])
        #expect(removed.first?.removed.map(\.uri) == ["seg_000001.vtt"], "the window keeps 2")
        let live = subtitles.rendered(finished: true)
        #expect(live.map(\.path) == ["subtitles/en/live.m3u8"])
        let playlist = try? MediaPlaylist(parsing: live.first?.text ?? "")
        #expect(playlist?.mediaSequence == 2 && playlist?.segments.first?.discontinuity == true && playlist?.endList == true)
    }

    @Test func withoutAMeasurementCueTimeIsMediaTime() {
        var subtitles = Self.renditions(.ts)
        let first = Self.record(1, start: 6_000)
        subtitles.anchor(start: nil, at: first)
        #expect(subtitles.mpegts(atRecordingMilliseconds: 6_000) == 540_000)
    }

    @Test func theMasterPlaylistTagsAndRecordingState() {
        let subtitles = SubtitleRenditions(
            tracks: [Self.track, CaptionTrack(path: "fr.srt", language: "fr", name: "Français", document: WebVTTDocument())],
            container: .ts
        ) { RenditionPlaylists(kinds: [.index], windowSize: 6, finishAsVOD: true, targetMilliseconds: 4_000, firstSequence: 1) }
        let tags = subtitles.mediaRenditions(kind: .index)
        #expect(tags.map(\.uri) == ["subtitles/en/index.m3u8", "subtitles/fr/index.m3u8"])
        #expect(tags.map(\.isDefault) == [true, false] && tags.allSatisfy { $0.autoselect && $0.groupID == "subs" })
        #expect(subtitles.stateEntries(kind: .index).map(\.language) == ["en", "fr"])
    }
}
