import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The live keys of the pipeline file: `input.listen`, `timeout`, `passphrase`, `reconnect`,
/// and the `server:` section; each mistake with its line, column and fix.
@Suite(.ownThreads) struct PipelineLiveTests {
    typealias Support = PipelineTestSupport

    @Test func liveKeysDecode() throws {
        let spec = try PipelineFile.decode(
            """
                version: 1
                name: live
                input:
                  url: srt://0.0.0.0:9000
                  listen: true
                  timeout: 5s
                  passphrase: ${SRT_PASS}
                  reconnect: { wait: 1m }
                server: { listen: 127.0.0.1:0, token_env: CUEPOINT_TOKEN }
                """, fileName: "p.yaml", environment: ["SRT_PASS": "0123456789abcdef"])
        #expect(spec.input.listen)
        #expect(spec.input.timeout == .milliseconds(5_000))
        #expect(spec.input.passphrase == "0123456789abcdef")
        #expect(spec.input.reconnectWait == .milliseconds(60_000))
        #expect(spec.server == ServerSpec(host: "127.0.0.1", port: 0, tokenEnvironmentVariable: "CUEPOINT_TOKEN"))
    }

    @Test("console.products names the console's catalogue file; mistakes in the section are precise")
    func consoleSection() throws {
        let base = "version: 1\nname: x\ninput:\n  url: in.ts\n"
        let spec = try #require(Support.decode(base + "console:\n  products: products.json\n"))
        #expect(spec.console == ConsoleSpec(products: "products.json"))
        #expect(Support.decode(base)?.console == nil)
        #expect(
            Support.lines(base + "console:\n  prodcts: p.json\n") == [
                "p.yaml:6:3: console.prodcts: unknown key; did you mean `products`?"
            ])
        #expect(
            Support.lines(base + "console:\n") == [
                "p.yaml:5:1: console: expected a mapping such as `{ products: products.json }`, got nothing"
            ])
        #expect(Support.lines(base + "console:\n  products: \"\"\n") == ["p.yaml:6:13: console.products: must not be empty"])
    }

    @Test func liveMistakesArePrecise() {
        let text = """
            version: 1
            name: x
            input:
              url: rtmp://0.0.0.0:1935/live
              listen: true
              timeout: 100ms
              passphrase: short
              reconect: { wait: 30s }
            server: { listen: localhost, token_env: "s3cr3t token" }
            """
        #expect(
            Support.lines(text) == [
                "p.yaml:5:11: input.listen: an RTMP input that listens needs an application and a stream key in its URL, "
                    + "as in `rtmp://0.0.0.0:1935/live/${CUEPOINT_STREAM_KEY}`",
                "p.yaml:6:12: input.timeout: must be between 500ms and 3600s, got 100ms",
                "p.yaml:7:15: input.passphrase: only `srt://` inputs are encrypted with a passphrase; remove it",
                "p.yaml:8:3: input.reconect: unknown key; did you mean `reconnect`?",
                "p.yaml:9:19: server.listen: expected HOST:PORT such as `127.0.0.1:8080`, got \"localhost\"",
                "p.yaml:9:41: server.token_env: expected the name of an environment variable (letters, digits and `_`, "
                    + "not starting with a digit) that holds the token, got \"s3cr3t token\"; never write the token itself here",
            ])
    }

    @Test func reconnectNeedsALiveInputAndAWait() {
        #expect(
            Support.lines("version: 1\nname: x\ninput:\n  url: a.mp4\n  reconnect: { wait: 30s }\n") == [
                "p.yaml:5:3: input.reconnect: only a live input can reconnect, and this one is recorded; remove `reconnect`"
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput:\n  url: udp://0.0.0.0:1234\n  reconnect: {}\n") == [
                "p.yaml:5:14: input.reconnect.wait: required key is missing"
            ])
        #expect(
            Support.lines("version: 1\nname: x\ninput:\n  url: a.mp4\n  listen: true\n") == [
                "p.yaml:5:11: input.listen: only `rtmp://` and `srt://` inputs can listen (`udp://` always does), not a file; "
                    + "remove `listen`"
            ])
    }

    @Test func passphraseLengthIsCheckedWithoutEchoingIt() {
        let lines = Support.lines("version: 1\nname: x\ninput:\n  url: srt://0.0.0.0:9000\n  passphrase: abc\n")
        #expect(lines == ["p.yaml:5:15: input.passphrase: an SRT passphrase has 10 to 79 characters, this one has 3"])
    }

    @Test func streamKeysAreSplitAndHidden() {
        #expect(LiveInput.rtmpStreamKey(of: "rtmp://h:1935/live/k")! == ("rtmp://h:1935/live/", "k"))
        #expect(LiveInput.rtmpStreamKey(of: "rtmp://h/app/inst/k?x=1")! == ("rtmp://h/app/inst/", "k"))
        #expect(LiveInput.rtmpStreamKey(of: "rtmp://h:1935/live") == nil)
        #expect(LiveInput.rtmpStreamKey(of: "rtmp://h:1935/live/") == nil)
        #expect(LiveInput.redacted("rtmp://h:1935/live/secret") == "rtmp://h:1935/live/***")
        #expect(LiveInput.redacted("srt://h:9000?mode=caller&passphrase=secret123456") == "srt://h:9000?mode=caller&passphrase=***")
        #expect(LiveInput.redacted("SampleMedia/sample.mp4") == "SampleMedia/sample.mp4")
        #expect(LiveInput.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!LiveInput.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!LiveInput.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!LiveInput.constantTimeEqual([], Array("a".utf8)))
    }

    @Test func theKeyIsCheckedFromFFmpegsLog() {
        let live = LiveInput(spec: InputSpec(url: "rtmp://127.0.0.1:1935/live/right", listen: true))
        #expect(live.ffmpegURL == "rtmp://127.0.0.1:1935/live/", "FFmpeg never sees the key")
        #expect(live.options["listen"] == "1" && live.options["rw_timeout"] == "10000000")
        func said(_ text: String) -> [FFmpegLogMessage] { [FFmpegLogMessage(className: "rtmp", level: 24, text: text)] }
        #expect(live.vet(said("Unexpected stream right, expecting ")) == nil)
        #expect(
            live.vet(said("Unexpected stream wrong, expecting ")) == "refused an RTMP publisher with the wrong stream key \"wrong\"")
        #expect(live.vet([]) != nil, "a publisher without a stream name is refused")
        #expect(live.vet(said("App field don't match up: other <-> live"))?.contains("application \"other\"") == true)
    }

    @Test func rtmpServerChoosesWhoListens() throws {
        let spec = try PipelineFile.decode(
            "version: 1\nname: x\ninput:\n  url: rtmp://127.0.0.1:1935/live/k\n  listen: true\n  rtmp_server: cuepoint\n",
            fileName: "p.yaml", environment: [:])
        #expect(spec.input.rtmpServer == .cuepoint)
        let plain = try PipelineFile.decode(
            "version: 1\nname: x\ninput:\n  url: rtmp://127.0.0.1:1935/live/k\n  listen: true\n", fileName: "p.yaml", environment: [:])
        #expect(plain.input.rtmpServer == .ffmpeg)
        #expect(
            Support.lines(
                "version: 1\nname: x\ninput:\n  url: rtmp://127.0.0.1:1935/live/k\n  listen: true\n  rtmp_server: cuepiont\n") == [
                    "p.yaml:6:16: input.rtmp_server: expected `ffmpeg` or `cuepoint`, got \"cuepiont\"; did you mean `cuepoint`?"
                ])
        #expect(
            Support.lines("version: 1\nname: x\ninput:\n  url: rtmp://127.0.0.1:1935/live/k\n  rtmp_server: cuepoint\n") == [
                "p.yaml:5:16: input.rtmp_server: only applies to an `rtmp://` input with `listen: true` (the server that "
                    + "waits for the publisher); remove it"
            ])
    }

    @Test func cuepointsServerListensWhereTheURLSays() throws {
        let lease = try #require(LiveInput.lease(base: "rtmp://0.0.0.0:19350/live/", key: "k", timeout: .milliseconds(5_000)))
        #expect(lease.host == "0.0.0.0" && lease.port == 19350 && lease.app == "live")
        let nested = try #require(LiveInput.lease(base: "rtmp://[::1]/app/inst/", key: "k", timeout: .milliseconds(5_000)))
        #expect(nested.host == "::1" && nested.port == 1935 && nested.app == "app/inst")
        #expect(LiveInput.lease(base: "rtmp://h:99999/live/", key: "k", timeout: .milliseconds(5_000)) == nil)
    }
}
