import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration.Replay {
    /// Bad input for the selling side of a replay: each is refused with a message naming the thing
    /// and the fix, or noted while the rest of the package is made.
    @Suite("Shorts and captions: bad input", .ownThreads) struct ShortsBadInput {
        /// A tiny look, so each case renders in a moment.
        static var tiny: ShortOptions {
            var options = ShortOptions()
            options.width = 180
            options.height = 320
            options.minimumMilliseconds = 2000
            options.maximumMilliseconds = 2000
            return options
        }

        @Test("a source smaller than the short, with upscaling refused: no shorts, a note, the rest of the package")
        func upscalingRefused() async throws {
            try await TemporaryDirectory.with(label: "shorts-upscale") { directory in
                let recording = try await recordWithMarkers(directory, container: .fmp4)
                var options = ReplayOptions()
                options.shorts = ShortOptions()
                options.shorts?.upscale = false
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output, options: options)
                #expect(result.shorts == 0)
                #expect(result.notes.contains(
                    "the source (640x360) is smaller than the 1080x1920 shorts (crop needs it 5.33 times larger) and replay.shorts.upscale is false: no shorts and no reel; choose a smaller size or allow upscaling"))
                #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("shorts").path))
                #expect(result.clips == 6 && result.posters == 12, "the rest of the package is made")
            }
        }

        @Test("an audio-only show: no shorts, no posters, no storyboard, each noted")
        func audioOnly() async throws {
            try await TemporaryDirectory.with(label: "shorts-audio") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts, input: .audioOnly)
                var options = ReplayOptions()
                options.shorts = Self.tiny
                options.reel = ReelOptions()
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output, options: options)
                #expect(result.shorts == 0 && !result.reel && result.posters == 0 && result.storyboardSheets == 0)
                #expect(result.notes.contains("the recording has no video: no shorts and no reel"))
                #expect(result.notes.contains("the recording has no video: no thumbnails, posters or storyboard"))
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("products.vtt").path))
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("index.html").path))
            }
        }

        @Test("a title too long for the short is cut to two lines with an ellipsis")
        func longTitle() async throws {
            try await TemporaryDirectory.with(label: "shorts-title") { directory in
                let markers = directory.appendingPathComponent("long.jsonl")
                let title = String(repeating: "Handmade carbon-steel wok with a wooden handle, ", count: 4).prefix(200)
                try #"{"id":"p-long","title":"\#(title)","url":"https://shop.example/p/wok","price":59,"currency":"USD","start":4,"duration":3}"#
                    .write(to: markers, atomically: true, encoding: .utf8)
                let recording = directory.appendingPathComponent("recording")
                let record = try await offThePool {
                    try CuepointCLI.run(
                        ["segment", SampleInput.mp4.path, "-o", recording.path, "--segment", "4s", "--markers", markers.path])
                }
                try #require(record.status == 0, "\(record)")
                var options = ReplayOptions()
                options.shorts = Self.tiny
                options.posters = false
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output, options: options)
                #expect(result.shorts == 1)
                #expect(result.notes.contains("the title of marker p-long is too long for the short: it is cut to 2 lines, ending with …"))
                let probe = try await offThePool { try ShortProbe.video(output.appendingPathComponent("shorts/p-long.mp4").path) }
                #expect(probe.width == 180 && probe.height == 320)
            }
        }

        @Test("a missing font: a one-line error naming the file and the Debian package; nothing is written")
        func missingFont() async throws {
            try await TemporaryDirectory.with(label: "shorts-font") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let output = directory.appendingPathComponent("replay")
                let run = try await offThePool {
                    try CuepointCLI.run([
                        "replay", recording.path, "-o", output.path, "--shorts", "--shorts-font", "/nonexistent/NoSuchFont.ttf",
                    ])
                }
                #expect(run.status == 1, "\(run)")
                #expect(run.errorLines == [
                    "cuepoint: /nonexistent/NoSuchFont.ttf: the font for the titles of the shorts is missing; name an existing TrueType or OpenType file with replay.shorts.font (--shorts-font); Debian's fonts-dejavu-core has /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
                ])
                #expect(!FileManager.default.fileExists(atPath: output.path))
                #expect(filesBelow(directory).allSatisfy { !$0.contains(".replay.partial") })
            }
        }

        @Test("caption files with bad timings or encodings: each problem noted by line, the good cues kept")
        func badCaptionFiles() async throws {
            try await TemporaryDirectory.with(label: "captions-bad") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let bad = directory.appendingPathComponent("bad.srt")
                var bytes = Array(
                    "1\n00:00:01,000 --> 00:00:03,000\nGood one\n\n2\n00:00:2,000 --> 00:00:04,000\nBad start\n\n".utf8)
                bytes += Array("3\n00:00:05,000 --> 00:00:07,000\nCaf".utf8) + [0xE9] + Array("\n\n".utf8)
                bytes += Array("4\n00:00:08,000 --> 00:00:10,000\nFour\n\n5\n00:00:09,000 --> 00:00:11,000\nOverlaps\n".utf8)
                try Data(bytes).write(to: bad)
                let wide = directory.appendingPathComponent("wide.vtt")
                try Data([0xFF, 0xFE] + Array("WEBVTT".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: wide)
                let output = directory.appendingPathComponent("replay")
                let run = try await offThePool {
                    try CuepointCLI.run([
                        "replay", recording.path, "-o", output.path, "--no-posters", "--clips", "none",
                        "--captions", "\(bad.path):de", "--captions", "\(wide.path):fr",
                    ])
                }
                #expect(run.status == 0, "\(run)")
                let notes = run.stderrLines
                #expect(notes.contains("cuepoint: note: \(bad.path):6: \"00:00:2,000 --> 00:00:04,000\" is not a timing line `start --> end` with timestamps hh:mm:ss,ttt; the cue is left out"))
                #expect(notes.contains("cuepoint: note: \(bad.path):11: not UTF-8 (byte 0xE9 at byte 4 of the line); save the file as UTF-8; the cue is left out"))
                #expect(notes.contains("cuepoint: note: \(bad.path):18: the cue starts at 00:00:09.000, before the previous cue (line 14) ends at 00:00:10.000; the previous cue now ends at 00:00:09.000"))
                #expect(notes.contains("cuepoint: note: \(wide.path):1: the file is UTF-16, not UTF-8; save it as UTF-8"))
                #expect(notes.contains("cuepoint: note: \(wide.path): the replay has no fr captions"))
                #expect(run.stdout.contains("captions: de\n") || run.stdout.contains("captions: de "), "\(run.stdout)")
                let master = try MultivariantPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))
                #expect(master.renditions.map(\.language) == ["de"])
                let kept = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("captions/de.vtt"))))
                #expect(kept.document.cues.map(\.text) == ["Good one", "Four", "Overlaps"])
                #expect(kept.document.cues.map(\.endMilliseconds) == [3000, 9000, 11_000])
            }
        }

        @Test("bad shorts and captions options are usage errors (exit 2) naming the option", arguments: [
            (["--shorts", "--shorts-size", "1081x1920"], "--shorts-size: expected WIDTHxHEIGHT with even numbers"),
            (["--shorts", "--shorts-fit", "stretch"], "--shorts-fit: expected crop or blur, got \"stretch\""),
            (["--shorts", "--shorts-length", "60s-15s"], "--shorts-length: expected MIN-MAX durations"),
            (["--shorts-fit", "blur"], "the --shorts-… options need --shorts (or --reel)"),
            (["--reel-count", "3"], "--reel-count, --reel-events and --reel-moment need --reel"),
            (["--captions", "subs.vtt:not a language"], "--captions: expected FILE:LANG with a BCP-47 language"),
            (["--storyboard-interval", "0.1s"], "--storyboard-interval: expected a duration from 0.5s to 10m"),
        ])
        func usageErrors(arguments: [String], message: String) async throws {
            let run = try await offThePool {
                try CuepointCLI.run(["replay", "/nonexistent/recording", "-o", "/nonexistent/out"] + arguments)
            }
            #expect(run.status == 2, "\(run)")
            #expect(run.errorLines.count == 1 && run.stderr.contains(message), "\(run)")
        }
    }
}
