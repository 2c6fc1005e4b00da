import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// Every message the `video:` and `audio:` settings can produce, as a table of settings and
/// the lines a user reads.
@Suite(.ownThreads) struct TranscodeSettingsTests {
    static let source = TranscodeSource(
        video: .init(width: 640, height: 360, frameRate: Rational(30, 1), timeBase: Rational(1, 15360)),
        audio: .init(sampleRate: 48000, channels: 2, timeBase: Rational(1, 48000)))
    static let fullHD = TranscodeSource(
        video: .init(width: 1920, height: 1080, frameRate: Rational(30, 1), timeBase: Rational(1, 90000)),
        audio: nil)

    @Test func goodSettingsHaveNoProblems() {
        let video = VideoSettings(width: 640, height: 360, bitrate: 800_000, maxrate: 1_200_000, bufsize: 1_600_000)
        #expect(video.validationProblems(source: Self.source) == [])
        #expect(
            VideoSettings(width: 320, height: 180, crf: 23, profile: "main", level: "3.0").validationProblems(
                source: Self.source) == [])
        #expect(AudioSettings(bitrate: 128_000).validationProblems(source: Self.source) == [])
        #expect(AudioSettings(channels: 6, multichannel: true).validationProblems(source: Self.source) == [])
        // Not knowing the source yet checks what can be checked.
        #expect(VideoSettings(width: 1920, height: 1080).validationProblems(source: nil) == [])
    }

    @Test(arguments: [
        (
            VideoSettings(width: 639, height: 359),
            [
                "video.width: 639 is odd; H.264 4:2:0 pictures need even sizes: use 638 or 640",
                "video.height: 359 is odd; H.264 4:2:0 pictures need even sizes: use 358 or 360",
            ]
        ),
        (
            VideoSettings(width: 1280, height: 720),
            [
                "video.width: 1280 is wider than the source (640x360); upscaling spends bits on no new detail: use at "
                    + "most 640, or leave this rendition out",
                "video.height: 720 is taller than the source (640x360); upscaling spends bits on no new detail: use at "
                    + "most 360, or leave this rendition out",
            ]
        ),
        (VideoSettings(width: 0, height: 180), ["video.width: must be a positive number of pixels, got 0"]),
        (
            VideoSettings(codec: "h265", width: 320, height: 180),
            ["video.codec: unknown codec `h265`; the video codec is h264 (encoded by libx264); did you mean `h264`?"]
        ),
        (
            VideoSettings(codec: "vp9", width: 320, height: 180),
            ["video.codec: unknown codec `vp9`; the video codec is h264 (encoded by libx264)"]
        ),
        (
            VideoSettings(width: 320, height: 180, preset: "veryfst"),
            [
                "video.preset: unknown preset `veryfst`; valid: ultrafast, superfast, veryfast, faster, fast, medium, "
                    + "slow, slower, veryslow, placebo; did you mean `veryfast`?"
            ]
        ),
        (
            VideoSettings(width: 320, height: 180, profile: "high10"),
            ["video.profile: unknown profile `high10`; valid: baseline, main, high; did you mean `high`?"]
        ),
        (
            VideoSettings(width: 320, height: 180, level: "3.3"),
            [
                "video.level: unknown H.264 level `3.3`; valid: 1, 1b, 1.1, 1.2, 1.3, 2, 2.1, 2.2, 3, 3.1, 3.2, 4, "
                    + "4.1, 4.2, 5, 5.1, 5.2, 6, 6.1, 6.2"
            ]
        ),
        (
            VideoSettings(width: 320, height: 180, bitrate: 400_000, crf: 23),
            [
                "video: bitrate and crf are both set; choose one: bitrate (with maxrate and bufsize) for a ladder "
                    + "whose bandwidth players can predict, or crf for constant quality"
            ]
        ),
        (
            VideoSettings(width: 320, height: 180, bitrate: 400_000, maxrate: 600_000),
            [
                "video.maxrate: needs bufsize (the VBV buffer players model, typically 1–2 × maxrate: 1200k); x264 "
                    + "ignores maxrate without it"
            ]
        ),
        (
            VideoSettings(width: 320, height: 180, bitrate: 400_000, bufsize: 800_000),
            ["video.bufsize: needs maxrate; x264 ignores a VBV buffer without a maximum rate"]
        ),
        (
            VideoSettings(width: 320, height: 180, bitrate: 800_000, maxrate: 600_000, bufsize: 1_200_000),
            ["video.maxrate: 600k is below the bitrate 800k; the peak cannot be lower than the average"]
        ),
        (
            VideoSettings(width: 320, height: 180, bitrate: -5),
            ["video.bitrate: must be positive, got -5"]
        ),
        (
            VideoSettings(width: 320, height: 180, crf: 60),
            ["video.crf: 60 is outside 0–51 (0 is lossless, 51 the smallest; 18–28 is usual)"]
        ),
        (
            VideoSettings(width: 640, height: 360, maxrate: 20_000_000, bufsize: 20_000_000, level: "3"),
            [
                "video.maxrate: 20000k exceeds level 3's 12500k for the high profile: use 3.2 or higher, or leave "
                    + "level out"
            ]
        ),
        (
            VideoSettings(
                width: 640, height: 360, maxrate: 12_000_000, bufsize: 12_000_000, profile: "main", level: "3"),
            [
                "video.maxrate: 12000k exceeds level 3's 10000k for the main profile: use 3.1 or higher, or leave "
                    + "level out"
            ]
        ),
    ])
    func videoProblemsAreNamed(settings: VideoSettings, messages: [String]) {
        #expect(settings.validationProblems(source: Self.source).map(\.description) == messages)
    }

    @Test func levelsAreCheckedAgainstSizeAndFrameRate() {
        let tooBig = VideoSettings(width: 1280, height: 720, level: "3")
        #expect(
            tooBig.validationProblems(source: Self.fullHD).map(\.description) == [
                "video.level: 3 allows 1620 macroblocks per picture; 1280x720 has 3600: use 3.1 or higher, or leave "
                    + "level out"
            ])
        let tooFast = VideoSettings(width: 854, height: 480, level: "3.0")
        #expect(
            tooFast.validationProblems(source: Self.fullHD).map(\.description) == [
                "video.level: 3 allows 40500 macroblocks per second; 854x480 at 30 fps needs 48600: use 3.1 or "
                    + "higher, or leave level out"
            ])
        #expect(VideoSettings(width: 854, height: 480, level: "3.1").validationProblems(source: Self.fullHD) == [])
        #expect(
            VideoSettings(width: 1920, height: 1080, level: "4").validationProblems(source: Self.fullHD) == [])
        let ntsc = TranscodeSource(
            video: .init(width: 1920, height: 1080, frameRate: Rational(60000, 1001), timeBase: .mpegTS), audio: nil)
        #expect(
            VideoSettings(width: 1920, height: 1080, level: "4").validationProblems(source: ntsc).map(\.description)
                == [
                    "video.level: 4 allows 245760 macroblocks per second; 1920x1080 at 59.94 fps needs 489111: use "
                        + "4.2 or higher, or leave level out"
                ])
    }

    @Test(arguments: [
        (
            AudioSettings(codec: "mp3"),
            ["audio.codec: unknown codec `mp3`; the audio codec is aac (AAC-LC)"]
        ),
        (
            AudioSettings(codec: "acc"),
            ["audio.codec: unknown codec `acc`; the audio codec is aac (AAC-LC); did you mean `aac`?"]
        ),
        (
            AudioSettings(sampleRate: 47000),
            [
                "audio.sample_rate: 47000 Hz is not an AAC sample rate; use 48000 or 44100 (AAC also has 96000, "
                    + "88200, 64000, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)"
            ]
        ),
        (
            AudioSettings(channels: 6),
            [
                "audio.channels: 6 channels in a ladder rendition; HLS variants carry stereo AAC-LC and a surround "
                    + "source is mixed down to it: use channels: 2, or set multichannel: true to keep 6"
            ]
        ),
        (AudioSettings(channels: 0), ["audio.channels: must be 1 to 8, got 0"]),
        (AudioSettings(channels: 9, multichannel: true), ["audio.channels: must be 1 to 8, got 9"]),
        (
            AudioSettings(bitrate: 800_000),
            ["audio.bitrate: 800k is above AAC's 576k for 2 channels at 48000 Hz"]
        ),
        (
            AudioSettings(channels: 1, bitrate: 300_000),
            ["audio.bitrate: 300k is above AAC's 288k for 1 channel at 48000 Hz"]
        ),
        (AudioSettings(bitrate: 0), ["audio.bitrate: must be positive, got 0"]),
    ])
    func audioProblemsAreNamed(settings: AudioSettings, messages: [String]) {
        #expect(settings.validationProblems(source: Self.source).map(\.description) == messages)
    }

    @Test func aMissingStreamIsNamed() {
        #expect(
            AudioSettings().validationProblems(source: Self.fullHD).map(\.description) == [
                "audio: the input has no audio stream; leave `audio:` out of this rendition"
            ])
        let radio = TranscodeSource(video: nil, audio: Self.source.audio)
        #expect(
            VideoSettings(width: 320, height: 180).validationProblems(source: radio).map(\.description) == [
                "video: the input has no video stream; leave `video:` out of this rendition (audio-only)"
            ])
    }

    @Test func theProblemKnowsItsKeyAndSuggestion() throws {
        let problem = try #require(
            VideoSettings(width: 320, height: 180, preset: "slwo").validationProblems(source: nil).first)
        #expect(problem.keyPath == "video.preset")
        #expect(problem.suggestion == "slow")
    }
}

@Suite(.ownThreads) struct TranscodeRunPartsTests {
    @Test func bitRatesTakeSuffixes() {
        #expect(PipelineDecoder.parseBitRate("3000000") == 3_000_000)
        #expect(PipelineDecoder.parseBitRate("3000k") == 3_000_000)
        #expect(PipelineDecoder.parseBitRate("2.5M") == 2_500_000)
        #expect(PipelineDecoder.parseBitRate("96K") == 96_000)
        #expect(PipelineDecoder.parseBitRate("fast") == nil)
        #expect(PipelineDecoder.parseBitRate("k") == nil)
    }

    @Test func aMissingSideFollowsTheAspectRatio() {
        #expect(VideoSpec(height: 480).resolved(sourceWidth: 1280, sourceHeight: 720).width == 854)
        #expect(VideoSpec(width: 320).resolved(sourceWidth: 1280, sourceHeight: 720).height == 180)
        let portrait = VideoSpec(width: 360).resolved(sourceWidth: 720, sourceHeight: 1280)
        #expect(portrait.width == 360 && portrait.height == 640)
        let both = VideoSpec().resolved(sourceWidth: 640, sourceHeight: 360)
        #expect(both.width == 640 && both.height == 360)
    }

    @Test func fallingBehindIsSaidOnceAndOnlyPastTheThreshold() {
        let warnings = WarningCollector()
        let warning = FallBehindWarning()
        warning.warnIfNeeded(lagMilliseconds: 9_000, segmentMilliseconds: 2_000, warnings: warnings)
        #expect(warnings.all.isEmpty)
        warning.warnIfNeeded(lagMilliseconds: 13_000, segmentMilliseconds: 6_000, warnings: warnings)
        #expect(warnings.all.isEmpty)  // three 6 s segments: 18 s
        warning.warnIfNeeded(lagMilliseconds: 19_000, segmentMilliseconds: 6_000, warnings: warnings)
        warning.warnIfNeeded(lagMilliseconds: 40_000, segmentMilliseconds: 6_000, warnings: warnings)
        #expect(warnings.all.count == 1 && warnings.all[0].hasPrefix("falling behind the live input by 19 s"))
    }
}
