import CuepointTestSupport
import Testing

@testable import Cuepoint

/// Which valid key or value a misspelling is taken for.
@Suite(.ownThreads) struct KeySuggestionTests {
    static let outputKeys = PipelineDecoder.outputKeys

    @Test(
        arguments: [
            ("sgement", "segment"), ("segmnet", "segment"), ("Segment", "segment"), ("segments", "segment"),
            ("segment_duration", "segment"), ("seg", "segment"), ("dir", "directory"), ("directroy", "directory"),
            ("live-window", "live_window"), ("liveWindow", "live_window"), ("livewindow", "live_window"),
            ("window", nil), ("playlist", "playlists"), ("contianer", "container"), ("x", nil), ("zzz", nil),
            ("format", nil),
        ] as [(String, String?)])
    func outputKeySuggestions(word: String, expected: String?) {
        #expect(KeySuggestion.closest(to: word, among: Self.outputKeys) == expected)
    }

    @Test(
        arguments: [
            ("id", ["url"], nil), ("uri", ["url"], "url"), ("rmtp", ["rtmp", "rtp"], "rtmp"),
            ("mp4", ["ts", "fmp4"], "fmp4"),
            ("lve", ["index", "live"], "live"), ("", ["a"], nil), ("versoin", PipelineDecoder.topLevelKeys, "version"),
            ("rendition", PipelineDecoder.topLevelKeys, "renditions"),
            ("start-date", PipelineDecoder.inputKeys, "start_date"),
        ] as [(String, [String], String?)])
    func otherSuggestions(word: String, candidates: [String], expected: String?) {
        #expect(KeySuggestion.closest(to: word, among: candidates) == expected)
    }

    @Test(arguments: [
        ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0), ("sgement", "segment", 1),
        ("ab", "ba", 1), ("abc", "ca", 3),
    ])
    func editDistance(lhs: String, rhs: String, distance: Int) {
        #expect(KeySuggestion.editDistance(lhs, rhs) == distance)
        #expect(KeySuggestion.editDistance(rhs, lhs) == distance)
    }

    @Test(
        arguments: [
            ("Spring Sale!", "spring-sale"), ("My_Show.2025", "my_show.2025"), ("--Live--", "live"),
            ("Été 2025", "ete-2025"), ("日本", nil),
            ("a  --  b", "a-b"), ("!!!", nil), ("Show 1.", "show-1"),
        ] as [(String, String?)])
    func slugs(text: String, expected: String?) {
        #expect(KeySuggestion.slug(text) == expected)
        if let expected { #expect(PipelineDecoder.isValidName(expected)) }
    }
}
