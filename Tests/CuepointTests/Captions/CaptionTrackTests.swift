import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

@testable import Cuepoint

/// Reading a pipeline's caption files, shared by the recording and the replay.
@Suite(.ownThreads) struct CaptionTrackTests {
    @Test func readableFilesBecomeTracksAndEveryProblemIsANoteByFileAndLine() throws {
        try TemporaryDirectory.withBlocking(label: "caption-track") { directory in
            let bad = directory.appendingPathComponent("bad.srt")
            try Data("1\n00:00:01,000 --> 00:00:02,000\nGood.\n\n2\n00:00:3,000 --> 00:00:04,000\nBad.\n".utf8).write(to: bad)
            let missing = directory.appendingPathComponent("missing.vtt").path
            let loading = CaptionTrack.load(
                [
                    CaptionSource(path: bad.path, language: "de"), CaptionSource(path: missing, language: "es"),
                    CaptionSource(path: bad.path, language: "de", name: "Again"),
                ], for: "the recording")
            #expect(loading.tracks.map(\.language) == ["de"])
            #expect(loading.tracks.first?.name == "Deutsch")
            #expect(loading.tracks.first?.document.cues.map(\.text) == ["Good."])
            #expect(loading.notes.count == 3, "\(loading.notes)")
            #expect(loading.notes.first?.hasPrefix("\(bad.path):6: ") == true)
            #expect(loading.notes.contains("\(missing): the caption file cannot be read; the recording has no es captions"))
            #expect(loading.notes.last == "\(bad.path): a caption file for language de was given already; this one is left out")
        }
    }

    @Test func aPipelineReportsItsCaptionProblems() {
        var spec = PipelineSpec(name: "show", input: InputSpec(url: "in.ts"))
        #expect(spec.captionProblems().isEmpty)
        spec.captions = [CaptionSource(path: "/nonexistent/en.vtt", language: "en")]
        #expect(spec.captionProblems() == ["/nonexistent/en.vtt: the caption file cannot be read; the recording has no en captions"])
    }
}
