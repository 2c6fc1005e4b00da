import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Where the cuts land on sample.mp4 (closed 2 s GOPs: keyframes at 0, 2, … 18 s), and
    /// that a run is reproducible.
    @Suite("Segment boundaries and determinism", .ownThreads)
    struct SegmentBoundaries {
        @Test("two runs with the same clock write identical files", arguments: Container.allCases)
        func runsAreReproducible(container: Container) async throws {
            try await TemporaryDirectory.with(label: "determinism") { directory in
                let first = directory.appendingPathComponent("first"), second = directory.appendingPathComponent("second")
                let spec = LibraryRun.spec(input: SampleInput.mp4.path, container: container)
                _ = try await LibraryRun.run(spec, into: first, clock: ManualClock(start: LibraryRun.fixedDate))
                _ = try await LibraryRun.run(spec, into: second, clock: ManualClock(start: LibraryRun.fixedDate))

                let files = filesBelow(first)
                #expect(files == filesBelow(second))
                #expect(files.contains("master.m3u8") && files.contains("source/index.m3u8"))
                for file in files {
                    let one = FileManager.default.contents(atPath: first.appendingPathComponent(file).path)
                    let other = FileManager.default.contents(atPath: second.appendingPathComponent(file).path)
                    #expect(one == other, "\(file) differs between two identical runs")
                }
            }
        }

        @Test("a 6 s target on 2 s GOPs cuts at 6, 12 and 18 s")
        func sixSecondTarget() async throws {
            try await TemporaryDirectory.with(label: "cuts-6s") { directory in
                _ = try await LibraryRun.run(LibraryRun.spec(input: SampleInput.mp4.path, container: .ts), into: directory)
                let rendition = try verifyRecording(directory: directory, container: .ts).rendition
                try expectCuts(rendition, atMilliseconds: [6_000, 12_000, 18_000], target: 6_000)
            }
        }

        @Test("`cuepoint segment --segment 4s` cuts at 4, 8, 12 and 16 s")
        func fourSecondTargetThroughTheCommandLine() async throws {
            try await TemporaryDirectory.with(label: "cuts-4s") { directory in
                let output = directory.appendingPathComponent("out")
                let result = try CuepointCLI.run(["segment", SampleInput.mp4.path, "-o", output.path, "--segment", "4s"])
                #expect(result.status == 0, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 4_000).rendition
                #expect(rendition.playlist.targetDuration == 4)
                try expectCuts(rendition, atMilliseconds: [4_000, 8_000, 12_000, 16_000], target: 4_000)
            }
        }

        @Test("a 5 s target cuts at the first keyframe at or after each grid line: 6, 10 and 16 s")
        func fiveSecondTargetFollowsTheGrid() async throws {
            try await TemporaryDirectory.with(label: "cuts-5s") { directory in
                let spec = LibraryRun.spec(input: SampleInput.mp4.path, container: .fmp4, segmentMilliseconds: 5_000)
                _ = try await LibraryRun.run(spec, into: directory)
                let rendition = try verifyRecording(directory: directory, container: .fmp4, segmentMilliseconds: 5_000).rendition
                // Grid lines at 5, 10, 15 s: 0→6 (first keyframe ≥ 5), 6→10 (≥ 10), 10→16 (≥ 15),
                // and 16 lies in the cell [15, 20), whose line 20 is the end of the input.
                try expectCuts(rendition, atMilliseconds: [6_000, 10_000, 16_000], target: 5_000)
                #expect(rendition.playlist.segments.map(\.durationMilliseconds) == [6_000, 4_000, 6_000, 4_000])
                #expect(rendition.playlist.targetDuration == 6, "a 6 s segment needs TARGETDURATION 6")
            }
        }

        /// Checks the cuts three ways: the EXTINF running sums, ffprobe's first presentation time
        /// of each segment (relative to the first segment's), and the grid rule applied to the
        /// source's keyframes as ffprobe reports them.
        private func expectCuts(
            _ rendition: CheckedRendition, atMilliseconds expected: [Int64], target: Int64,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            var running: Int64 = 0
            var fromPlaylist: [Int64] = []
            for segment in rendition.playlist.segments.dropLast() {
                running += segment.durationMilliseconds
                fromPlaylist.append(running)
            }
            #expect(fromPlaylist == expected, "cuts by EXTINF", sourceLocation: sourceLocation)

            let origin = try #require(rendition.segments.first?.firstPTS, sourceLocation: sourceLocation)
            let probed = rendition.segments.dropFirst().map { Int64((($0.firstPTS - origin) * 1000).rounded()) }
            #expect(probed == expected, "cuts by ffprobe", sourceLocation: sourceLocation)

            let keyframes = try FFprobe.packets(of: SampleInput.mp4.path, stream: "v:0")
                .filter(\.isKeyframe).compactMap(\.ptsTime).map { Int64(($0 * 1000).rounded()) }.sorted()
            #expect(gridCuts(keyframes: keyframes, target: target) == expected, "cuts by the grid rule", sourceLocation: sourceLocation)
        }

        /// The cut rule, written independently: the grid is anchored at the first keyframe;
        /// a segment that starts at `s` ends at the first keyframe at or after the grid line
        /// following the cell that holds `s`.
        private func gridCuts(keyframes: [Int64], target: Int64) -> [Int64] {
            guard let origin = keyframes.first else { return [] }
            var start = origin
            var cuts: [Int64] = []
            for keyframe in keyframes.dropFirst() {
                let nextLine = origin + ((start - origin) / target + 1) * target
                if keyframe >= nextLine {
                    cuts.append(keyframe - origin)
                    start = keyframe
                }
            }
            return cuts
        }
    }
}
