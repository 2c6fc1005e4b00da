import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@Suite("MediaPlaylist rendering", .ownThreads)
struct MediaPlaylistTests {
    @Test("render() matches the golden text byte for byte", arguments: mediaGoldens)
    func rendersGolden(_ golden: MediaGolden) {
        #expect(golden.playlist.render() == golden.text)
    }

    @Test(
        "version is the minimum the content needs",
        arguments: [
            ([MediaSegment(uri: "a.ts", durationMilliseconds: 1000)], 3),
            ([MediaSegment(uri: "a.ts", durationMilliseconds: 1000, byteRange: ByteRange(length: 10, offset: 0))], 4),
            (
                [
                    MediaSegment(uri: "a.ts", durationMilliseconds: 1000, byteRange: ByteRange(length: 10, offset: 0)),
                    MediaSegment(
                        uri: "b.m4s", durationMilliseconds: 1000, map: MediaInitializationSection(uri: "i.mp4")),
                ], 6
            ),
            ([], 3),
        ])
    func version(segments: [MediaSegment], expected: Int) {
        let playlist = MediaPlaylist(targetDuration: 1, segments: segments)
        #expect(playlist.version == expected)
        #expect(playlist.render().contains("#EXT-X-VERSION:\(expected)\n"))
    }

    @Test(
        "EXT-X-I-FRAMES-ONLY needs version 4, and lowers EXT-X-MAP's requirement from 6 to 5",
        arguments: [
            (true, [], 4),
            (
                true,
                [MediaSegment(uri: "a.ts", durationMilliseconds: 1000, byteRange: ByteRange(length: 10, offset: 0))], 4
            ),
            (
                true,
                [
                    MediaSegment(
                        uri: "a.mp4", durationMilliseconds: 1000,
                        map: MediaInitializationSection(uri: "a.mp4", byteRange: ByteRange(length: 10, offset: 0)),
                        byteRange: ByteRange(length: 10, offset: 10))
                ], 5
            ),
            (
                false,
                [MediaSegment(uri: "b.m4s", durationMilliseconds: 1000, map: MediaInitializationSection(uri: "i"))], 6
            ),
        ])
    func iFramesOnlyVersion(iFramesOnly: Bool, segments: [MediaSegment], expected: Int) {
        let playlist = MediaPlaylist(targetDuration: 1, iFramesOnly: iFramesOnly, segments: segments)
        #expect(playlist.version == expected)
        #expect(playlist.render().contains("#EXT-X-VERSION:\(expected)\n"))
        #expect(playlist.render().contains("\n#EXT-X-I-FRAMES-ONLY\n") == iFramesOnly)
    }

    @Test(
        "target duration is the longest EXTINF rounded half up, at least 1",
        arguments: [
            (Int64(6_006), 6), (6_499, 6), (6_500, 7), (5_500, 6), (5_499, 5), (10_000, 10), (400, 1), (0, 1),
            (1_499, 1),
            (1_500, 2),
        ])
    func targetDuration(longest: Int64, expected: Int) {
        #expect(MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: longest) == expected)
    }

    @Test("EXTINF durations render with exactly three decimals")
    func extinfDecimals() {
        let cases: [(Int64, String)] = [
            (0, "0.000"), (1, "0.001"), (10, "0.010"), (999, "0.999"), (1000, "1.000"),
            (123_456_789, "123456.789"),
        ]
        for (milliseconds, text) in cases {
            let playlist = MediaPlaylist(
                targetDuration: 200_000, segments: [MediaSegment(uri: "x", durationMilliseconds: milliseconds)])
            #expect(playlist.render().contains("\n#EXTINF:\(text),\nx\n"), "\(milliseconds) ms")
        }
    }

    @Test("a MAP equal to the previous one is not repeated; a new one is")
    func mapRepetition() {
        let first = MediaInitializationSection(uri: "init-a.mp4")
        let second = MediaInitializationSection(uri: "init-b.mp4")
        let playlist = MediaPlaylist(
            targetDuration: 1,
            segments: [first, first, second, second, first].enumerated().map { index, map in
                MediaSegment(uri: "\(index).m4s", durationMilliseconds: 1000, map: map)
            })
        let mapLines = playlist.render().split(separator: "\n").filter { $0.hasPrefix("#EXT-X-MAP") }
        #expect(
            mapLines == [
                "#EXT-X-MAP:URI=\"init-a.mp4\"", "#EXT-X-MAP:URI=\"init-b.mp4\"", "#EXT-X-MAP:URI=\"init-a.mp4\"",
            ])
    }
}
