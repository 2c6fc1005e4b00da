import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct LadderPresetTests {
    let wide = TranscodeSource(
        video: .init(width: 640, height: 360, frameRate: Rational(30, 1), timeBase: Rational(1, 15360)),
        audio: .init(sampleRate: 48000, channels: 2, timeBase: Rational(1, 48000)))

    @Test func parsesNamedRungs() throws {
        #expect(try LadderPreset.parse("720p,480p,360p") == [.p720, .p480, .p360])
        #expect(try LadderPreset.parse(" 1080p , audio-only ") == [.p1080, .audioOnly])
        #expect(try LadderPreset.parse("240P") == [.p240])
        #expect(LadderPreset.all.map(\.name) == ["1080p", "720p", "480p", "360p", "240p", "audio-only"])
    }

    @Test(arguments: [
        (
            "720p,4k",
            "--ladder 720p,4k: unknown ladder rung `4k`; valid names: 1080p, 720p, 480p, 360p, 240p, audio-only"
        ),
        (
            "720,360p",
            "--ladder 720,360p: unknown ladder rung `720`; did you mean `720p`? valid names: 1080p, 720p, 480p, 360p, "
                + "240p, audio-only"
        ),
        (
            "audio,360p",
            "--ladder audio,360p: unknown ladder rung `audio`; did you mean `audio-only`? valid names: 1080p, 720p, "
                + "480p, 360p, 240p, audio-only"
        ),
        ("360p,360p", "--ladder 360p,360p: `360p` is listed twice; list each rung once"),
        ("", "--ladder : the ladder is empty; list rungs such as 720p,480p,360p"),
        (
            "720p,,360p",
            "--ladder 720p,,360p: an empty name between commas; valid names: 1080p, 720p, 480p, 360p, 240p, audio-only"
        ),
    ])
    func badLaddersAreNamed(text: String, message: String) {
        #expect {
            _ = try LadderPreset.parse(text)
        } throws: { error in
            (error as? CuepointError)?.description == message
        }
    }

    @Test func rungsLargerThanTheSourceAreLeftOut() throws {
        let ladder = try LadderPreset.parse("720p,480p,360p,240p,audio-only")
        let (rungs, skipped) = LadderPreset.rungs(for: ladder, source: wide)
        #expect(skipped == ["720p", "480p"])
        #expect(rungs.map(\.name) == ["360p", "240p", "audio-only"])
        #expect(rungs.map { $0.video.map { "\($0.width)x\($0.height)" } } == ["640x360", "426x240", nil])
        #expect(rungs.map { $0.audio?.bitrate } == [96_000, 64_000, 64_000])
        let p360 = try #require(rungs.first?.video)
        #expect(p360.bitrate == 365_000 && p360.maxrate == 547_500 && p360.bufsize == 730_000)
        #expect(p360.preset == "veryfast" && p360.profile == "high")
        // Every rung the ladder makes passes validation against its source.
        for rung in rungs {
            #expect(rung.video?.validationProblems(source: wide) ?? [] == [])
            #expect(rung.audio?.validationProblems(source: wide) ?? [] == [])
        }
    }

    @Test func theShortSideIsNamedAndTheLongSideFollowsTheAspectRatio() {
        let video = { (width: Int, height: Int) in
            TranscodeSource.Video(width: width, height: height, frameRate: nil, timeBase: Rational(1, 90000))
        }
        func size(_ preset: LadderPreset, _ source: TranscodeSource.Video) -> String? {
            preset.video(for: source).map { "\($0.width)x\($0.height)" }
        }
        #expect(size(.p720, video(1920, 1080)) == "1280x720")
        #expect(size(.p480, video(1920, 1080)) == "854x480")
        #expect(size(.p360, video(640, 480)) == "480x360")
        #expect(size(.p720, video(1080, 1920)) == "720x1280")
        #expect(size(.p1080, video(3840, 1600)) == "2592x1080")
        #expect(size(.audioOnly, video(1920, 1080)) == nil)
    }

    @Test func aSourceWithoutAudioOrVideoDropsWhatItCannotFeed() {
        let silent = TranscodeSource(video: wide.video, audio: nil)
        let (rungs, skipped) = LadderPreset.rungs(for: [.p360, .audioOnly], source: silent)
        #expect(rungs.map(\.name) == ["360p"] && rungs.first?.audio == nil)
        #expect(skipped == ["audio-only"])
        let radio = TranscodeSource(video: nil, audio: wide.audio)
        let radioRungs = LadderPreset.rungs(for: [.p360, .audioOnly], source: radio)
        #expect(radioRungs.rungs.map(\.name) == ["audio-only"] && radioRungs.skipped == ["360p"])
    }
}
