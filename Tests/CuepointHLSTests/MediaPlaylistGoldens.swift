import CuepointHLS
import CuepointTime
import Testing

/// A playlist value and the exact text `render()` must produce for it.
struct MediaGolden: Sendable, CustomTestStringConvertible {
    var name: String
    var playlist: MediaPlaylist
    var text: String
    var testDescription: String { name }
}

let product = DateRange(
    id: "p-0001",
    classAttribute: "com.example.shop.product",
    startDate: date("2025-03-14T18:00:04.200Z"),
    clientAttributes: [
        ClientAttribute(name: "X-COM-EXAMPLE-SKU", value: .string("B0ABC12345")),
        ClientAttribute(name: "X-COM-EXAMPLE-PRICE", value: .number("24.99")),
        ClientAttribute(name: "X-COM-EXAMPLE-CARD", value: .string("eyJ0IjoiTXVnIn0")),
    ])

var closedProduct: DateRange {
    var range = product
    range.clientAttributes = []
    range.durationMilliseconds = 171_400
    return range
}

let mediaGoldens: [MediaGolden] = [
    MediaGolden(
        name: "MPEG-TS VOD",
        playlist: MediaPlaylist(
            targetDuration: 6, playlistType: .vod, endList: true,
            segments: [
                MediaSegment(uri: "seg00000.ts", durationMilliseconds: 6006),
                MediaSegment(uri: "seg00001.ts", durationMilliseconds: 5995),
                MediaSegment(uri: "seg00002.ts", durationMilliseconds: 500),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:6",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXTINF:6.006,",
            "seg00000.ts",
            "#EXTINF:5.995,",
            "seg00001.ts",
            "#EXTINF:0.500,",
            "seg00002.ts",
            "#EXT-X-ENDLIST")),
    MediaGolden(
        name: "fMP4 EVENT with product markers (hls-reference §4)",
        playlist: MediaPlaylist(
            targetDuration: 6, playlistType: .event,
            segments: [
                MediaSegment(
                    uri: "seg00000.m4s", durationMilliseconds: 6000, programDateTime: date("2025-03-14T18:00:00Z"),
                    map: MediaInitializationSection(uri: "init.mp4")),
                MediaSegment(
                    uri: "seg00001.m4s", durationMilliseconds: 6000, map: MediaInitializationSection(uri: "init.mp4"),
                    dateRanges: [product]),
                MediaSegment(
                    uri: "seg00029.m4s", durationMilliseconds: 6000, map: MediaInitializationSection(uri: "init.mp4"),
                    dateRanges: [closedProduct]),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:6",
            "#EXT-X-TARGETDURATION:6",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:EVENT",
            "#EXT-X-MAP:URI=\"init.mp4\"",
            "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00.000Z",
            "#EXTINF:6.000,",
            "seg00000.m4s",
            "#EXT-X-DATERANGE:ID=\"p-0001\",CLASS=\"com.example.shop.product\",START-DATE=\"2025-03-14T18:00:04.200Z\","
                + "X-COM-EXAMPLE-SKU=\"B0ABC12345\",X-COM-EXAMPLE-PRICE=24.99,X-COM-EXAMPLE-CARD=\"eyJ0IjoiTXVnIn0\"",
            "#EXTINF:6.000,",
            "seg00001.m4s",
            "#EXT-X-DATERANGE:ID=\"p-0001\",CLASS=\"com.example.shop.product\",START-DATE=\"2025-03-14T18:00:04.200Z\","
                + "DURATION=171.400",
            "#EXTINF:6.000,",
            "seg00029.m4s")),
    MediaGolden(
        name: "sliding live window with discontinuities",
        playlist: MediaPlaylist(
            targetDuration: 4, mediaSequence: 1200, discontinuitySequence: 3, independentSegments: true,
            segments: [
                MediaSegment(
                    uri: "s1200.ts", durationMilliseconds: 4000, programDateTime: date("2025-03-14T18:20:00Z")),
                MediaSegment(
                    uri: "s1201.ts", durationMilliseconds: 3_966, title: "after ad, part 2", discontinuity: true,
                    programDateTime: date("2025-03-14T18:20:04.000Z")),
                MediaSegment(uri: "s1202.ts", durationMilliseconds: 4_499),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:4",
            "#EXT-X-MEDIA-SEQUENCE:1200",
            "#EXT-X-DISCONTINUITY-SEQUENCE:3",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:20:00.000Z",
            "#EXTINF:4.000,",
            "s1200.ts",
            "#EXT-X-DISCONTINUITY",
            "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:20:04.000Z",
            "#EXTINF:3.966,after ad, part 2",
            "s1201.ts",
            "#EXTINF:4.499,",
            "s1202.ts")),
    MediaGolden(
        name: "byte ranges need version 4",
        playlist: MediaPlaylist(
            targetDuration: 10, playlistType: .vod, endList: true,
            segments: [
                MediaSegment(
                    uri: "main.ts", durationMilliseconds: 10_000, byteRange: ByteRange(length: 75_232, offset: 0)),
                MediaSegment(uri: "main.ts", durationMilliseconds: 10_000, byteRange: ByteRange(length: 82_112)),
                MediaSegment(
                    uri: "main.ts", durationMilliseconds: 9_500, byteRange: ByteRange(length: 69_864, offset: 157_344)),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:4",
            "#EXT-X-TARGETDURATION:10",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-BYTERANGE:75232@0",
            "#EXTINF:10.000,",
            "main.ts",
            "#EXT-X-BYTERANGE:82112",
            "#EXTINF:10.000,",
            "main.ts",
            "#EXT-X-BYTERANGE:69864@157344",
            "#EXTINF:9.500,",
            "main.ts",
            "#EXT-X-ENDLIST")),
    MediaGolden(
        name: "I-frames-only fMP4: init section and frames as byte ranges of one file",
        playlist: MediaPlaylist(
            targetDuration: 4, playlistType: .vod, iFramesOnly: true, endList: true,
            segments: [
                MediaSegment(
                    uri: "main.mp4", durationMilliseconds: 4_004,
                    map: MediaInitializationSection(uri: "main.mp4", byteRange: ByteRange(length: 1_120, offset: 0)),
                    byteRange: ByteRange(length: 25_344, offset: 1_120)),
                MediaSegment(
                    uri: "main.mp4", durationMilliseconds: 4_004,
                    map: MediaInitializationSection(uri: "main.mp4", byteRange: ByteRange(length: 1_120, offset: 0)),
                    byteRange: ByteRange(length: 24_816, offset: 401_984)),
                MediaSegment(
                    uri: "main.mp4", durationMilliseconds: 2_002,
                    map: MediaInitializationSection(uri: "main.mp4", byteRange: ByteRange(length: 1_120, offset: 0)),
                    byteRange: ByteRange(length: 25_680, offset: 806_272)),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:5",
            "#EXT-X-TARGETDURATION:4",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-I-FRAMES-ONLY",
            "#EXT-X-MAP:URI=\"main.mp4\",BYTERANGE=\"1120@0\"",
            "#EXT-X-BYTERANGE:25344@1120",
            "#EXTINF:4.004,",
            "main.mp4",
            "#EXT-X-BYTERANGE:24816@401984",
            "#EXTINF:4.004,",
            "main.mp4",
            "#EXT-X-BYTERANGE:25680@806272",
            "#EXTINF:2.002,",
            "main.mp4",
            "#EXT-X-ENDLIST")),
    MediaGolden(
        name: "I-frames-only MPEG-TS: frames at explicit offsets into the media segments",
        playlist: MediaPlaylist(
            targetDuration: 6, playlistType: .vod, independentSegments: true, iFramesOnly: true, endList: true,
            segments: [
                MediaSegment(
                    uri: "seg00000.ts", durationMilliseconds: 2_002, byteRange: ByteRange(length: 9_024, offset: 376)),
                MediaSegment(
                    uri: "seg00000.ts", durationMilliseconds: 4_004,
                    byteRange: ByteRange(length: 8_836, offset: 310_872)),
                MediaSegment(
                    uri: "seg00001.ts", durationMilliseconds: 6_006, byteRange: ByteRange(length: 9_212, offset: 376)),
                MediaSegment(
                    uri: "seg00001.ts", durationMilliseconds: 0, byteRange: ByteRange(length: 9_212, offset: 376)),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:4",
            "#EXT-X-TARGETDURATION:6",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            "#EXT-X-I-FRAMES-ONLY",
            "#EXT-X-BYTERANGE:9024@376",
            "#EXTINF:2.002,",
            "seg00000.ts",
            "#EXT-X-BYTERANGE:8836@310872",
            "#EXTINF:4.004,",
            "seg00000.ts",
            "#EXT-X-BYTERANGE:9212@376",
            "#EXTINF:6.006,",
            "seg00001.ts",
            "#EXT-X-BYTERANGE:9212@376",
            "#EXTINF:0.000,",
            "seg00001.ts",
            "#EXT-X-ENDLIST")),
    MediaGolden(
        name: "EXT-X-MAP written only when it changes",
        playlist: MediaPlaylist(
            targetDuration: 2, mediaSequence: 7,
            segments: [
                MediaSegment(
                    uri: "a/1.m4s", durationMilliseconds: 2000, map: MediaInitializationSection(uri: "a/init.mp4")),
                MediaSegment(
                    uri: "a/2.m4s", durationMilliseconds: 2000, map: MediaInitializationSection(uri: "a/init.mp4")),
                MediaSegment(
                    uri: "b/1.m4s", durationMilliseconds: 1_001, discontinuity: true,
                    map: MediaInitializationSection(uri: "b/all.mp4", byteRange: ByteRange(length: 720, offset: 0))),
                MediaSegment(
                    uri: "b/2.m4s", durationMilliseconds: 2_002,
                    map: MediaInitializationSection(uri: "b/all.mp4", byteRange: ByteRange(length: 720, offset: 0))),
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:6",
            "#EXT-X-TARGETDURATION:2",
            "#EXT-X-MEDIA-SEQUENCE:7",
            "#EXT-X-MAP:URI=\"a/init.mp4\"",
            "#EXTINF:2.000,",
            "a/1.m4s",
            "#EXTINF:2.000,",
            "a/2.m4s",
            "#EXT-X-DISCONTINUITY",
            "#EXT-X-MAP:URI=\"b/all.mp4\",BYTERANGE=\"720@0\"",
            "#EXTINF:1.001,",
            "b/1.m4s",
            "#EXTINF:2.002,",
            "b/2.m4s")),
    MediaGolden(
        name: "no segments yet",
        playlist: MediaPlaylist(targetDuration: 6, playlistType: .event),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:6",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:EVENT")),
    MediaGolden(
        name: "every DATERANGE attribute, in order",
        playlist: MediaPlaylist(
            targetDuration: 6,
            segments: [
                MediaSegment(
                    uri: "0.ts", durationMilliseconds: 6000, programDateTime: date("2025-03-14T18:00:00Z"),
                    dateRanges: [
                        DateRange(
                            id: "a", classAttribute: "com.example.chapter", startDate: date("2025-03-14T18:00:00Z"),
                            endDate: date("2025-03-14T18:00:01.500Z"), durationMilliseconds: 1500,
                            plannedDurationMilliseconds: 2000,
                            clientAttributes: [
                                ClientAttribute(name: "X-ID", value: .hexadecimal([0x0A, 0x1B, 0xFF])),
                                ClientAttribute(name: "X-DELTA", value: .number("-3")),
                            ]),
                        DateRange(
                            id: "b", classAttribute: "com.example.chapter", startDate: date("2025-03-14T18:00:01.5Z"),
                            endOnNext: true),
                        DateRange(id: "c", startDate: date("2025-03-14T18:00:02Z"), durationMilliseconds: 0),
                    ])
            ]),
        text: lines(
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:6",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:00.000Z",
            "#EXT-X-DATERANGE:ID=\"a\",CLASS=\"com.example.chapter\",START-DATE=\"2025-03-14T18:00:00.000Z\","
                + "END-DATE=\"2025-03-14T18:00:01.500Z\",DURATION=1.500,PLANNED-DURATION=2.000,"
                + "X-ID=0x0A1BFF,X-DELTA=-3",
            "#EXT-X-DATERANGE:ID=\"b\",CLASS=\"com.example.chapter\",START-DATE=\"2025-03-14T18:00:01.500Z\","
                + "END-ON-NEXT=YES",
            "#EXT-X-DATERANGE:ID=\"c\",START-DATE=\"2025-03-14T18:00:02.000Z\",DURATION=0.000",
            "#EXTINF:6.000,",
            "0.ts")),
]
