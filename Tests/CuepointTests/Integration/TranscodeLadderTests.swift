import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

// Transcoded renditions through the whole pipeline (`PipelineRunner`): one decode, a thread
// per rendition, segments cut where the session cut. Judged with ffprobe (sizes, codecs,
// keyframes, where each segment starts), our strict playlist parser, and GStreamer.

extension Integration {
    @Suite("Transcoding", .serialized, .enabled(if: TranscodeHarness.ffmpegInstalled, "needs the ffmpeg and ffprobe programs"), .ownThreads)
    struct TranscodeLadders {
        /// 640x360, 480x270 (Main), 320x180 (Baseline 3.0) and an audio-only rendition.
        static func ladder() -> [RenditionSpec] {
            [
                RenditionSpec(
                    name: "v360", copy: false,
                    video: VideoSpec(height: 360, bitrate: 800_000, maxrate: 1_200_000, bufsize: 1_600_000, profile: "high"),
                    audio: AudioSettings(bitrate: 128_000)),
                RenditionSpec(
                    name: "v270", copy: false,
                    video: VideoSpec(height: 270, bitrate: 450_000, maxrate: 675_000, bufsize: 900_000, profile: "main"),
                    audio: AudioSettings(bitrate: 96_000)),
                RenditionSpec(
                    name: "v180", copy: false, video: VideoSpec(width: 320, crf: 28, profile: "baseline", level: "3.0"),
                    audio: AudioSettings(bitrate: 64_000)),
                RenditionSpec(name: "audio", copy: false, audio: AudioSettings(bitrate: 64_000)),
            ]
        }

        static func spec(
            input: String, container: Container, renditions: [RenditionSpec], deterministic: Bool = false,
            segmentMilliseconds: Int64 = 4_000
        ) -> PipelineSpec {
            var spec = LibraryRun.spec(input: input, container: container, segmentMilliseconds: segmentMilliseconds)
            spec.renditions = renditions
            spec.transcode = TranscodeSpec(deterministic: deterministic)
            return spec
        }

        /// The first presentation time of each segment of each rendition, in milliseconds.
        static func segmentStarts(_ recording: CheckedRecording) -> [[Int]] {
            recording.renditions.map { $0.segments.map { Int(($0.firstPTS * 1000).rounded()) } }
        }

        @Test(arguments: [Container.fmp4, .ts])
        func aLadderFromSampleMediaHasAlignedSegments(container: Container) async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-\(container.rawValue)") { directory in
                let input = SampleInput.mp4.path
                let (summary, warnings) = try LibraryRun.runBlocking(
                    Self.spec(input: input, container: container, renditions: Self.ladder()), into: directory)
                #expect(warnings.isEmpty, "\(warnings)")
                #expect(summary.renditions.map(\.name) == ["v360", "v270", "v180", "audio"])
                #expect(summary.renditions.allSatisfy { $0.transcoded })

                // Every segment starts with a keyframe (checked by verifyRecording), and at the same
                // media time, with the same EXTINF, in every rendition.
                let recording = try verifyRecording(directory: directory, container: container, segmentMilliseconds: 4_000)
                let durations = recording.renditions.map { $0.playlist.segments.map(\.durationMilliseconds) }
                #expect(durations.allSatisfy { $0 == durations[0] }, "\(durations)")
                #expect(durations[0] == [4000, 4000, 4000, 4000, 4000])
                let starts = Self.segmentStarts(recording)
                for video in starts.prefix(3) { #expect(video == starts[0], "\(starts)") }
                // The audio-only rendition cuts at the first AAC frame at or after each boundary.
                #expect(zip(starts[3], starts[0]).allSatisfy { $1 <= $0 && $0 - $1 <= 22 }, "\(starts)")
                // Keyframes only at the segment starts: scene cuts are off, the GOP is the segment.
                for rendition in recording.renditions where rendition.hasVideo {
                    for segment in rendition.segments {
                        #expect(segment.packets.filter(\.isKeyframe).count == 1, "\(segment.file.lastPathComponent)")
                    }
                }

                // Sizes, codecs and the CODECS attribute from what the encoders really made.
                let expected: [String: (Int, Int, String, String)] = [
                    "v360": (640, 360, "High", "avc1.64001e"), "v270": (480, 270, "Main", "avc1.4d4015"),
                    "v180": (320, 180, "Constrained Baseline", "avc1.42c01e"),
                ]
                for (variant, rendition) in zip(recording.master.variants, recording.renditions) {
                    let name = String(variant.uri.split(separator: "/")[0])
                    let first = rendition.segments[0]
                    let probed = try FFprobe.streams(of: probeablePath(first, rendition, container, directory))
                    let audio = try #require(probed.first { $0.codecType == "audio" })
                    #expect(audio.codecName == "aac" && audio.sampleRate == 48000 && audio.channels == 2)
                    guard let (width, height, profile, codec) = expected[name] else {
                        #expect(name == "audio" && probed.count == 1 && variant.resolution == nil)
                        #expect(variant.codecs == ["mp4a.40.2"])
                        continue
                    }
                    let video = try #require(probed.first { $0.codecType == "video" })
                    #expect(video.codecName == "h264" && video.width == width && video.height == height, "\(name)")
                    #expect(video.profile == profile, "\(name)")
                    #expect(variant.codecs == [codec, "mp4a.40.2"], "\(name)")
                    #expect(variant.resolution == Resolution(width: width, height: height))
                    #expect(variant.frameRate.map { $0.numerator * 1 == $0.denominator * 30 } == true, "\(name)")
                    // The SPS says the frame rate (VUI timing), so a frame's duration is known from the stream.
                    let timing = try H264Timing.read(probeablePath(first, rendition, container, directory))
                    #expect(timing.present && timing.fixedFrameRate == true && timing.framesPerSecond == 30, "\(name): \(timing)")
                }
                // Peak BANDWIDTH orders the variants as their settings do.
                let bandwidths = recording.master.variants.map(\.bandwidth)
                #expect(bandwidths[0] > bandwidths[1] && bandwidths[1] > bandwidths[2] && bandwidths[2] > bandwidths[3])
                do {
                    try expectPlays(directory.appendingPathComponent("v270/index.m3u8"), videoFrames: 600)
                }
            } }
        }

        // Deterministic mode is tested as CI uses it, two `cuepoint run` processes compared by hash:
        // TranscodeCommandLine.ciTranscodeTwiceGivesTheSameHashes.

        @Test func copyAndTranscodedRenditionsCutAtTheSourceKeyframes() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-mixed") { directory in
                let renditions = [
                    RenditionSpec(name: "source", copy: true),
                    RenditionSpec(name: "small", copy: false, preset: .p240),
                    RenditionSpec(name: "huge", copy: false, preset: .p1080),
                ]
                let (summary, warnings) = try LibraryRun.runBlocking(
                    Self.spec(input: SampleInput.ts.path, container: .ts, renditions: renditions), into: directory)
                #expect(
                    warnings == ["rendition huge (1080p) is left out: it would upscale the 640x360 input"], "\(warnings)")
                #expect(summary.renditions.map(\.name) == ["source", "small"])
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("huge").path))
                let recording = try verifyRecording(directory: directory, container: .ts, segmentMilliseconds: 4_000)
                let starts = Self.segmentStarts(recording)
                #expect(starts[0] == starts[1], "\(starts)")
                let durations = recording.renditions.map { $0.playlist.segments.map(\.durationMilliseconds) }
                #expect(durations[0] == durations[1])
                let small = try #require(try FFprobe.streams(of: recording.renditions[1].segments[0].file.path).first {
                    $0.codecType == "video"
                })
                #expect(small.width == 426 && small.height == 240)
                try expectVariantDescribes(source: SampleInput.ts.path, recording: CheckedRecording(
                    directory: directory, masterText: recording.masterText,
                    master: MultivariantPlaylist(variants: [recording.master.variants[0]]), renditions: []))
            } }
        }

        @Test func productMarkersReachEveryTranscodedRendition() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-markers") { directory in
                var spec = Self.spec(
                    input: SampleInput.mp4.path, container: .fmp4, renditions: Array(Self.ladder().prefix(2)))
                spec.markers = MarkersSpec(align: true, files: [Repository.sampleMedia("products.jsonl").path])
                let (_, warnings) = try LibraryRun.runBlocking(spec, into: directory)
                #expect(warnings.isEmpty, "\(warnings)")
                let recording = try verifyRecording(directory: directory, container: .fmp4, segmentMilliseconds: 4_000)
                let ranges = recording.renditions.map { $0.playlist.segments.flatMap(\.dateRanges).map(\.id) }
                #expect(!ranges[0].isEmpty && ranges[0] == ranges[1], "\(ranges)")
                #expect(Self.segmentStarts(recording)[0] == Self.segmentStarts(recording)[1])
                // emsg boxes in the segments: one per placed marker, in both renditions.
                let boxes = try recording.renditions.map { rendition in
                    try rendition.segments.reduce(0) { count, segment in
                        count + (try Data(contentsOf: segment.file)).ranges(of: Data(EventMessageBox.id3Scheme.utf8)).count
                    }
                }
                #expect(boxes == [Set(ranges[0]).count, Set(ranges[0]).count], "\(boxes)")
            } }
        }

        // MARK: Bad input

        @Test func aResolutionChangeKeepsTheSizesAndMarksADiscontinuity() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-resize") { directory in
                // 640x360 for 4 s, then 320x240 for 4 s, joined without re-encoding, timestamps continuing.
                let input = try TranscodeHarness.resolutionChangeInput(in: directory)

                let out = directory.appendingPathComponent("out")
                let renditions = [
                    RenditionSpec(name: "a", copy: false, video: VideoSpec(width: 480, height: 270, crf: 30), audio: AudioSettings()),
                    RenditionSpec(name: "b", copy: false, video: VideoSpec(width: 320, height: 180, crf: 30), audio: AudioSettings()),
                ]
                let (_, warnings) = try LibraryRun.runBlocking(
                    Self.spec(input: input, container: .fmp4, renditions: renditions, segmentMilliseconds: 3_000), into: out)
                #expect(warnings.count == 1 && warnings[0].contains("from 640x360 to 320x240"), "\(warnings)")
                let recording = try verifyRecording(directory: out, container: .fmp4, segmentMilliseconds: 3_000)
                for rendition in recording.renditions {
                    // The concat demuxer starts the second part after the first part's longest stream, its
                    // audio (4.021 s). Cut at 3 s (the grid), at 4.021 s (the change: a discontinuity), then
                    // at the first frame after 6 s (6.021 s); the last frame ends at 8.021 s.
                    #expect(rendition.playlist.segments.map(\.durationMilliseconds) == [3000, 1021, 2000, 2000])
                    #expect(rendition.playlist.segments.map(\.discontinuity) == [false, false, true, false])
                    for segment in rendition.segments {
                        let video = try #require(
                            try FFprobe.streams(of: probeablePath(segment, rendition, .fmp4, out)).first { $0.codecType == "video" })
                        #expect(
                            video.width == (rendition.playlistURL.path.contains("/a/") ? 480 : 320),
                            "\(segment.file.lastPathComponent)")
                    }
                }
                try expectPlays(out.appendingPathComponent("a/index.m3u8"), videoFrames: 240)
            } }
        }

        @Test func surroundAt22kHzAndVariableFrameRateAreHandled() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-odd-input") { directory in
                // 5.1 AAC at 22.05 kHz; 30 fps video with frames missing between 3 and 5 s (variable rate).
                let input = directory.appendingPathComponent("odd.mp4").path
                try TranscodeHarness.ffmpeg(
                    [
                        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=12",
                        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=12",
                        "-filter_complex",
                        "[0:v]select='lt(n,90)+gte(n,150)+eq(mod(n,4),1)'[v];[1:a]pan=5.1|c0=c0|c1=c0|c2=0.5*c0|c3=0*c0|c4=c0|c5=c0[a]",
                        "-map", "[v]", "-map", "[a]", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast",
                        "-c:a", "aac", "-b:a", "192k", input,
                    ], in: directory)
                let out = directory.appendingPathComponent("out")
                let renditions = [
                    RenditionSpec(name: "a", copy: false, video: VideoSpec(height: 180, crf: 30), audio: AudioSettings()),
                    RenditionSpec(name: "b", copy: false, video: VideoSpec(height: 90, crf: 30), audio: AudioSettings(channels: 1)),
                ]
                _ = try LibraryRun.runBlocking(Self.spec(input: input, container: .ts, renditions: renditions), into: out)
                let recording = try verifyRecording(
                    directory: out, container: .ts, segmentMilliseconds: 4_000, allowFrameGaps: true)
                let starts = Self.segmentStarts(recording)
                #expect(starts[0] == starts[1], "\(starts)")
                // No frame at 4.000 s: the segment starts at the first frame after it.
                let relative = starts[0].map { $0 - starts[0][0] }
                #expect(relative == [0, 4033, 8000], "\(relative)")
                for (rendition, channels) in zip(recording.renditions, [2, 1]) {
                    let audio = try #require(try FFprobe.streams(of: rendition.segments[0].file.path).first { $0.codecType == "audio" })
                    #expect(audio.sampleRate == 48000 && audio.channels == channels)
                }
            } }
        }

        @Test func settingsTheSourceCannotTakeAreRefusedBeforeRecording() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ladder-refused") { directory in
                // Wider than the 640x360 source, and 6 channels without multichannel.
                let renditions = [
                    RenditionSpec(name: "big", copy: false, video: VideoSpec(width: 1280, height: 720)),
                    RenditionSpec(name: "surround", copy: false, audio: AudioSettings(channels: 6)),
                ]
                let spec = Self.spec(input: SampleInput.mp4.path, container: .ts, renditions: renditions)
                #expect {
                    _ = try LibraryRun.runBlocking(spec, into: directory)
                } throws: { error in
                    let text = "\(error)"
                    return text.contains("renditions[0] (big)") && text.contains("wider than the source (640x360)")
                        && text.contains("upscaling")
                }
                // Nothing was written for a refused pipeline.
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("master.m3u8").path))
                let audioOnly = Self.spec(
                    input: SampleInput.audioOnly.path, container: .ts,
                    renditions: [RenditionSpec(name: "v", copy: false, video: VideoSpec(height: 360))])
                #expect {
                    _ = try LibraryRun.runBlocking(audioOnly, into: directory)
                } throws: { "\($0)".contains("the input has no video stream") }
            } }
        }
    }
}

/// The file ffprobe reads for a segment: itself for TS, the init section and the segment
/// joined for fMP4.
private func probeablePath(
    _ segment: CheckedSegment, _ rendition: CheckedRendition, _ container: Container, _ directory: URL
) throws -> String {
    guard container == .fmp4 else { return segment.file.path }
    let folder = segment.file.deletingLastPathComponent()
    let initURI = try #require(segment.segment.map?.uri)
    let joined = directory.appendingPathComponent("probe-\(UUID().uuidString)-\(segment.file.lastPathComponent).mp4")
    let bytes = try Data(contentsOf: folder.appendingPathComponent(initURI)) + Data(contentsOf: segment.file)
    try bytes.write(to: joined)
    return joined.path
}

extension Integration.TranscodeLadders {
    /// FLV (RTMP's container) has millisecond timestamps and B-frames: the fMP4 muxer takes each
    /// fragment's start from the previous fragment's last sample duration, which libx264 does not
    /// give, so without the lane's durations the transcoded rendition's keyframes moved 67 ms.
    @Test func copyAndTranscodedFromFLVIntoFMP4StartSegmentsTogether() async throws {
        try await offThePool {
            try TemporaryDirectory.withBlocking(label: "ladder-flv") { directory in
                let input = directory.appendingPathComponent("sample.flv").path
                try TranscodeHarness.ffmpeg(["-i", SampleInput.mp4.path, "-c", "copy", "-f", "flv", input], in: directory)
                let out = directory.appendingPathComponent("out")
                let renditions = [
                    RenditionSpec(name: "source", copy: true), RenditionSpec(name: "small", copy: false, preset: .p240),
                ]
                _ = try LibraryRun.runBlocking(
                    Self.spec(input: input, container: .fmp4, renditions: renditions, segmentMilliseconds: 2_000), into: out)
                let recording = try verifyRecording(directory: out, container: .fmp4, segmentMilliseconds: 2_000)
                let starts = Self.segmentStarts(recording)
                #expect(starts[0] == starts[1], "\(starts)")
                #expect(starts[0].count >= 9)
            }
        }
    }
}
