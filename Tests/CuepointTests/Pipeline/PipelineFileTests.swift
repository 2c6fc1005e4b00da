import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Files that decode: values, defaults, inference and environment expansion.
@Suite(.ownThreads) struct PipelineFileTests {
    typealias Support = PipelineTestSupport

    @Test func minimalFileTakesEveryDefault() throws {
        let spec = try #require(Support.decode("version: 1\nname: job\ninput:\n  url: SampleMedia/sample.mp4\n"))
        #expect(spec == PipelineSpec(name: "job", input: InputSpec(url: "SampleMedia/sample.mp4")))
        #expect(spec.version == 1)
        #expect(spec.output.directory == "out")
        #expect(spec.output.container == .ts)
        #expect(spec.output.segmentDuration == .milliseconds(6_000))
        #expect(spec.output.liveWindow == 6)
        #expect(spec.output.playlists == nil)
        #expect(spec.renditions == [RenditionSpec(name: "source", copy: true)])
        #expect(spec.input.isLive == false)
        #expect(spec.playlists == [.index])
        #expect(spec.recordingDirectory == "out/job")
    }

    @Test func everyKeyIsRead() throws {
        let text = """
            version: 1
            name: spring-sale
            input:
              url: srt://0.0.0.0:9000?mode=listener
              format: mpegts
              options: { rw_timeout: 5000000, listen: "1", reconnect_streamed: true }
              start_date: 2025-03-14T18:00:00.250Z
              live: false
            output:
              directory: /var/recordings/
              container: fmp4
              segment: 1.5s
              live_window: 3
              playlists: [live]
            renditions:
              - name: source
                copy: true
              - name: backup.copy_2
                copy: true
            """
        let spec = try #require(Support.decode(text))
        #expect(spec.name == "spring-sale")
        #expect(spec.input.url == "srt://0.0.0.0:9000?mode=listener")
        #expect(spec.input.format == "mpegts")
        #expect(spec.input.options == ["rw_timeout": "5000000", "listen": "1", "reconnect_streamed": "true"])
        #expect(spec.input.startDate == WallClockTime(iso8601: "2025-03-14T18:00:00.250Z"))
        #expect(spec.input.live == false)
        #expect(spec.input.isLive == false)
        #expect(spec.output.directory == "/var/recordings/")
        #expect(spec.output.container == .fmp4)
        #expect(spec.output.segmentDuration == .milliseconds(1_500))
        #expect(spec.output.liveWindow == 3)
        #expect(spec.output.playlists == [.live])
        #expect(spec.playlists == [.live])
        #expect(spec.renditions.map(\.name) == ["source", "backup.copy_2"])
        #expect(spec.recordingDirectory == "/var/recordings/spring-sale")
    }

    @Test(arguments: [
        ("SampleMedia/sample.mp4", false), ("/abs/path/video.ts", false), ("file:video.mp4", false),
        ("http://127.0.0.1/a.m3u8", false), ("HTTPS://example.invalid/v.mp4", false),
        ("pipe:0", true), ("pipe:", true), ("rtmp://127.0.0.1/live/x", true), ("rtmps://h/live", true),
        ("srt://127.0.0.1:9000", true), ("udp://239.0.0.1:1234", true), ("rtp://127.0.0.1:5004", true),
        ("rtsp://camera/stream", true), ("tcp://127.0.0.1:9000", true), ("C:\\video.mp4", false),
    ])
    func liveIsInferredFromTheScheme(url: String, live: Bool) throws {
        let spec = try #require(Support.decode("version: 1\nname: j\ninput: { url: '\(url)' }\n"))
        #expect(spec.input.live == nil)
        #expect(spec.input.isLive == live)
        #expect(spec.playlists == (live ? [.index, .live] : [.index]))
    }

    @Test func liveKeyOverridesTheScheme() throws {
        let recorded = try #require(Support.decode("version: 1\nname: j\ninput: { url: 'pipe:0', live: false }\n"))
        #expect(recorded.input.isLive == false)
        #expect(recorded.playlists == [.index])
        let live = try #require(Support.decode("version: 1\nname: j\ninput: { url: a.mp4, live: true }\n"))
        #expect(live.input.isLive == true)
        #expect(live.playlists == [.index, .live])
    }

    @Test func keysWithoutValueCountAsNotGiven() throws {
        let text = "version: 1\nname: j\ninput:\n  url: a.mp4\n  format:\n  options: ~\noutput:\nrenditions: null\n"
        let spec = try #require(Support.decode(text))
        #expect(spec == PipelineSpec(name: "j", input: InputSpec(url: "a.mp4")))
    }

    @Test(
        arguments: [
            ("6", 6_000), ("6s", 6_000), ("500ms", nil), ("1s", 1_000), ("60s", 60_000), ("1m", 60_000),
            ("2.5s", 2_500), ("1000ms", 1_000), ("61s", nil), ("999ms", nil), ("\"4s\"", 4_000),
        ] as [(String, Int64?)])
    func segmentDurationBounds(text: String, milliseconds: Int64?) {
        let spec = Support.decode("version: 1\nname: j\ninput: {url: a.mp4}\noutput: {segment: \(text)}\n")
        #expect(spec?.output.segmentDuration.milliseconds == milliseconds)
    }

    @Test func environmentExpandsInEveryScalarValue() throws {
        let text = """
            version: 1
            name: ${JOB}
            input:
              url: rtmp://127.0.0.1:1935/live/${KEY}
              options: { rw_timeout: "${TIMEOUT:-5000000}" }
            output:
              directory: ${OUT:-out}/${JOB}
              live_window: ${WINDOW}
            """
        let environment = ["JOB": "sale", "KEY": "secret", "WINDOW": "10", "OUT": ""]
        let spec = try #require(Support.decode(text, environment: environment))
        #expect(spec.name == "sale")
        #expect(spec.input.url == "rtmp://127.0.0.1:1935/live/secret")
        #expect(spec.input.options == ["rw_timeout": "5000000"])
        #expect(spec.output.directory == "out/sale")
        #expect(spec.output.liveWindow == 10)
    }

    @Test func jsonIsAccepted() throws {
        let text = """
            {
              "version": 1,
              "name": "json-job",
              "input": { "url": "pipe:0", "options": { "probesize": 32 } },
              "output": { "container": "fmp4", "segment": 2, "live_window": 4, "playlists": ["index", "live"] },
              "renditions": [ { "name": "source", "copy": true } ]
            }
            """
        let spec = try #require(Support.decode(text))
        #expect(spec.input.options == ["probesize": "32"])
        #expect(spec.input.isLive)
        #expect(spec.output.segmentDuration == .milliseconds(2_000))
        #expect(spec.output.liveWindow == 4)
        #expect(spec.output.playlists == [.index, .live])
    }

    @Test func loadReadsAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-pipeline-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("job.yaml")
        try "version: 1\nname: from-disk\ninput: {url: a.mp4}\n".write(to: file, atomically: true, encoding: .utf8)
        let spec = try PipelineFile.load(path: file.path, environment: [:])
        #expect(spec.name == "from-disk")
    }

    @Test func problemDescriptionFormats() {
        let full = PipelineProblem(
            file: "pipeline.yaml", line: 7, column: 3, keyPath: "output.sgement", message: "unknown key",
            suggestion: "segment")
        #expect(full.description == "pipeline.yaml:7:3: output.sgement: unknown key; did you mean `segment`?")
        let whole = PipelineProblem(file: "gone.yaml", line: 0, column: 0, keyPath: "", message: "no such file")
        #expect(whole.description == "gone.yaml: no such file")
        let error = PipelineFileError(problems: [full, whole])
        #expect(error.problems == [whole, full])
        #expect(error.description == "gone.yaml: no such file\n" + full.description)
    }
}
