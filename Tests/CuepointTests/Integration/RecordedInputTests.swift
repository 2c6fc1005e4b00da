import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Every SampleMedia input in both containers through `PipelineRunner`, judged by our strict
    /// playlist parser, ffprobe and GStreamer.
    @Suite("Recorded inputs through the library", .ownThreads)
    struct RecordedInputs {
        @Test("a recorded input becomes a valid VOD recording", arguments: SampleInput.allCases, Container.allCases)
        func writesValidRecording(input: SampleInput, container: Container) async throws {
            try await TemporaryDirectory.with(label: "recorded") { directory in
                let spec = LibraryRun.spec(input: input.path, container: container)
                let (summary, warnings) = try await LibraryRun.run(spec, into: directory)
                #expect(warnings.isEmpty, "a clean input gives no warnings: \(warnings)")

                let recording = try verifyRecording(directory: directory, container: container)
                let rendition = recording.rendition
                #expect(recording.master.variants.map(\.uri) == ["source/index.m3u8"])
                #expect(rendition.hasVideo == input.hasVideo)
                #expect(rendition.playlist.playlistType == .vod)
                #expect(rendition.playlist.endList)
                #expect(rendition.discontinuityCount == 0)
                #expect(summary.renditions.map(\.segments) == [rendition.playlist.segments.count])
                #expect(summary.renditions.map(\.durationMilliseconds) == [rendition.totalMilliseconds])
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("source/live.m3u8").path))
                expectContinuousProgramDateTime(rendition.playlist)
                #expect(rendition.playlist.segments.first?.programDateTime == LibraryRun.fixedDate)

                try expectDurationMatchesSource(rendition, source: input.path)
                try expectVariantDescribes(source: input.path, recording: recording)
                // The values SampleMedia/README.md documents, to catch a wrong derivation above.
                if input.hasVideo {
                    #expect(recording.masterText.contains(#"CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000"#))
                } else {
                    #expect(recording.masterText.contains(#"CODECS="mp4a.40.2""#))
                }
            }
        }

        @Test(
            "the recording plays to the end in GStreamer", .enabled(if: GStreamer.isInstalled),
            arguments: SampleInput.allCases, Container.allCases)
        func playsToTheEnd(input: SampleInput, container: Container) async throws {
            try await TemporaryDirectory.with(label: "recorded-play") { directory in
                _ = try await LibraryRun.run(LibraryRun.spec(input: input.path, container: container), into: directory)
                // SampleMedia/README.md: 600 video frames; the audio packets as ffprobe counts them.
                try expectPlays(
                    directory.appendingPathComponent("master.m3u8"), videoFrames: input.hasVideo ? 600 : 0,
                    audioBuffers: try packetCount(of: input.path, stream: "a:0"))
            }
        }
    }
}
