import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The shipped examples: every file in `Pipelines/` decodes, validates against the schema, and
/// the examples in `docs/pipeline.md` (files and error output alike) are what the code does.
@Suite(.ownThreads) struct PipelineExamplesTests {
    typealias Support = PipelineTestSupport

    /// Every pipeline file in `Pipelines/` (YAML and JSON, not the schema).
    static func examplePaths() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Support.pipelinesDirectory.path)
        return names.filter { name in
            (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
                && !name.hasSuffix(".schema.json")
        }
        .sorted()
        .map { Support.pipelinesDirectory.appendingPathComponent($0).path }
    }

    @Test func everyShippedPipelineDecodes() throws {
        let paths = try Self.examplePaths()
        #expect(paths.count >= 5)
        for path in paths {
            do {
                let spec = try PipelineFile.load(path: path, environment: Support.exampleEnvironment)
                let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                // A pipeline that exports a replay may be named after its replay folder,
                // `<name>-replay` (shoppable-replay.yaml records `shoppable`).
                let names = [spec.name] + (spec.replay != nil ? [spec.name + "-replay"] : [])
                #expect(names.contains(fileName), "the name of \(path) matches its file name")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func shippedExamplesSayWhatTheirNamesSay() throws {
        func load(_ name: String) throws -> PipelineSpec {
            try PipelineFile.load(
                path: Support.pipelinesDirectory.appendingPathComponent(name).path,
                environment: Support.exampleEnvironment)
        }
        let remux = try load("remux.yaml")
        #expect(remux.input == InputSpec(url: "SampleMedia/sample.mp4"))
        #expect(remux.output == OutputSpec(container: .ts, segmentDuration: .milliseconds(6_000)))
        #expect(remux.playlists == [.index])
        #expect(try load("remux-fmp4.yaml").output.container == .fmp4)
        #expect(try load("remux-fmp4.yaml").input.startDate == WallClockTime(iso8601: "2025-03-14T18:00:00Z"))
        #expect(try load("audio-only.yaml").input.url == "SampleMedia/audio-only.m4a")
        let json = try load("remux-ts.json")
        #expect(json.input.url == "SampleMedia/sample.ts")
        #expect(json.input.format == "mpegts")
        let live = try load("live-rtmp.yaml")
        #expect(live.input.url == "rtmp://127.0.0.1:1935/live/spring")
        #expect(live.input.isLive)
        #expect(live.playlists == [.index, .live])
        #expect(live.output.directory == "out")
        #expect(live.input.listen && live.input.reconnectWait == .milliseconds(30_000))
        #expect(live.input.timeout == .milliseconds(10_000))
        #expect(live.server == ServerSpec(host: "127.0.0.1", port: 8080, tokenEnvironmentVariable: "CUEPOINT_TOKEN"))
        #expect(throws: PipelineFileError.self) {
            try PipelineFile.load(
                path: Support.pipelinesDirectory.appendingPathComponent("live-rtmp.yaml").path, environment: [:])
        }

        let markersTS = try load("markers-ts.yaml")
        #expect(markersTS.output.container == .ts)
        #expect(
            markersTS.markers
                == MarkersSpec(className: "com.example.shop.product", files: ["SampleMedia/products.jsonl"]))
        let markersFMP4 = try load("markers-fmp4.yaml")
        #expect(markersFMP4.output.container == .fmp4)
        #expect(markersFMP4.markers?.align == true)
        #expect(markersFMP4.markers?.carry == [.daterange, .id3])
        #expect(markersFMP4.markers?.files == ["SampleMedia/products.jsonl"])
        #expect(markersFMP4.markers?.inline.map(\.title) == ["Stoneware Mug, \"Ocean\" Blue"])
        #expect(markersFMP4.markers?.inline.first?.price == "14.50")

        let shoppable = try load("shoppable-replay.yaml")
        #expect(shoppable.name == "shoppable")
        #expect(shoppable.recordingDirectory == "out/shoppable")
        #expect(shoppable.input.startDate == WallClockTime(iso8601: "2025-03-14T18:00:00Z"))
        #expect(shoppable.output == OutputSpec(container: .ts, segmentDuration: .milliseconds(4_000)))
        #expect(shoppable.markers == markersTS.markers)
        var fullChapters = ReplayOptions()
        fullChapters.chapters = .full
        fullChapters.captions = [
            CaptionSource(path: "SampleMedia/captions.en.vtt", language: "en"),
            CaptionSource(path: "SampleMedia/captions.fr.srt", language: "fr"),
        ]
        // The default directory, out/shoppable-replay beside the recording, is decided at run time.
        #expect(shoppable.replay == ReplaySpec(directory: nil, options: fullChapters))
        #expect(shoppable.captions == fullChapters.captions)
        #expect(try load("markers-ts.yaml").replay == nil)

        let shorts = try load("shoppable-shorts.yaml")
        let vertical = try #require(shorts.replay?.options.shorts)
        #expect((vertical.width, vertical.height, vertical.fit) == (720, 1280, .blur))
        #expect((vertical.minimumMilliseconds, vertical.maximumMilliseconds, vertical.burnCaptions) == (5000, 15_000, "fr"))
        let reel = try #require(shorts.replay?.options.reel)
        #expect((reel.count, reel.order, reel.events, reel.momentMilliseconds) == (3, .events, "SampleMedia/events.jsonl", 5000))
    }

    // MARK: JSON Schema, checked by an independent validator

    static let validatorScript = """
        import json, sys, yaml, jsonschema
        class Loader(yaml.SafeLoader): pass
        # Keep dates as text, as cuepoint reads them.
        Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp']
                                          for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        failed = 0
        for path in sys.argv[2:]:
            for error in validator.iter_errors(yaml.load(open(path), Loader=Loader)):
                failed += 1
                print(path + ": " + "/".join(map(str, error.absolute_path)) + ": " + error.message)
        sys.exit(1 if failed else 0)
        """

    /// Runs `python3` with `arguments`; nil when it cannot be started.
    static func python(_ arguments: [String]) -> (status: Int32, output: String)? {
        guard let output = try? Program.runBlocking("python3", arguments) else { return nil }
        return (output.status, output.stdoutText + String(decoding: output.stderr, as: UTF8.self))
    }

    static let hasSchemaValidator = python(["-c", "import yaml, jsonschema"])?.status == 0

    @Test(.enabled(if: hasSchemaValidator, "needs python3 with PyYAML and jsonschema"))
    func shippedPipelinesValidateAgainstTheSchema() throws {
        let schema = Support.pipelinesDirectory.appendingPathComponent("cuepoint-pipeline.schema.json").path
        let result = try #require(Self.python(["-c", Self.validatorScript, schema] + Self.examplePaths()))
        #expect(result.status == 0, "\(result.output)")

        // The validator does reject what the decoder rejects.
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-bad-\(UUID()).yaml")
        let badText =
            "version: 1\nname: x\ninput: {url: a.mp4}\noutput: {sgement: 6s}\nserver: {listen: 127.0.0.1:8080, tokn: X}\n"
            + "replay: {chapters: full, clipz: exact}\n"
        try badText.write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let rejected = try #require(Self.python(["-c", Self.validatorScript, schema, bad.path]))
        #expect(rejected.status == 1)
        #expect(rejected.output.contains("'sgement' was unexpected"))
        #expect(rejected.output.contains("'tokn' was unexpected"))
        #expect(rejected.output.contains("'clipz' was unexpected"))
    }

    // MARK: docs/pipeline.md

    /// The fenced blocks of a Markdown file: (info string, body).
    static func fencedBlocks(_ markdown: String) -> [(info: String, body: String)] {
        var blocks: [(String, String)] = []
        var current: (info: String, lines: [String])?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.info, open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
                }
            } else if current != nil {
                current?.lines.append(String(line))
            }
        }
        return blocks
    }

    static func documentation() throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent("docs/pipeline.md"), encoding: .utf8)
    }

    /// Every YAML or JSON block that is a whole pipeline (`version`, `name` and `input` at the top)
    /// and is not followed by error output decodes.
    @Test func documentedPipelinesDecode() throws {
        let blocks = Self.fencedBlocks(try Self.documentation())
        var checked = 0
        for (index, block) in blocks.enumerated() where block.info == "yaml" || block.info == "json" {
            let isBroken = index + 1 < blocks.count && blocks[index + 1].info == "text"
            let lines = block.body.split(separator: "\n")
            let isWhole = ["version", "name", "input"].allSatisfy { key in
                block.body.contains("\"\(key)\":") || lines.contains { $0.hasPrefix(key + ":") }
            }
            guard isWhole, !isBroken else { continue }
            checked += 1
            let problems = Support.problems(block.body, environment: Support.exampleEnvironment)
            #expect(problems == [], "block \(index):\n\(block.body)")
        }
        #expect(checked >= 3)
    }

    /// Every YAML block followed by a `text` block is a broken file and the exact lines
    /// `cuepoint` prints for it; the file name is the YAML block's first comment.
    @Test func documentedErrorOutputIsReal() throws {
        let blocks = Self.fencedBlocks(try Self.documentation())
        var checked = 0
        for (index, block) in blocks.enumerated() where block.info == "yaml" && index + 1 < blocks.count {
            let output = blocks[index + 1]
            guard output.info == "text" else { continue }
            let firstLine = block.body.prefix { $0 != "\n" }
            let fileName = firstLine.hasPrefix("# ") ? String(firstLine.dropFirst(2)) : "pipeline.yaml"
            let expected = output.body.split(separator: "\n").map(String.init)
            var actual: [String] = []
            do {
                _ = try PipelineFile.decode(block.body, fileName: fileName, environment: [:])
            } catch {
                actual = error.problems.map(\.description)
            }
            #expect(actual == expected, "block \(index):\n\(block.body)")
            checked += 1
        }
        #expect(checked >= 3)
    }
}
