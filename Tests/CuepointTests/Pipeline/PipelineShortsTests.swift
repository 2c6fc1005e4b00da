import CuepointTestSupport
import Testing

#if canImport(CuepointPipeline)
    @testable import CuepointPipeline
#else
    @testable import Cuepoint
#endif

/// `replay.shorts`, `replay.reel`, `replay.storyboard`, `replay.posters` and `captions:`.
@Suite(.ownThreads) struct PipelineShortsTests {
    typealias Support = PipelineTestSupport

    static let head = "version: 1\nname: x\ninput: {url: a.mp4}\n"

    @Test func switchesTakeTheDefaults() throws {
        let on = try #require(Support.decode(Self.head + "replay: { shorts: true, reel: {}, storyboard: false, posters: false }\n")?.replay)
        #expect(on.options.shorts == ShortOptions())
        #expect(on.options.reel == ReelOptions())
        #expect(on.options.storyboard == nil)
        #expect(!on.options.posters)
        let off = try #require(Support.decode(Self.head + "replay: { shorts: false }\n")?.replay)
        #expect(off.options.shorts == nil && off.options.reel == nil)
        #expect(off.options.storyboard == StoryboardOptions(), "a storyboard by default")
    }

    @Test func everyKey() throws {
        let text =
            Self.head + """
                captions:
                  - { file: SampleMedia/captions.en.vtt, language: en }
                  - { file: SampleMedia/captions.fr.srt, language: fr, name: Français (France) }
                replay:
                  storyboard: { interval: 10s, tile_width: 120, columns: 8, rows: 6 }
                  shorts:
                    size: 720x1280
                    fit: blur
                    pre_roll: 1s
                    post_roll: 3s
                    min: 3s
                    max: 20s
                    title: false
                    price: false
                    font: /usr/share/fonts/truetype/noto/NotoSans-Bold.ttf
                    loudness: -14
                    true_peak: -1
                    upscale: false
                    captions: fr
                    preset: fast
                    quality: 23
                  reel: { count: 3, events: events.jsonl, moment: 8s }
                """
        let spec = try #require(Support.decode(text), "\(Support.lines(text))")
        let captions = [
            CaptionSource(path: "SampleMedia/captions.en.vtt", language: "en"),
            CaptionSource(path: "SampleMedia/captions.fr.srt", language: "fr", name: "Français (France)"),
        ]
        #expect(spec.captions == captions)
        let options = try #require(spec.replay?.options)
        #expect(options.captions == captions, "the replay gets the pipeline's captions")
        var storyboard = StoryboardOptions()
        storyboard.intervalMilliseconds = 10_000
        storyboard.tileWidth = 120
        storyboard.columns = 8
        storyboard.rows = 6
        #expect(options.storyboard == storyboard)
        var shorts = ShortOptions()
        (shorts.width, shorts.height, shorts.fit) = (720, 1280, .blur)
        (shorts.preRollMilliseconds, shorts.postRollMilliseconds) = (1000, 3000)
        (shorts.minimumMilliseconds, shorts.maximumMilliseconds) = (3000, 20_000)
        (shorts.title, shorts.price, shorts.upscale) = (false, false, false)
        shorts.font = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
        (shorts.loudnessTarget, shorts.truePeakLimit) = (-14, -1)
        (shorts.burnCaptions, shorts.preset, shorts.quality) = ("fr", "fast", 23)
        #expect(options.shorts == shorts)
        var reel = ReelOptions()
        (reel.count, reel.events, reel.order, reel.momentMilliseconds) = (3, "events.jsonl", .events, 8000)
        #expect(options.reel == reel, "an events file makes the order `events`")
    }

    @Test(arguments: [
        ("replay: { shorts: { size: 1081x1920 } }\n", "p.yaml:4:27: replay.shorts.size: expected WIDTHxHEIGHT with even numbers from 64 to 4096 such as `1080x1920`, got \"1081x1920\""),
        ("replay: { shorts: { fit: blurr } }\n", "p.yaml:4:26: replay.shorts.fit: expected `crop` or `blur`, got \"blurr\"; did you mean `blur`?"),
        ("replay: { shorts: { min: 60s, max: 15s } }\n", "p.yaml:4:21: replay.shorts.min: the shortest short (min) is longer than the longest (max); make min at most max"),
        ("replay: { shorts: { loudness: -3 } }\n", "p.yaml:4:31: replay.shorts.loudness: expected -70.0 to -5.0 LUFS, got -3.0"),
        ("replay: { shorts: { preset: quick } }\n", "p.yaml:4:29: replay.shorts.preset: expected a libx264 preset (ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow), got \"quick\""),
        ("replay: { shorts: { sizes: 720x1280 } }\n", "p.yaml:4:21: replay.shorts.sizes: unknown key; did you mean `size`?"),
        ("replay: { shorts: yes }\n", "p.yaml:4:19: replay.shorts: expected true or false, got \"yes\""),
        ("replay: { shorts: { captions: fr } }\n", "p.yaml:4:1: replay.shorts.captions: no caption file for \"fr\" is listed under `captions:`; add one, or remove `captions` from replay.shorts"),
        ("replay: { reel: { order: events } }\n", "p.yaml:4:19: replay.reel.order: `events` order needs an events file; add `events: FILE.jsonl`"),
        ("replay: { reel: { count: 0 } }\n", "p.yaml:4:26: replay.reel.count: expected 1 to 100 product moments, got 0"),
        ("replay: { storyboard: { tile_width: 161 } }\n", "p.yaml:4:37: replay.storyboard.tile_width: expected 16 to 1920, even, got 161"),
        ("captions: [{ file: a.vtt }]\n", "p.yaml:4:12: captions[0].language: required key is missing"),
        ("captions: [{ file: a.vtt, language: english language }]\n", "p.yaml:4:37: captions[0].language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"english language\""),
        ("captions: [{ file: a.vtt, language: en }, { file: b.vtt, language: en }]\n", "p.yaml:4:68: captions[1].language: a caption file for \"en\" is listed already; give one file per language"),
        ("captions: a.vtt\n", "p.yaml:4:11: captions: expected a list of `{ file: …, language: … }`, got \"a.vtt\""),
    ])
    func badValue(section: String, expected: String) {
        #expect(Support.lines(Self.head + section) == [expected])
    }
}
