import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration.Replay {
    @Suite("Bad input", .ownThreads) struct BadInput {
        @Test("a recording without markers gives a valid replay without product chapters")
        func noMarkers() async throws {
            try await TemporaryDirectory.with(label: "replay-nomarkers") { directory in
                let recording = directory.appendingPathComponent("recording")
                _ = try await LibraryRun.run(
                    LibraryRun.spec(input: SampleInput.mp4.path, container: .ts, segmentMilliseconds: 4000), into: recording)
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                #expect(result.products == 0 && result.chapters == 0 && result.clips == 0)
                #expect(result.notes.contains { $0.contains("markers.jsonl is missing") })
                let chapters = try ChapterDocument.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.json"), encoding: .utf8))
                #expect(chapters.chapters.isEmpty)
                let products = try readJSONObject(output.appendingPathComponent("products.json"))
                #expect((products["products"] as? [Any])?.isEmpty == true)
                #expect(try ReplayProbe.chapters(of: output.appendingPathComponent("replay.mp4").path).isEmpty)
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                #expect(playlist.endList && playlist.segments.count == 5)
                try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 600)

                // With fillers the chapters still cover the show.
                var full = ReplayOptions()
                full.chapters = .full
                full.force = true
                let again = try await exportReplay(recording, to: output, options: full)
                #expect(again.chapters == 1)
                let vtt = try WebVTTChapters.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.vtt"), encoding: .utf8))
                #expect(vtt.cues.map(\.text) == ["Intro"])
            }
        }

        @Test("a recording cut off mid-segment: the damaged tail is dropped and reported, the rest plays",
            arguments: [Container.ts, .fmp4])
        func cutOff(container: Container) async throws {
            try await TemporaryDirectory.with(label: "replay-cutoff") { directory in
                let recording = try await recordWithMarkers(directory, container: container)
                let folder = recording.appendingPathComponent("source")
                // What a crash leaves: the last segment half written, no ENDLIST, a temporary file.
                let last = folder.appendingPathComponent("seg_000005.\(container == .ts ? "ts" : "m4s")")
                let data = try Data(contentsOf: last)
                try data.prefix(data.count / 2 + 7).write(to: last)
                let playlistURL = folder.appendingPathComponent("index.m3u8")
                let text = try String(contentsOf: playlistURL, encoding: .utf8)
                try text.replacingOccurrences(of: "#EXT-X-ENDLIST\n", with: "")
                    .replacingOccurrences(of: "#EXT-X-PLAYLIST-TYPE:VOD", with: "#EXT-X-PLAYLIST-TYPE:EVENT")
                    .write(to: playlistURL, atomically: true, encoding: .utf8)
                try Data([0x47, 0x40]).write(to: folder.appendingPathComponent("seg_000006.ts.tmp"))

                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                #expect(result.durationMilliseconds == 16_000)
                #expect(result.notes.contains { $0.contains("no EXT-X-ENDLIST") })
                #expect(result.notes.contains { $0.contains(last.lastPathComponent) && $0.contains("cut off") && $0.contains("dropped") })
                #expect(result.notes.contains { $0.contains("seg_000006.ts.tmp") })
                // p-0006 (17.8 s) is now after the end; p-0005 (15–17.5 s) is clipped.
                #expect(result.notes.contains { $0.contains("p-0006") && $0.contains("after the recording ends") })
                #expect(result.products == 5)
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                #expect(playlist.segments.count == 4 && playlist.endList)
                #expect(abs((try FFprobe.format(of: output.appendingPathComponent("replay.mp4").path).durationSeconds ?? 0) - 16) < 0.1)
                try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 480)
                // The recording itself is untouched.
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("seg_000006.ts.tmp").path))
            }
        }

        @Test("a missing segment in the middle is dropped with a discontinuity; the timeline closes the gap")
        func missingMiddleSegment() async throws {
            try await TemporaryDirectory.with(label: "replay-hole") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                try FileManager.default.removeItem(at: recording.appendingPathComponent("source/seg_000002.ts"))
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                #expect(result.durationMilliseconds == 16_000)
                #expect(result.notes.contains { $0.contains("seg_000002.ts is missing") })
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                #expect(playlist.segments.map(\.uri) == ["seg_000001.ts", "seg_000003.ts", "seg_000004.ts", "seg_000005.ts"])
                #expect(playlist.segments.map(\.discontinuity) == [false, true, false, false])
                try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 480)
                let format = try FFprobe.format(of: output.appendingPathComponent("replay.mp4").path)
                #expect(abs((format.durationSeconds ?? 0) - 16) < 0.1)
            }
        }

        @Test("markers outside the recording and corrupt log lines are reported and skipped")
        func badMarkers() async throws {
            try await TemporaryDirectory.with(label: "replay-badmarkers") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let log = try FileHandle(forWritingTo: recording.appendingPathComponent("markers.jsonl"))
                try log.seekToEnd()
                try log.write(contentsOf: Data(#"{"event":"add","received":"2025-03-14T18:00:30.000Z","marker":{"id":"late","product":"LATE","title":"After the show","url":"https://shop.example.com/late","start":45,"duration":2}}"#.utf8 + [10]))
                try log.write(contentsOf: Data("{this is not json\n".utf8))
                try log.write(contentsOf: Data(#"{"event":"add","marker":{"id":"early","title":"x""#.utf8))  // torn last line
                try log.close()
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                #expect(result.products == 6)
                #expect(result.notes.contains { $0.contains("late") && $0.contains("after the recording ends") })
                #expect(result.notes.contains { $0.contains("markers.jsonl:8:") && $0.contains("skipped") }, "the corrupt line is named: \(result.notes)")
                #expect(result.notes.contains { $0.contains("markers.jsonl:9:") && $0.contains("torn") }, "the torn line is named: \(result.notes)")
                let products = try readJSONObject(output.appendingPathComponent("products.json"))["products"] as? [[String: Any]]
                #expect(products?.count == 6)
                #expect(products?.contains { $0["id"] as? String == "late" } == false)
            }
        }

        @Test("overlapping markers become disjoint chapters by the documented rule")
        func overlapping() async throws {
            try await TemporaryDirectory.with(label: "replay-overlap") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                // A second product at the very millisecond of p-0002.
                _ = try RecordingMarkers.add(
                    json: #"{"id":"p-0007","title":"Same time","url":"https://shop.example/same","start":4,"duration":1}"#,
                    directory: recording.path)
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                #expect(result.products == 7 && result.chapters == 6 && result.thumbnails == 7, "\(result.notes)")
                #expect(result.notes.contains { $0.contains("p-0007 starts at the same time as p-0002") })
                // p-0001 (1.5–5.5) overlaps p-0002 (4–7.5): its chapter ends at 4.
                #expect(result.notes.contains { $0.contains("marker p-0001 overlaps p-0002") })
                let vtt = try WebVTTChapters.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.vtt"), encoding: .utf8))
                #expect(vtt.validationProblems().isEmpty)
                #expect(vtt.cues[0].startMilliseconds == 1500 && vtt.cues[0].endMilliseconds == 4000)
                for (left, right) in zip(vtt.cues, vtt.cues.dropFirst()) {
                    #expect(left.endMilliseconds <= right.startMilliseconds)
                }
            }
        }

        @Test("an output directory that holds a replay is refused unless forced; other contents always")
        func existingOutput() async throws {
            try await TemporaryDirectory.with(label: "replay-exists") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let output = directory.appendingPathComponent("replay")
                _ = try await exportReplay(recording, to: output)
                let before = try Data(contentsOf: output.appendingPathComponent("replay.json"))
                await #expect(throws: CuepointError.self) { _ = try await exportReplay(recording, to: output) }
                do {
                    _ = try await exportReplay(recording, to: output)
                } catch let error as CuepointError {
                    #expect(error.description.contains("already holds a replay"))
                    #expect(error.description.contains("--force"))
                }
                #expect(try Data(contentsOf: output.appendingPathComponent("replay.json")) == before, "the old replay is untouched")
                var force = ReplayOptions()
                force.force = true
                _ = try await exportReplay(recording, to: output, options: force)
                expectNoTemporaryFiles(in: directory)

                let foreign = directory.appendingPathComponent("photos")
                try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
                try Data("keep me".utf8).write(to: foreign.appendingPathComponent("cat.jpg"))
                do {
                    _ = try await exportReplay(recording, to: foreign, options: force)
                    Issue.record("a directory with other files must be refused even with force")
                } catch let error as CuepointError {
                    #expect(error.description.contains("holds no replay"))
                }
                #expect(try String(contentsOf: foreign.appendingPathComponent("cat.jpg"), encoding: .utf8) == "keep me")
                // Inside the recording: refused.
                await #expect(throws: CuepointError.self) {
                    _ = try await exportReplay(recording, to: recording.appendingPathComponent("replay"))
                }
            }
        }

        @Test("not a recording: a clear error naming the directory")
        func notARecording() async throws {
            try await TemporaryDirectory.with(label: "replay-notrec") { directory in
                for input in [directory.appendingPathComponent("missing"), directory] {
                    do {
                        _ = try await exportReplay(input, to: directory.appendingPathComponent("out"))
                        Issue.record("\(input.path) is not a recording")
                    } catch let error as CuepointError {
                        #expect(error.subject == input.path)
                        #expect(error.fix?.isEmpty == false)
                    }
                }
            }
        }
    }
}

extension Integration.Replay {
    @Suite("Many markers", .ownThreads) struct ManyMarkers {
        @Test("300 markers: 300 chapters everywhere, the MP4's QuickTime chapter track beyond chpl's 255")
        func threeHundredMarkers() async throws {
            try await TemporaryDirectory.with(label: "replay-300") { directory in
                let markers = (0..<300).map { index in
                    Marker(
                        id: "m-\(index)", product: "SKU-\(index)", title: "Product \(index)", url: "https://shop.example/\(index)",
                        start: .offset(milliseconds: 1000 + Int64(index) * 60), end: .duration(milliseconds: 60))
                }
                var spec = MarkerRuns.spec(container: .ts, inline: markers)
                spec.markers?.files = []
                let recording = directory.appendingPathComponent("recording")
                _ = try await LibraryRun.run(spec, into: recording)
                let output = directory.appendingPathComponent("replay")
                var options = ReplayOptions()
                options.clips = .none
                options.thumbnails = false
                let result = try await exportReplay(recording, to: output, options: options)
                #expect(result.products == 300 && result.chapters == 300)
                #expect(result.notes.contains { $0.contains("301 chapters") && $0.contains("255") })
                let chapters = try ReplayProbe.chapters(of: output.appendingPathComponent("replay.mp4").path)
                #expect(chapters.count == 301)
                #expect(chapters.dropFirst().map(\.startMilliseconds) == markers.indices.map { 1000 + Int64($0) * 60 })
                #expect(chapters.dropFirst().map(\.title) == markers.map(\.title))
                let vtt = try WebVTTChapters.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.vtt"), encoding: .utf8))
                #expect(vtt.cues.count == 300 && vtt.validationProblems().isEmpty)
                let json = try ChapterDocument.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.json"), encoding: .utf8))
                #expect(json.chapters.count == 300 && json.validationProblems().isEmpty)
            }
        }
    }
}
