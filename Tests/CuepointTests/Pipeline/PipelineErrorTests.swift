import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// Every kind of problem a pipeline file can have, with its exact position, key path, message
/// and suggestion. The expected lines are what `cuepoint validate` prints.
@Suite(.ownThreads) struct PipelineErrorTests {
    typealias Support = PipelineTestSupport

    private func problem(
        _ line: Int, _ column: Int, _ keyPath: String, _ message: String, suggestion: String? = nil
    ) -> PipelineProblem {
        PipelineProblem(
            file: "p.yaml", line: line, column: column, keyPath: keyPath, message: message, suggestion: suggestion)
    }

    // MARK: Keys

    @Test func unknownKeyNamesTheClosestValidKey() {
        let text = "version: 1\nname: spring-sale\ninput:\n  url: a.mp4\noutput:\n  container: ts\n  sgement: 6s\n"
        #expect(Support.problems(text) == [problem(7, 3, "output.sgement", "unknown key", suggestion: "segment")])
        #expect(Support.lines(text) == ["p.yaml:7:3: output.sgement: unknown key; did you mean `segment`?"])
    }

    @Test func unknownKeysAreSuggestedBySpellingOrPrefix() {
        let text =
            "version: 1\nname: x\ninput: {url: a.mp4, startDate: 2025-03-14T18:00:00Z}\n"
            + "output: {dir: out, segment_duration: 4s, livewindow: 5, zzz: 1}\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:3:21: input.startDate: unknown key; did you mean `start_date`?",
                "p.yaml:4:10: output.dir: unknown key; did you mean `directory`?",
                "p.yaml:4:20: output.segment_duration: unknown key; did you mean `segment`?",
                "p.yaml:4:42: output.livewindow: unknown key; did you mean `live_window`?",
                "p.yaml:4:57: output.zzz: unknown key; expected one of `directory`, `container`, `segment`, "
                    + "`part`, `live_window`, `playlists`, `publish`",
            ])
    }

    @Test func reservedKeysSayTheyAreNotSupportedYet() {
        let text =
            "version: 1\nname: x\ninput:\n  url: a.mp4\n"
            + "output: { part: 1s }\nmarkers:\n  from:\n    - api: {}\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:5:17: output.part: LL-HLS parts need `container: fmp4` (each part is one fMP4 fragment), got `ts`",
                "p.yaml:8:7: markers.from[0].api: `api` (the HTTP marker API) is not supported by this version "
                    + "of cuepoint",
            ])
    }

    @Test func partDurationsThatCannotBeUsedAreReported() {
        let base = "version: 1\nname: x\ninput: { url: a.mp4 }\noutput: { container: fmp4, segment: 2s, part: "
        #expect(
            Support.lines(base + "50ms }\n") == ["p.yaml:4:47: output.part: must be at least 100ms, got 50ms"])
        #expect(
            Support.lines(base + "2s }\n") == [
                "p.yaml:4:47: output.part: must be shorter than the segment duration (2s), got 2s"
            ])
        #expect(
            Support.lines(base + "soon }\n") == [
                "p.yaml:4:47: output.part: expected a duration such as \"1s\" or \"500ms\", got \"soon\""
            ])
        #expect(Support.problems(base + "500ms }\n") == [])
    }

    @Test func missingRequiredKeysPointAtTheirParentMapping() {
        #expect(
            Support.problems("version: 1\ninput:\n  format: flv\n") == [
                problem(1, 1, "name", "required key is missing"),
                problem(3, 3, "input.url", "required key is missing"),
            ])
        #expect(Support.lines("name: x\ninput: {url: a.mp4}\n") == ["p.yaml:1:1: version: required key is missing"])
        #expect(Support.lines("version: 1\nname: x\n") == ["p.yaml:1:1: input: required key is missing"])
    }

    @Test func requiredKeyWithoutValuePointsAtTheKey() {
        #expect(
            Support.lines("version: 1\nname:\ninput:\n  url:\n") == [
                "p.yaml:2:1: name: required key has no value",
                "p.yaml:4:3: input.url: required key has no value",
            ])
    }

    @Test func duplicateKeyPointsAtTheSecondOccurrence() {
        #expect(
            Support.problems("version: 1\nname: x\ninput:\n  url: a.mp4\n  url: b.mp4\n") == [
                problem(5, 3, "", "`url` appears twice in the same mapping; each key may be given only once")
            ])
    }

    // MARK: Types and values

    @Test func wrongTypesAndValuesAreAllReportedTogether() {
        let text =
            "version: 2\nname: Spring Sale!\ninput: [a]\noutput: {live_window: \"6\", segment: 90s, container: mp4}\n"
        #expect(
            Support.problems(text) == [
                problem(1, 10, "version", "unsupported version 2; this cuepoint reads version 1"),
                problem(
                    2, 7, "name",
                    "expected lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit, "
                        + "got \"Spring Sale!\"",
                    suggestion: "spring-sale"),
                problem(3, 8, "input", "expected a mapping, got a list"),
                problem(4, 23, "output.live_window", "expected an integer, got the string \"6\"; remove the quotes"),
                problem(4, 37, "output.segment", "must be between 1s and 60s, got 90s"),
                problem(4, 53, "output.container", "expected `ts` or `fmp4`, got \"mp4\"", suggestion: "fmp4"),
            ])
    }

    @Test func badDurationQuotesWhatWasWritten() {
        let text = "version: 1\nname: x\ninput: {url: a.mp4}\noutput:\n  segment: 6 seconds\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:5:12: output.segment: expected a duration such as \"6s\" or \"500ms\", got \"6 seconds\""
            ])
        let short = "version: 1\nname: x\ninput: {url: a.mp4}\noutput:\n  segment: 500ms\n"
        #expect(Support.lines(short) == ["p.yaml:5:12: output.segment: must be between 1s and 60s, got 500ms"])
    }

    @Test func integersAndBooleansMustBePlain() {
        let text = "version: one\nname: x\ninput: {url: a.mp4, live: \"true\"}\noutput: {live_window: 2}\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:1:10: version: expected an integer, got \"one\"",
                "p.yaml:3:27: input.live: expected true or false, got the string \"true\"; remove the quotes",
                "p.yaml:4:23: output.live_window: must be at least 3, got 2",
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4, live: [true]}\n") == [
                "p.yaml:3:27: input.live: expected true or false, got a list"
            ])
    }

    @Test func inputValues() {
        let text =
            "version: 1\nname: x\ninput: {url: 'rmtp://h/live', start_date: yesterday, live: yes, "
            + "options: {a: [1], b: }}\n"
        #expect(
            Support.problems(text) == [
                problem(
                    3, 14, "input.url",
                    "unsupported URL scheme `rmtp`; expected a file path, `pipe:0`, or one of `file`, `http`, `https`, "
                        + "`rtmp`, `rtmps`, `rtp`, `rtsp`, `srt`, `tcp`, `udp`",
                    suggestion: "rtmp"),
                problem(
                    3, 43, "input.start_date",
                    "expected an ISO 8601 date-time with a time zone such as \"2025-03-14T18:00:00Z\", "
                        + "got \"yesterday\""
                ),
                problem(3, 60, "input.live", "expected true or false, got \"yes\""),
                problem(3, 78, "input.options.a", "expected a string, number or boolean, got a list"),
                problem(3, 83, "input.options.b", "option has no value; write `b: \"\"` for an empty one"),
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: '', format: ''}\n") == [
                "p.yaml:3:14: input.url: must not be empty",
                "p.yaml:3:26: input.format: must not be empty",
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4, options: [a]}\n") == [
                "p.yaml:3:30: input.options: expected a mapping of libavformat options to values, got a list"
            ])
    }

    @Test func startDateOnlyAppliesToRecordedInputs() {
        let scheme = "version: 1\nname: x\ninput:\n  url: srt://h:9000\n  start_date: 2025-03-14T18:00:00Z\n"
        #expect(
            Support.lines(scheme) == [
                "p.yaml:5:15: input.start_date: only applies to recorded inputs, and `srt` inputs are live; "
                    + "remove `start_date` or set `live: false`"
            ])
        let forced = "version: 1\nname: x\ninput:\n  url: a.mp4\n  live: true\n  start_date: 2025-03-14T18:00:00Z\n"
        #expect(
            Support.lines(forced) == [
                "p.yaml:6:15: input.start_date: only applies to recorded inputs, and this input has `live: true`; "
                    + "remove `start_date` or set `live: false`"
            ])
        #expect(Support.problems(scheme.replacingOccurrences(of: "input:\n", with: "input:\n  live: false\n")) == [])
    }

    @Test func playlistValues() {
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\noutput: {playlists: [index, lve, index]}\n") == [
                "p.yaml:4:29: output.playlists[1]: expected `index` or `live`, got \"lve\"; did you mean `live`?",
                "p.yaml:4:34: output.playlists[2]: `index` is listed twice",
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\noutput: {playlists: index}\n") == [
                "p.yaml:4:21: output.playlists: expected a list such as [index, live], got \"index\""
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\noutput: {playlists: []}\n") == [
                "p.yaml:4:21: output.playlists: must name at least one playlist: `index`, `live` or both"
            ])
    }

    // MARK: Renditions

    @Test func renditionProblems() {
        let text = """
            version: 1
            name: x
            input: {url: a.mp4}
            renditions:
              - name: source
                copy: true
              - name: source
                video: {codec: h264}
              - name: b
                copy: false
              - name: c
              - plain
              - {copy: true, name: Big One}
            """
        #expect(
            Support.problems(text) == [
                problem(7, 11, "renditions[1].name", "`source` is already the name of renditions[0]"),
                problem(
                    10, 11, "renditions[2].copy",
                    "a rendition that does not copy needs `video:` and/or `audio:` settings, or a `preset:` "
                        + "(720p, 480p, 360p, …)"),
                problem(11, 5, "renditions[3].copy", "required key is missing"),
                problem(12, 5, "renditions[4]", "expected a mapping, got \"plain\""),
                problem(
                    13, 24, "renditions[5].name",
                    "expected lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit, "
                        + "got \"Big One\"",
                    suggestion: "big-one"),
            ])
    }

    @Test func renditionsMustBeANonEmptyList() {
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\nrenditions: []\n") == [
                "p.yaml:4:13: renditions: must list at least one rendition, e.g. `- { name: source, copy: true }`"
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\nrenditions: {name: source}\n") == [
                "p.yaml:4:13: renditions: expected a list of renditions, got a mapping"
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\nrenditions: [{name: a, audio: {}, copy: true}]\n") == [
                "p.yaml:4:41: renditions[0].copy: `copy: true` copies the input's streams, so `video`, `audio` and "
                    + "`preset` cannot be given with it; remove `copy`, or the transcoding settings"
            ])
    }

    // MARK: Environment

    @Test func undefinedEnvironmentVariableIsNamed() {
        let text = "version: 1\nname: x\ninput: {url: 'rtmp://h/live/${KEY}'}\n"
        #expect(
            Support.problems(text) == [
                problem(
                    3, 14, "input.url",
                    "environment variable `KEY` is not set; set it, or give a default with `${KEY:-default}`")
            ])
        #expect(Support.decode(text, environment: ["KEY": "abc"])?.input.url == "rtmp://h/live/abc")
    }

    @Test func malformedReferencesAreReported() {
        let text = "version: 1\nname: x\ninput: {url: '${A}${B:-b}${1X}${C'}\n"
        #expect(
            Support.lines(text) == [
                "p.yaml:3:14: input.url: environment variable `A` is not set; set it, or give a default with "
                    + "`${A:-default}`",
                "p.yaml:3:14: input.url: `${1X}` is not a valid variable reference; names are letters, digits and `_`, "
                    + "not starting with a digit",
                "p.yaml:3:14: input.url: `${` without a closing `}`; write `$${` for a literal `${`",
            ])
    }

    // MARK: The document

    @Test func yamlSyntaxErrorsCarryLibyamlPositions() {
        #expect(
            Support.problems("version: 1\nname: [x\n") == [
                problem(
                    3, 1, "",
                    "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 2:7)")
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput:\n\turl: a.mp4\n") == [
                "p.yaml:4:1: YAML syntax error: found character that cannot start any token (while scanning for the "
                    + "next token at 4:1); indent with spaces, not tabs"
            ])
        #expect(
            Support.lines("---\nversion: 1\n---\nversion: 2\n") == [
                "p.yaml:3:1: the file holds more than one YAML document; a pipeline file is a single document"
            ])
    }

    @Test func emptyFilesAndNonMappings() {
        let empty = "p.yaml:1:1: the file is empty; a pipeline needs at least `version`, `name` and `input.url`"
        #expect(Support.lines("") == [empty])
        #expect(Support.lines("# only a comment\n") == [empty])
        #expect(
            Support.lines("- a\n- b\n") == [
                "p.yaml:1:1: expected a mapping of pipeline keys (`version`, `name`, `input`, …), got a list"
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput: {url: a.mp4}\n? [a]\n: b\n") == [
                "p.yaml:4:3: expected a key name, got a list"
            ])
    }

    @Test func jsonProblemsArePositionedToo() {
        let text = """
            {
              "version": 1,
              "name": "x",
              "input": {"url": "a.mp4"},
              "output": {"sgement": "6s"}
            }
            """
        #expect(Support.lines(text) == ["p.yaml:5:14: output.sgement: unknown key; did you mean `segment`?"])
    }

    @Test func fileProblemsHaveNoPosition() throws {
        let missing = "/nonexistent-\(UUID())/pipeline.yaml"
        #expect(
            throws: PipelineFileError(problems: [
                PipelineProblem(file: missing, line: 0, column: 0, keyPath: "", message: "no such file")
            ])
        ) {
            try PipelineFile.load(path: missing, environment: [:])
        }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(
            throws: PipelineFileError(problems: [
                PipelineProblem(
                    file: directory, line: 0, column: 0, keyPath: "", message: "is a directory, not a pipeline file")
            ])
        ) {
            try PipelineFile.load(path: directory, environment: [:])
        }
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-binary-\(UUID()).yaml")
        try Data([0x76, 0xFF, 0xFE, 0x00]).write(to: binary)
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect(
            throws: PipelineFileError(problems: [
                PipelineProblem(file: binary.path, line: 0, column: 0, keyPath: "", message: "is not UTF-8 text")
            ])
        ) {
            try PipelineFile.load(path: binary.path, environment: [:])
        }
    }
}
