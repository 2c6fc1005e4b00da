import CuepointTestSupport
import CuepointHLS
import CuepointTime

/// Builds varied but valid playlists from a seed, for render → parse → render round trips.
struct PlaylistGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    private mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }

    private static let titles = [
        "", "Intro", "a,b,c", "Ünïcode ✓ 商品", "  spaced  ", "#hash", "quote \" inside", "\u{301}combining mark first",
        ",\u{301}comma then mark",
    ]
    private static let uris = [
        "seg.ts", "v720/seg00001.m4s", "https://cdn.example.com/a%20b.ts?token=x&y=1", "s.aac", "\u{301}mark.ts",
    ]

    mutating func mediaPlaylist() -> MediaPlaylist {
        let container = Int.random(in: 0..<3, using: &random)  // 0 TS, 1 fMP4, 2 byte ranges
        let count = Int.random(in: 0...10, using: &random)
        var segments: [MediaSegment] = []
        var clock = Int64.random(in: 1_600_000_000_000...1_800_000_000_000, using: &random)
        var map: MediaInitializationSection? = container == 1 ? MediaInitializationSection(uri: "init0.mp4") : nil
        var offset: Int64 = 0
        var rangeID = 0
        for index in 0..<count {
            let duration = Int64.random(in: 0...12_000, using: &random)
            var segment = MediaSegment(
                uri: container == 2 ? "all.ts" : "\(index)-" + pick(PlaylistGenerator.uris),
                durationMilliseconds: duration)
            if chance(30) { segment.title = pick(PlaylistGenerator.titles) }
            if chance(15) { segment.discontinuity = true }
            if index == 0 || chance(25) { segment.programDateTime = WallClockTime(millisecondsSince1970: clock) }
            if container == 1 {
                if chance(20) {
                    map = MediaInitializationSection(
                        uri: "init\(index).mp4",
                        byteRange: chance(50)
                            ? ByteRange(length: Int64.random(in: 1...9999, using: &random), offset: 0) : nil)
                }
                segment.map = map
            }
            if container == 2 {
                let length = Int64.random(in: 1...500_000, using: &random)
                segment.byteRange = ByteRange(length: length, offset: index == 0 || chance(50) ? offset : nil)
                offset += length
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                rangeID += 1
                segment.dateRanges.append(dateRange(id: "r\(rangeID)", start: clock))
            }
            segments.append(segment)
            clock += duration
        }
        let longest = segments.map(\.durationMilliseconds).max() ?? 0
        return MediaPlaylist(
            targetDuration: MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: longest)
                + Int.random(in: 0...2, using: &random),
            mediaSequence: chance(50) ? 0 : Int64.random(in: 1...Int64.max, using: &random),
            discontinuitySequence: chance(50) ? 0 : Int64.random(in: 1...1_000_000, using: &random),
            playlistType: pick([nil, .event, .vod]),
            independentSegments: chance(30),
            iFramesOnly: container != 0 && chance(30),
            endList: chance(40),
            segments: segments)
    }

    mutating func dateRange(id: String, start: Int64) -> DateRange {
        let startDate = WallClockTime(millisecondsSince1970: start + Int64.random(in: 0...5_000, using: &random))
        var range = DateRange(id: id, startDate: startDate)
        if chance(70) { range.classAttribute = "com.example.shop.product" }
        if range.classAttribute != nil, chance(25) {
            range.endOnNext = true
        } else {
            if chance(50) { range.durationMilliseconds = Int64.random(in: 0...600_000, using: &random) }
            if chance(30) {
                range.endDate = WallClockTime(
                    millisecondsSince1970: startDate.millisecondsSince1970
                        + (range.durationMilliseconds ?? Int64.random(in: 0...600_000, using: &random)))
            }
        }
        if chance(30) { range.plannedDurationMilliseconds = Int64.random(in: 0...600_000, using: &random) }
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let value: AttributeValue = pick([
                .string("eyJ0IjoiTXVnIn0"), .string("a,b=c d"), .string("\u{301}x,\u{301}y"),
                .hexadecimal([0x00, 0xAB]), .number("24.99"),
                .number("-7"), .number("0"),
            ])
            range.clientAttributes.append(ClientAttribute(name: "X-COM-EXAMPLE-A\(index)", value: value))
        }
        return range
    }

    mutating func multivariantPlaylist() -> MultivariantPlaylist {
        var playlist = MultivariantPlaylist(independentSegments: chance(50))
        for index in 0..<Int.random(in: 0...6, using: &random) {
            var variant = VariantStream(
                uri: "v\(index)/index.m3u8", bandwidth: Int.random(in: 0...50_000_000, using: &random))
            if chance(70) { variant.averageBandwidth = Int.random(in: 0...50_000_000, using: &random) }
            if chance(70) {
                variant.codecs = pick([
                    ["avc1.64001f"], ["avc1.64001f", "mp4a.40.2"], ["hvc1.1.6.L93.90", "mp4a.40.5"],
                ])
            }
            if chance(60) {
                variant.resolution = pick([Resolution(width: 640, height: 360), Resolution(width: 3840, height: 2160)])
            }
            if chance(60) { variant.frameRate = Rational(Int64.random(in: 1...240_000, using: &random), 1000) }
            playlist.variants.append(variant)
        }
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let language = pick([nil, "en", "he", "pt-BR"])
            let content: SessionData.Content =
                chance(50)
                ? .value(pick(["Spring Sale", "a,b=c d", "מבצע אביב", "\u{301}mark"]))
                : .uri("data\(index).json", format: pick([nil, .json, .raw]))
            playlist.sessionData.append(
                SessionData(dataID: "com.example.data\(index)", content: content, language: language))
        }
        for index in 0..<Int.random(in: 0...3, using: &random) {
            var stream = IFrameStream(
                uri: "v\(index)/iframes.m3u8", bandwidth: Int.random(in: 0...5_000_000, using: &random))
            if chance(50) { stream.averageBandwidth = Int.random(in: 0...5_000_000, using: &random) }
            if chance(70) { stream.codecs = pick([["avc1.64001f"], ["hvc1.1.6.L93.90"]]) }
            if chance(70) { stream.resolution = Resolution(width: 1280, height: 720) }
            playlist.iFrameStreams.append(stream)
        }
        return playlist
    }
}
