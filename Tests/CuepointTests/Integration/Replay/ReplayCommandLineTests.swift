import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration.Replay {
    @Suite("Command line", .ownThreads) struct CommandLine {
        /// A pipeline with markers and `replay:` through `cuepoint run`; the package appears beside the recording.
        @Test("cuepoint run with replay: exports the package when the input ends")
        func pipelineReplaySection() throws {
            let directory = try TemporaryDirectory.make(label: "replay-run")
            defer { try? FileManager.default.removeItem(at: directory) }
            let pipeline = directory.appendingPathComponent("show.yaml")
            try """
            version: 1
            name: show
            input:
              url: \(SampleInput.mp4.path)
              start_date: 2025-03-14T18:00:00Z
            output:
              directory: \(directory.path)/out
              container: fmp4
              segment: 4s
            markers:
              from:
                - file: \(Repository.sampleMedia("products.jsonl").path)
            replay:
              chapters: full
              thumbnail_width: 160
            """.write(to: pipeline, atomically: true, encoding: .utf8)
            let result = try CuepointCLI.run(["run", pipeline.path])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("replay: 6 product(s)"), "\(result.stdout)")
            let package = directory.appendingPathComponent("out/show-replay")
            for file in ["master.m3u8", "chapters.json", "chapters.vtt", "products.json", "replay.mp4", "index.html", "source/iframes.m3u8"] {
                #expect(FileManager.default.fileExists(atPath: package.appendingPathComponent(file).path), "\(file)")
            }
            let thumbnail = try FFprobe.streams(of: package.appendingPathComponent("thumbnails/p-0001.jpg").path)
            #expect(thumbnail.first?.width == 160 && thumbnail.first?.height == 90)
            let vtt = try WebVTTChapters.parse(
                try String(contentsOf: package.appendingPathComponent("chapters.vtt"), encoding: .utf8))
            #expect(vtt.cues.first?.text == "Intro")
            #expect(vtt.cues.first?.startMilliseconds == 0 && vtt.cues.last?.endMilliseconds == 20_000)

            // Running the job again is refused before it records: the replay would not be replaced.
            let index = directory.appendingPathComponent("out/show/source/index.m3u8")
            let before = try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date
            Thread.sleep(forTimeInterval: 0.05)
            let again = try CuepointCLI.run(["run", pipeline.path])
            #expect(again.status == 1)
            let after = try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date
            #expect(before != nil && after == before, "the recording is untouched")
            #expect(again.errorLines.count == 1, "\(again)")
            #expect(again.errorLines.first?.contains("already holds a replay") == true)
            #expect(again.errorLines.first?.contains("--force") == true)
        }

        @Test("cuepoint replay: one-line errors with exit 1 or 2")
        func errors() async throws {
            try await TemporaryDirectory.with(label: "replay-cli") { directory in
                let missing = try CuepointCLI.run(["replay", directory.appendingPathComponent("nope").path, "-o", directory.appendingPathComponent("x").path])
                #expect(missing.status == 1)
                #expect(missing.errorLines.count == 1 && missing.errorLines[0].contains("no such recording directory"), "\(missing)")

                let usage = try CuepointCLI.run(["replay", directory.path, "-o", "x", "--clips", "some"])
                #expect(usage.status == 2)
                #expect(usage.errorLines.count == 1 && usage.errorLines[0].contains("--clips"), "\(usage)")

                let recording = try await recordWithMarkers(directory, container: .ts)
                let output = directory.appendingPathComponent("pkg")
                let first = try CuepointCLI.run(["replay", recording.path, "-o", output.path])
                #expect(first.status == 0, "\(first)")
                #expect(first.stdout.contains("6 product(s), 6 chapter(s), 6 clip(s), 6 thumbnail(s)"), "\(first.stdout)")
                #expect(first.stderr.contains("cuepoint: note: marker p-0001 overlaps p-0002"))
                let second = try CuepointCLI.run(["replay", recording.path, "-o", output.path])
                #expect(second.status == 1)
                #expect(second.errorLines == ["cuepoint: \(output.path): already holds a replay; pass --force (or `force: true` under `replay:`) to replace it, or choose another directory"])
                let forced = try CuepointCLI.run(["replay", recording.path, "-o", output.path, "--force", "--clips", "none", "--no-thumbnails"])
                #expect(forced.status == 0, "\(forced)")
                #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("clips").path))
                #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("thumbnails").path))
            }
        }

        /// The player page of a replay of an fMP4 recording, made and served by the command line,
        /// in Chromium (Selenium); the full tour of the page is in `Integration.Replay.Player`.
        @Test(
            "the player of a CLI-made fMP4 replay in Chromium: chapters, products, a card, a click that seeks",
            .enabled(if: Integration.Replay.Player.canRun, "needs chromium, chromium-driver (apt) and selenium (pip); scripts/setup.sh --test installs them"))
        func playerInChromium() async throws {
            try await TemporaryDirectory.with(label: "replay-page") { directory in
                let recording = try await recordWithMarkers(directory, container: .fmp4)
                let output = directory.appendingPathComponent("pkg")
                let python = try #require(Integration.Replay.Player.python)
                let (export, check) = try await offThePool {
                    let export = try CuepointCLI.run(["replay", recording.path, "-o", output.path])
                    let server = try ServedDirectory(output)
                    defer { server.stop() }
                    let check = try ExternalProgram.run(
                        python,
                        [
                            Integration.Replay.Player.script, "replay", "http://127.0.0.1:\(server.port)/",
                            "--sources", "hls", "--card", "p-0002@4.5", "--click-product", "p-0003",
                        ])
                    return (export, check)
                }
                #expect(export.status == 0, "\(export)")
                try #require(check.status == 0, "player_check.py: \(check.stderrText)")
                let report = try #require(try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any])
                let run = try #require((report["runs"] as? [[String: Any]])?.first)
                let expected = try ExpectedMarker.sampleProducts().sorted { $0.startMilliseconds < $1.startMilliseconds }
                let state = run["state"] as? [String: Any] ?? [:]
                #expect(abs((state["duration"] as? Double ?? 0) - 20) < 0.1, "video duration \(state)")
                #expect(state["videoError"] is NSNull)
                let chapters = run["chapters"] as? [[String: Any]] ?? []
                #expect(chapters.map { $0["id"] as? String } == expected.map(\.id))
                #expect(chapters.map { $0["text"] as? String } == expected.map(\.title))
                #expect(chapters.map { (($0["start"] as? Double ?? -1) * 1000).rounded() } == expected.map { Double($0.startMilliseconds) })
                #expect(run["products"] as? [String] == expected.map(\.id))
                let card = (run["cards"] as? [[String: Any]])?.first ?? [:]
                #expect(card["id"] as? String == "p-0002" && card["price"] as? String == "$34.95")
                let seek = run["productSeek"] as? [String: Any] ?? [:]
                #expect(abs((seek["currentTime"] as? Double ?? -1) - 7.25) < 0.5, "clicking p-0003 seeks to 7.25 s")
            }
        }
    }
}

/// `cuepoint serve DIR --listen 127.0.0.1:0` running in the background; the bound port is read
/// from its first line of output.
final class ServedDirectory {
    let process = Process()
    let port: Int

    init(_ directory: URL) throws {
        let pipe = Pipe()
        process.executableURL = try CuepointCLI.executable()
        process.arguments = ["serve", directory.path, "--listen", "127.0.0.1:0"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !text.contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = text.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//), let port = Int(match.1) else {
            process.terminate()
            throw RecordingProblem(description: "cuepoint serve did not say where it listens: \(text)")
        }
        self.port = port
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
