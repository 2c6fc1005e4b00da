import CuepointTestSupport
import Testing

@testable import Cuepoint

/// The `replay:` section: defaults, every key, and a message for every bad value.
@Suite(.ownThreads) struct PipelineReplayTests {
    typealias Support = PipelineTestSupport

    static let head = "version: 1\nname: x\ninput: {url: a.mp4}\n"

    /// The options `cuepoint replay` uses without flags.
    static let defaultOptions = ReplayOptions()

    @Test func defaultOptionsMakeTheWholePackage() {
        let options = Self.defaultOptions
        #expect(options.chapters == .products)
        #expect(options.mp4)
        #expect(options.clips == .keyframe)
        #expect(options.thumbnails)
        #expect(options.thumbnailWidth == 320)
        #expect(options.language == "en")
        #expect(!options.force)
    }

    /// No section: no replay. `replay:` alone, `replay: null` and `replay: {}` ask for one with
    /// every default, its directory decided at run time.
    @Test(arguments: [
        ("", nil),
        ("replay:\n", ReplaySpec()),
        ("replay: null\n", ReplaySpec()),
        ("replay: ~\n", ReplaySpec()),
        ("replay: {}\n", ReplaySpec()),
    ] as [(String, ReplaySpec?)])
    func defaults(section: String, expected: ReplaySpec?) throws {
        let spec = try #require(Support.decode(Self.head + section), "\(Support.lines(Self.head + section))")
        #expect(spec.replay == expected)
        #expect(spec.replay?.directory == nil)
        #expect(spec.replay.map(\.options) == expected.map { _ in Self.defaultOptions })
    }

    @Test func everyKey() throws {
        let text =
            Self.head + """
                replay:
                  directory: /srv/replays/spring-sale
                  chapters: full
                  mp4: false
                  clips: exact
                  thumbnails: false
                  thumbnail_width: 640
                  language: pt-BR
                  force: true
                """
        let replay = try #require(Support.decode(text)?.replay, "\(Support.lines(text))")
        var options = ReplayOptions()
        options.chapters = .full
        options.mp4 = false
        options.clips = .exact
        options.thumbnails = false
        options.thumbnailWidth = 640
        options.language = "pt-BR"
        options.force = true
        #expect(replay == ReplaySpec(directory: "/srv/replays/spring-sale", options: options))
        // What the pipeline file does not say stays as `cuepoint replay` has it.
        #expect(replay.options.introTitle == Self.defaultOptions.introTitle)
        #expect(replay.options.fillerTitle == Self.defaultOptions.fillerTitle)
    }

    /// The same section written as JSON.
    @Test func jsonSection() throws {
        let text =
            #"{"version": 1, "name": "x", "input": {"url": "a.mp4"}, "#
            + #""replay": {"chapters": "full", "clips": false, "thumbnail_width": 160, "force": true}}"#
        let options = try #require(Support.decode(text)?.replay?.options, "\(Support.lines(text))")
        #expect(options.chapters == .full)
        #expect(options.clips == .none)
        #expect(options.thumbnailWidth == 160)
        #expect(options.force)
    }

    /// `clips` takes a mode, or a boolean: true is `keyframe`, false is `none`.
    @Test(arguments: [
        ("keyframe", ReplayOptions.ClipMode.keyframe),
        ("exact", .exact),
        ("none", .none),
        ("true", .keyframe),
        ("True", .keyframe),
        ("false", .none),
        ("FALSE", .none),
    ])
    func clips(value: String, expected: ReplayOptions.ClipMode) throws {
        let text = Self.head + "replay:\n  clips: \(value)\n"
        #expect(Support.decode(text)?.replay?.options.clips == expected, "\(Support.lines(text))")
    }

    @Test(arguments: [
        ("products", ReplayOptions.ChapterMode.products),
        ("full", .full),
    ])
    func chapters(value: String, expected: ReplayOptions.ChapterMode) {
        #expect(Support.decode(Self.head + "replay: { chapters: \(value) }\n")?.replay?.options.chapters == expected)
    }

    @Test(arguments: [16, 320, 3840])
    func thumbnailWidthsInRange(width: Int) {
        let text = Self.head + "replay: { thumbnail_width: \(width) }\n"
        #expect(Support.decode(text)?.replay?.options.thumbnailWidth == width, "\(Support.lines(text))")
    }

    @Test(arguments: ["en", "pt-BR", "zh-Hant-TW", "he", "es-419", "sgn-BE-FR"])
    func languageTags(tag: String) {
        let text = Self.head + "replay: { language: \(tag) }\n"
        #expect(Support.decode(text)?.replay?.options.language == tag, "\(Support.lines(text))")
    }

    @Test func environmentVariablesExpand() throws {
        let text = Self.head + "replay:\n  directory: ${REPLAYS:-/srv/replays}/x\n  language: ${LANG_TAG}\n"
        let replay = try #require(Support.decode(text, environment: ["LANG_TAG": "fr"])?.replay)
        #expect(replay.directory == "/srv/replays/x")
        #expect(replay.options.language == "fr")
        #expect(
            Support.lines(text) == [
                "p.yaml:6:13: replay.language: environment variable `LANG_TAG` is not set; set it, or give a default "
                    + "with `${LANG_TAG:-default}`"
            ])
    }

    /// `replay` is a section of this version: neither reserved nor unknown.
    @Test func replayIsNotReserved() {
        #expect(PipelineDecoder.topLevelKeys.contains("replay"))
        #expect(PipelineDecoder.reservedTopLevelKeys["replay"] == nil)
        #expect(Support.lines(Self.head + "replay: {}\n") == [])
        #expect(Support.lines(Self.head + "replai: {}\n") == ["p.yaml:4:1: replai: unknown key; did you mean `replay`?"])
    }

    // MARK: Problems

    /// One bad value per row: the section as written, and the one line `cuepoint validate` prints.
    @Test(arguments: [
        (
            "replay:\n  chapters: ful\n",
            "p.yaml:5:13: replay.chapters: expected `products` or `full`, got \"ful\"; did you mean `full`?"
        ),
        (
            "replay:\n  chapters: product\n",
            "p.yaml:5:13: replay.chapters: expected `products` or `full`, got \"product\"; did you mean `products`?"
        ),
        (
            "replay:\n  chapters: [products]\n",
            "p.yaml:5:13: replay.chapters: expected `products` or `full`, got a list"
        ),
        (
            "replay:\n  clips: keyframes\n",
            "p.yaml:5:10: replay.clips: expected `keyframe`, `exact`, `none`, true or false, got \"keyframes\"; "
                + "did you mean `keyframe`?"
        ),
        (
            "replay:\n  clips: \"true\"\n",
            "p.yaml:5:10: replay.clips: expected `keyframe`, `exact`, `none`, true or false, got \"true\""
        ),
        (
            "replay:\n  thumbnail_width: 4\n",
            "p.yaml:5:20: replay.thumbnail_width: expected 16 to 3840 pixels, got 4"
        ),
        (
            "replay:\n  thumbnail_width: 3841\n",
            "p.yaml:5:20: replay.thumbnail_width: expected 16 to 3840 pixels, got 3841"
        ),
        (
            "replay:\n  thumbnail_width: 320px\n",
            "p.yaml:5:20: replay.thumbnail_width: expected an integer, got \"320px\""
        ),
        (
            "replay:\n  thumbnail_width: \"320\"\n",
            "p.yaml:5:20: replay.thumbnail_width: expected an integer, got the string \"320\"; remove the quotes"
        ),
        (
            "replay:\n  language: \"en US\"\n",
            "p.yaml:5:13: replay.language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"en US\""
        ),
        (
            "replay:\n  language: en_US\n",
            "p.yaml:5:13: replay.language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"en_US\""
        ),
        (
            "replay:\n  language: \"-\"\n",
            "p.yaml:5:13: replay.language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"-\""
        ),
        (
            "replay:\n  language: en--US\n",
            "p.yaml:5:13: replay.language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"en--US\""
        ),
        (
            "replay:\n  language: \"\"\n",
            "p.yaml:5:13: replay.language: must not be empty"
        ),
        (
            "replay:\n  directory: \"\"\n",
            "p.yaml:5:14: replay.directory: must not be empty"
        ),
        (
            "replay:\n  mp4: yes\n",
            "p.yaml:5:8: replay.mp4: expected true or false, got \"yes\""
        ),
        (
            "replay:\n  thumbnails: \"false\"\n",
            "p.yaml:5:15: replay.thumbnails: expected true or false, got the string \"false\"; remove the quotes"
        ),
        (
            "replay:\n  force: 1\n",
            "p.yaml:5:10: replay.force: expected true or false, got \"1\""
        ),
        (
            "replay:\n  clipz: keyframe\n",
            "p.yaml:5:3: replay.clipz: unknown key; did you mean `clips`?"
        ),
        (
            "replay:\n  thumbnail-width: 320\n",
            "p.yaml:5:3: replay.thumbnail-width: unknown key; did you mean `thumbnail_width`?"
        ),
        (
            "replay:\n  server: { listen: 127.0.0.1:8080 }\n",
            "p.yaml:5:3: replay.server: unknown key; expected one of `directory`, `chapters`, `mp4`, `clips`, "
                + "`thumbnails`, `thumbnail_width`, `language`, `force`, `posters`, `storyboard`, `shorts`, `reel`"
        ),
        (
            "replay: [chapters]\n",
            "p.yaml:4:9: replay: expected a mapping, got a list"
        ),
        (
            "replay: true\n",
            "p.yaml:4:9: replay: expected a mapping, got \"true\""
        ),
    ])
    func badValue(section: String, expected: String) {
        #expect(Support.lines(Self.head + section) == [expected])
    }

    /// Every problem of the section is reported, in order, with the rest of the file's.
    @Test func problemsAreReportedTogether() {
        let text =
            Self.head + """
                output:
                  sgement: 4s
                replay:
                  chapters: ful
                  clipz: exact
                  thumbnail_width: 4
                  language: "en US"
                  force: yes
                """
        #expect(
            Support.lines(text) == [
                "p.yaml:5:3: output.sgement: unknown key; did you mean `segment`?",
                "p.yaml:7:13: replay.chapters: expected `products` or `full`, got \"ful\"; did you mean `full`?",
                "p.yaml:8:3: replay.clipz: unknown key; did you mean `clips`?",
                "p.yaml:9:20: replay.thumbnail_width: expected 16 to 3840 pixels, got 4",
                "p.yaml:10:13: replay.language: expected a BCP-47 language tag such as `en` or `pt-BR`, got \"en US\"",
                "p.yaml:11:10: replay.force: expected true or false, got \"yes\"",
            ])
        let problem = Support.problems(text)[1]
        #expect(problem.keyPath == "replay.chapters")
        #expect(problem.suggestion == "full")
        #expect(Support.problems(text)[2].suggestion == "clips")
    }

    @Test func replayNeedsTheIndexPlaylist() {
        let text = "version: 1\nname: x\ninput: {url: a.mp4}\noutput: {playlists: [live]}\nreplay: {}\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:5:1: replay: a replay is made from the recording's index.m3u8, but output.playlists does not "
                    + "write it; add `index` to output.playlists"
            ])
        #expect(Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\noutput: {playlists: [index, live]}\nreplay: {}\n").isEmpty)
    }
}
