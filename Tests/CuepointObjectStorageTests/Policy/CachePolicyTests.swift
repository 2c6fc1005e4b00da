import CuepointTestSupport
import CuepointObjectStorage
import Testing

@Suite(.ownThreads) struct CachePolicyTests {
    @Test(arguments: [
        ("show/source/seg_000001.ts", "video/mp2t"), ("source/seg_000001.m4s", "video/iso.segment"),
        ("source/init.mp4", "video/mp4"), ("source/init_2.mp4", "video/mp4"), ("audio/seg_000001.aac", "audio/aac"),
        ("show/subtitles/en/seg_000001.vtt", "text/vtt"),
    ])
    func segmentsAndInitSectionsAreImmutableForTwoWeeks(key: String, type: String) {
        #expect(CachePolicy.headersForFile(key: key) == ObjectHeaders(contentType: type, cacheControl: "max-age=1209600, immutable"))
    }

    @Test func livePlaylistsLiveHalfATargetDuration() {
        #expect(
            CachePolicy.headersForDocument(key: "source/live.m3u8", isFinal: false, targetDurationMilliseconds: 6000)
                == ObjectHeaders(contentType: "application/vnd.apple.mpegurl", cacheControl: "max-age=3"))
        #expect(
            CachePolicy.headersForDocument(key: "master.m3u8", isFinal: false, targetDurationMilliseconds: 4000).cacheControl
                == "max-age=2")
        // Never zero: a 1 s target (or none known) still caches for a second.
        #expect(
            CachePolicy.headersForDocument(key: "a/index.m3u8", isFinal: false, targetDurationMilliseconds: 1000).cacheControl
                == "max-age=1")
        #expect(CachePolicy.headersForDocument(key: "a/index.m3u8", isFinal: false).cacheControl == "max-age=1")
    }

    @Test func finishedPlaylistsAndDocumentsLiveADay() {
        #expect(
            CachePolicy.headersForDocument(key: "source/index.m3u8", isFinal: true, targetDurationMilliseconds: 6000)
                == ObjectHeaders(contentType: "application/vnd.apple.mpegurl", cacheControl: "max-age=86400"))
        #expect(
            CachePolicy.headersForDocument(key: "replay/chapters.json", isFinal: true)
                == ObjectHeaders(contentType: "application/json", cacheControl: "max-age=86400"))
        #expect(CachePolicy.headersForDocument(key: "replay/chapters.vtt", isFinal: true).contentType == "text/vtt")
        // A WebVTT file that is not a subtitle segment (a replay's whole-show captions) is a document.
        #expect(CachePolicy.headersForFile(key: "replay/captions/en.vtt") == ObjectHeaders(contentType: "text/vtt", cacheControl: "max-age=86400"))
    }

    @Test func liveStateDocumentsAreRevalidated() {
        #expect(
            CachePolicy.headersForDocument(key: "recording.json", isFinal: false)
                == ObjectHeaders(contentType: "application/json", cacheControl: "no-cache"))
        #expect(
            CachePolicy.headersForDocument(key: "markers.jsonl", isFinal: false)
                == ObjectHeaders(contentType: "application/x-ndjson", cacheControl: "no-cache"))
    }

    @Test func replayFilesAreCachedADayNotForever() {
        #expect(CachePolicy.headersForFile(key: "replay/replay.mp4") == ObjectHeaders(contentType: "video/mp4", cacheControl: "max-age=86400"))
        #expect(CachePolicy.headersForFile(key: "replay/thumbnails/p1.jpg").contentType == "image/jpeg")
        #expect(CachePolicy.headersForFile(key: "replay/index.html").contentType == "text/html; charset=utf-8")
        #expect(CachePolicy.headersForFile(key: "LICENSE").contentType == "application/octet-stream")
    }
}
