import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// A restarted process on an existing recording: a live recording that a crash left
    /// unfinished is resumed from `recording.json` like a publisher reconnect, and nothing is
    /// overwritten; recordings it must not touch are refused before any input is read.
    @Suite("Live resume", .ownThreads)
    struct LiveResumeTests {
        static let key = "k3y-\(UUID().uuidString.prefix(8))"

        @Test(
            "SIGKILL mid-show, restart on the same output: one event recording, old segments and markers kept, a discontinuity, numbering after the damaged tail",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func resumeAfterACrash() async throws {
            try await TemporaryDirectory.with(label: "live-resume") { folder in
                let run = try await offThePool { try Self.crashAndResume(folder) }
                let output = folder.appendingPathComponent("out")
                #expect(run.second.process.exitStatus == 0, "\(run.second.printed)")
                #expect(
                    run.second.stderr.contains(
                        "resuming the unfinished recording in \(output.path) (recording.json) after media sequence number"
                            + " \(run.before.segments.count)"), "\(run.second.printed)")
                #expect(
                    run.second.stderr.contains("temporary file(s) an earlier run left unfinished")
                        && run.second.stderr.contains("source/\(run.injectedTemporary)"), "\(run.second.printed)")
                #expect(
                    run.second.stderr.contains("\"before-1\" is already the id of another marker of this recording"),
                    "the marker file is read again: its old id is rejected as a duplicate\n\(run.second.printed)")

                // Old files unchanged, the unlisted one and the init sections too; no .tmp left.
                for (path, bytes) in run.kept {
                    #expect(try Data(contentsOf: output.appendingPathComponent(path)) == bytes, "\(path) was changed")
                }
                #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("source/\(run.injectedTemporary)").path))

                for rendition in ["source", "240p"] {
                    let index = try MediaPlaylist(
                        parsing: String(contentsOf: output.appendingPathComponent("\(rendition)/index.m3u8"), encoding: .utf8))
                    let old = rendition == "source" ? run.before : run.beforeLadder
                    #expect(index.playlistType == .event && index.endList && index.mediaSequence == 1)
                    // The published segments and their date ranges stay, as they were.
                    #expect(Array(index.segments.prefix(old.segments.count)) == old.segments, "\(rendition): the old segments changed")
                    let resumed = Array(index.segments.dropFirst(old.segments.count))
                    #expect(resumed.count >= 2, "\(rendition): segments after the restart: \(index.segments.map(\.uri))")
                    #expect(
                        index.segments.indices.filter { index.segments[$0].discontinuity } == [old.segments.count],
                        "\(rendition): one EXT-X-DISCONTINUITY, at the restart")
                    guard let first = resumed.first, let last = old.segments.last else { continue }
                    // A fresh PROGRAM-DATE-TIME: the new process's arrival, after the crash.
                    #expect(first.programDateTime!.millisecondsSince1970 >= run.killedAt.millisecondsSince1970)
                    #expect(
                        first.programDateTime!.millisecondsSince1970
                            >= last.programDateTime!.millisecondsSince1970 + last.durationMilliseconds)
                    // Files numbered after everything on disk (the damaged tail is never reused).
                    let numbers = resumed.map { Int64($0.uri.dropFirst(4).prefix(6))! }
                    #expect(numbers == Array(run.highestOnDisk + 1...run.highestOnDisk + Int64(numbers.count)), "\(resumed.map(\.uri))")
                    #expect(first.map?.uri == "init_2.mp4", "\(rendition): the new epoch's init section")
                    #expect(index.segments.flatMap(\.dateRanges).contains { $0.id == "after-1" }, "\(rendition)")
                    #expect(index.segments.flatMap(\.dateRanges).contains { $0.id == "before-1" }, "\(rendition)")
                }

                // markers.jsonl appended to: both markers, each added once.
                let log = try String(contentsOf: output.appendingPathComponent("markers.jsonl"), encoding: .utf8)
                #expect(log.components(separatedBy: "\"before-1\"").count - 1 >= 1)
                #expect(log.components(separatedBy: "\"after-1\"").count - 1 >= 1)
                #expect(log.hasPrefix(run.logBefore), "markers.jsonl was appended to, not rewritten")
                let adds = log.split(separator: "\n").filter { $0.contains("\"event\":\"add\"") }
                #expect(adds.count == 2, "\(log)")

                // BANDWIDTH over old and new segments, sizes from disk.
                // Both renditions with ffprobe, segment by segment: keyframe first, no gap or overlap.
                let sourceIndex = try verifyMediaPlaylist(
                    output.appendingPathComponent("source/index.m3u8"), container: .fmp4, segmentMilliseconds: 1_000)
                let ladderIndex = try verifyMediaPlaylist(
                    output.appendingPathComponent("240p/index.m3u8"), container: .fmp4, segmentMilliseconds: 1_000)
                #expect(
                    ladderIndex.segments.map { Int(($0.firstPTS * 1000).rounded()) }
                        == sourceIndex.segments.map { Int(($0.firstPTS * 1000).rounded()) },
                    "the transcoded rendition's segments start where the copied one's do")
                expectNoTemporaryFiles(in: output)
                let master = try MultivariantPlaylist(
                    parsing: String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))
                let source = try #require(master.variants.first { $0.uri == "source/index.m3u8" })
                let sizes = try sourceIndex.playlist.segments.map { segment in
                    let bytes = try FileManager.default.attributesOfItem(
                        atPath: output.appendingPathComponent("source/\(segment.uri)").path)[.size] as! NSNumber
                    return (bytes: bytes.int64Value, durationMilliseconds: segment.durationMilliseconds)
                }
                #expect(source.averageBandwidth == BitrateMeasurement.average(segments: sizes))
                let state = try String(contentsOf: output.appendingPathComponent("recording.json"), encoding: .utf8)
                #expect(state.contains("\"complete\" : true"), "\(state)")
                #expect(state.contains("\"lastSequence\" : \(sourceIndex.playlist.segments.count)"), "\(state)")

                let decodeErrors = try LiveIngest.decodeErrors(output.appendingPathComponent("source/index.m3u8"))
                #expect(decodeErrors == "", "ffmpeg -v error -i index.m3u8 -f null -:\n\(decodeErrors)")
                try expectPlays(output.appendingPathComponent("source/index.m3u8"))

                // The finished recording is not resumed again.
                let third = try CuepointCLI.run(run.arguments(port: LiveIngest.freePort()))
                #expect(third.status == 1, "\(third)")
                #expect(
                    third.errorLines.last?.hasSuffix(
                        "\(output.path)/recording.json: the live recording in \(output.path) is complete (\"complete\": true);"
                            + " cuepoint does not append to a finished event; give the new show another `name` or `-o`, or"
                            + " move the old recording away") == true, "\(third)")
            }
        }

        struct CrashRun: Sendable {
            var second: LiveIngest.Job
            var before: MediaPlaylist
            var beforeLadder: MediaPlaylist
            /// The bytes of every file published before the crash, and of the unlisted segment.
            var kept: [String: Data]
            var logBefore: String
            var killedAt: WallClockTime
            var injectedTemporary: String
            var highestOnDisk: Int64
            var folder: URL

            func arguments(port: Int) -> [String] { LiveResumeTests.arguments(folder: folder, port: port) }
        }

        /// Found by the crash loop (docs/reliability.md): a job restarted on an unfinished recording
        /// and stopped before its publisher reconnected said "nothing was recorded" and left the
        /// recording open for ever (no EXT-X-ENDLIST, recording.json incomplete, a product open).
        /// Now the recording ends as the earlier process left it.
        @Test(
            "SIGKILL, restart, SIGINT before the publisher reconnects: the recording is finished, its open marker closed",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(3)))
        func stopAfterResumeWithoutInput() async throws {
            try await TemporaryDirectory.with(label: "live-resume-idle") { folder in
                try await offThePool {
                    let output = folder.appendingPathComponent("out")
                    let products = folder.appendingPathComponent("products.jsonl")
                    try Data().write(to: products)
                    func index(_ rendition: String) throws -> MediaPlaylist {
                        try MediaPlaylist(
                            parsing: String(contentsOf: output.appendingPathComponent("\(rendition)/index.m3u8"), encoding: .utf8))
                    }
                    let port = LiveIngest.freePort()
                    let first = try LiveIngest.cuepoint(Self.arguments(folder: folder, port: port), folder: folder, label: "first")
                    Thread.sleep(forTimeInterval: 1)
                    let publisher = try LiveIngest.publish(
                        "rtmp://127.0.0.1:\(port)/live/\(Self.key)", format: "flv", seconds: 10, folder: folder, label: "publisher")
                    _ = SampleFeed.waitForSegments(output, atLeast: 2, within: 20)
                    // A product shown and never closed before the crash.
                    try Data(#"{"id":"mug","title":"Mug","url":"https://s.example/mug","start":"now"}"#.utf8 + [0x0A]).write(to: products)
                    let opened = LiveIngest.poll(20) {
                        ((try? index("source"))?.segments.contains { $0.dateRanges.contains { $0.id == "mug" } }) == true
                    }
                    #expect(opened, "the open marker reached the playlist before the crash:\n\(first.printed)")
                    kill(first.process.processIdentifier, SIGKILL)
                    first.wait(10)
                    kill(publisher.process.processIdentifier, SIGKILL)
                    publisher.wait(10)
                    let before = SampleFeed.segmentCount(output)
                    #expect(before >= 2, "segments before the crash:\n\(first.printed)")
                    let masterBefore = try MultivariantPlaylist(
                        parsing: String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))

                    let second = try LiveIngest.cuepoint(Self.arguments(folder: folder, port: port), folder: folder, label: "second")
                    _ = LiveIngest.poll(20) { second.stderr.contains("resuming the unfinished recording") }
                    second.process.interrupt()
                    #expect(second.wait(30) && second.process.exitStatus == 0, "\(second.printed)")
                    #expect(!second.stdout.contains("nothing was recorded"), "\(second.printed)")
                    #expect(second.stderr.contains("stopped before the input came back"), "\(second.printed)")
                    for rendition in ["source", "240p"] {
                        let playlist = try index(rendition)
                        #expect(playlist.segments.count == before, "\(rendition): the recorded segments are kept")
                        #expect(playlist.endList, "\(rendition): EXT-X-ENDLIST after the stop:\n\(second.printed)")
                        // The open marker ends with the recording: a second tag with its duration.
                        let tags = playlist.segments.flatMap(\.dateRanges).filter { $0.id == "mug" }
                        #expect(tags.count == 2 && tags.last?.durationMilliseconds != nil, "\(rendition): \(tags)")
                    }
                    let state = try #require(
                        try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("recording.json")))
                            as? [String: Any])
                    #expect(state["complete"] as? Bool == true, "recording.json: \(state)")
                    let logged = MarkerLog.read(path: output.appendingPathComponent("markers.jsonl").path).markers
                    #expect(logged.first { $0.id == "mug" }?.isOpen == false, "markers.jsonl closes it too: \(logged)")
                    // CODECS, RESOLUTION and FRAME-RATE as the first run published them.
                    let master = try MultivariantPlaylist(
                        parsing: String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))
                    #expect(master.variants.map(\.codecs) == masterBefore.variants.map(\.codecs))
                    #expect(master.variants.map(\.resolution) == masterBefore.variants.map(\.resolution))
                }
            }
        }

        static func arguments(folder: URL, port: Int) -> [String] {
            [
                "segment", "rtmp://127.0.0.1:\(port)/live/\(key)", "--listen", "-o", folder.appendingPathComponent("out").path,
                "--segment", "1s", "--container", "fmp4", "--ladder", "240p", "--keep-source", "--timeout", "3s",
                "--markers", folder.appendingPathComponent("products.jsonl").path,
            ]
        }

        /// Records a few seconds with a marker, SIGKILLs cuepoint, leaves a damaged tail (an
        /// unlisted segment file and a temporary file), starts it again on the same output with a
        /// new publisher and a second marker, and ends it with SIGINT.
        static func crashAndResume(_ folder: URL) throws -> CrashRun {
            let output = folder.appendingPathComponent("out")
            let markers = folder.appendingPathComponent("products.jsonl")
            try Data().write(to: markers)
            func index(_ rendition: String) -> MediaPlaylist? {
                (try? String(contentsOf: output.appendingPathComponent("\(rendition)/index.m3u8"), encoding: .utf8))
                    .flatMap { try? MediaPlaylist(parsing: $0) }
            }
            func appendMarker(_ id: String) throws {
                let handle = try FileHandle(forWritingTo: markers)
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("{\"id\":\"\(id)\",\"title\":\"Mug\",\"url\":\"https://s.example/\(id)\",\"start\":\"now\"}\n".utf8))
                try handle.close()
            }
            func hasRange(_ id: String) -> Bool {
                ["source", "240p"].allSatisfy { index($0)?.segments.contains { $0.dateRanges.contains { $0.id == id } } == true }
            }

            // First process: a marker once segments flow, then a crash.
            var port = LiveIngest.freePort()
            let first = try LiveIngest.cuepoint(arguments(folder: folder, port: port), folder: folder)
            Thread.sleep(forTimeInterval: 1)
            let publisher = try LiveIngest.publish(
                "rtmp://127.0.0.1:\(port)/live/\(key)", format: "flv", seconds: 10, folder: folder, label: "first-publisher")
            guard LiveIngest.poll(20, { (index("240p")?.segments.count ?? 0) >= 2 }) else {
                throw RecordingProblem(description: "no segments before the crash:\n\(first.printed)\n\(publisher.printed)")
            }
            try appendMarker("before-1")
            guard LiveIngest.poll(10, { hasRange("before-1") && (index("240p")?.segments.count ?? 0) >= 3 }) else {
                throw RecordingProblem(description: "the first marker was not published:\n\(first.printed)")
            }
            let killedAt = WallClockTime(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
            kill(first.process.processIdentifier, SIGKILL)
            first.wait(10)
            kill(publisher.process.processIdentifier, SIGKILL)
            publisher.wait(10)

            // What was published, byte for byte; then a damaged tail.
            guard let before = index("source"), let beforeLadder = index("240p") else {
                throw RecordingProblem(description: "no playlists after the crash:\n\(first.printed)")
            }
            let manager = FileManager.default
            func segmentNumbers() -> [Int64] {
                ["source", "240p"].flatMap { rendition in
                    ((try? manager.contentsOfDirectory(atPath: output.appendingPathComponent(rendition).path)) ?? [])
                        .compactMap { $0.wholeMatch(of: /seg_([0-9]+)\.m4s(\.tmp)?/).flatMap { Int64($0.1) } }
                }
            }
            let lastListed = Int64(before.segments.count)
            let unlisted = String(format: "seg_%06d.m4s", max(lastListed + 1, (segmentNumbers().max() ?? 0) + 1))
            try manager.copyItem(
                at: output.appendingPathComponent("source/\(before.segments.last!.uri)"),
                to: output.appendingPathComponent("source/\(unlisted)"))
            let injectedTemporary = String(format: "seg_%06d.m4s.tmp", (segmentNumbers().max() ?? 0) + 1)
            try Data(repeating: 0x47, count: 188).write(to: output.appendingPathComponent("source/\(injectedTemporary)"))
            let highestOnDisk = segmentNumbers().max() ?? 0
            var kept: [String: Data] = [:]
            for rendition in ["source", "240p"] {
                let playlist = rendition == "source" ? before : beforeLadder
                for name in playlist.segments.map(\.uri) + ["init.mp4"] {
                    kept["\(rendition)/\(name)"] = try Data(contentsOf: output.appendingPathComponent("\(rendition)/\(name)"))
                }
            }
            kept["source/\(unlisted)"] = try Data(contentsOf: output.appendingPathComponent("source/\(unlisted)"))
            let logBefore = try String(contentsOf: output.appendingPathComponent("markers.jsonl"), encoding: .utf8)

            // Second process on the same output: a new publisher, a second marker, SIGINT.
            port = LiveIngest.freePort()
            let second = try LiveIngest.cuepoint(arguments(folder: folder, port: port), folder: folder)
            Thread.sleep(forTimeInterval: 1)
            let again = try LiveIngest.publish(
                "rtmp://127.0.0.1:\(port)/live/\(key)", format: "flv", seconds: 8, folder: folder, label: "second-publisher")
            let count = beforeLadder.segments.count
            guard LiveIngest.poll(20, { (index("240p")?.segments.count ?? 0) >= count + 2 }) else {
                throw RecordingProblem(description: "no segments after the restart:\n\(second.printed)\n\(again.printed)")
            }
            try appendMarker("after-1")
            _ = LiveIngest.poll(10) { hasRange("after-1") && (index("240p")?.segments.count ?? 0) >= count + 3 }
            second.process.interrupt()
            second.wait(30)
            kill(again.process.processIdentifier, SIGKILL)
            again.wait(10)
            return CrashRun(
                second: second, before: before, beforeLadder: beforeLadder, kept: kept, logBefore: logBefore,
                killedAt: killedAt, injectedTemporary: injectedTemporary, highestOnDisk: highestOnDisk, folder: folder)
        }
    }
}

extension Integration.LiveResumeTests {
    /// A recording with one segment and a `recording.json` as cuepoint writes it.
    static func oldRecording(in directory: URL, complete: Bool, container: String = "ts", stateText: String? = nil) throws {
        let source = directory.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try Data("an old segment".utf8).write(to: source.appendingPathComponent("seg_000001.ts"))
        let state =
            stateText ?? """
            {"complete":\(complete),"container":"\(container)","live":true,"name":"show","renditions":[{"codecs":[],\
            "durationMilliseconds":1000,"kind":"copy","lastSequence":1,"name":"source","segments":1}],\
            "segmentDurationMilliseconds":1000,"startDate":"2025-03-14T18:00:00.000Z","version":1}
            """
        try Data(state.utf8).write(to: directory.appendingPathComponent("recording.json"))
    }

    /// Runs a live job (a UDP input that nothing sends to) on `directory`; it must fail before
    /// it waits for input. A job that waits instead is stopped after 10 s and fails the test.
    static func refusal(_ directory: URL, container: Container = .ts) throws -> String? {
        let spec = LibraryRun.spec(
            input: "udp://127.0.0.1:\(LiveIngest.freePort(udp: true))", container: container, segmentMilliseconds: 1_000,
            live: true, name: "show")
        let runner = PipelineRunner(spec: spec, directory: directory)
        let guardThread = Thread { Thread.sleep(forTimeInterval: 10); runner.stop() }
        guardThread.start()
        do {
            _ = try runner.runBlocking()
            return nil
        } catch {
            return error.description
        }
    }

    @Test("Refused resumes: complete, other settings, missing or unreadable recording.json; nothing is touched")
    func refusedResumes() async throws {
        try await TemporaryDirectory.with(label: "resume-refused") { folder in
            try await offThePool {
                let fix = "give this job another `name` or `-o`, or move the old recording away"
                let complete = folder.appendingPathComponent("complete")
                try Self.oldRecording(in: complete, complete: true)
                #expect(
                    try Self.refusal(complete)
                        == "\(complete.path)/recording.json: the live recording in \(complete.path) is complete"
                        + " (\"complete\": true); cuepoint does not append to a finished event; give the new show another"
                        + " `name` or `-o`, or move the old recording away")

                let other = folder.appendingPathComponent("other-container")
                try Self.oldRecording(in: other, complete: false, container: "fmp4")
                #expect(
                    try Self.refusal(other)
                        == "\(other.path)/recording.json: the unfinished recording in \(other.path) has other settings"
                        + " (container fmp4, this job ts); it can be resumed only with the same container, segment duration"
                        + " and renditions; run it with its own settings to resume it, or \(fix)")

                let missing = folder.appendingPathComponent("missing")
                try Self.oldRecording(in: missing, complete: false)
                try FileManager.default.removeItem(at: missing.appendingPathComponent("recording.json"))
                #expect(
                    try Self.refusal(missing)
                        == "\(missing.path)/recording.json: missing, but \(missing.path) holds 1 segment file(s) of an"
                        + " earlier recording; a live recording is resumed only from its recording.json, and segments are"
                        + " never overwritten; \(fix)")

                let corrupt = folder.appendingPathComponent("corrupt")
                try Self.oldRecording(in: corrupt, complete: false, stateText: "{\"complete\": fal")
                #expect(
                    try Self.refusal(corrupt)
                        == "\(corrupt.path)/recording.json: unreadable (not the JSON cuepoint writes), and \(corrupt.path)"
                        + " holds 1 segment file(s); the recording cannot be resumed and segments are never overwritten; \(fix)")

                for directory in [complete, other, missing, corrupt] {
                    let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("source").path)
                    #expect(names == ["seg_000001.ts"], "\(directory.lastPathComponent): \(names)")
                    #expect(
                        try Data(contentsOf: directory.appendingPathComponent("source/seg_000001.ts")) == Data("an old segment".utf8))
                }
            }
        }
    }

    @Test("A file job run again on its output starts afresh (a stale segment of the earlier run is removed)")
    func fileJobRerunStartsAfresh() async throws {
        try await TemporaryDirectory.with(label: "rerun") { folder in
            try await offThePool {
                let spec = LibraryRun.spec(input: SampleInput.ts.path, container: .ts)
                let first = try LibraryRun.runBlocking(spec, into: folder).summary
                try Data("stale".utf8).write(to: folder.appendingPathComponent("source/seg_000099.ts"))
                try Data("torn".utf8).write(to: folder.appendingPathComponent("source/seg_000100.ts.tmp"))
                let second = try LibraryRun.runBlocking(spec, into: folder).summary
                #expect(second.renditions.map(\.segments) == first.renditions.map(\.segments))
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("source/seg_000099.ts").path))
                try verifyRecording(directory: folder, container: .ts)
            }
        }
    }
}

extension Integration.LiveResumeTests {
    @Test(
        "A resumed recording exports a replay: the audio that overlaps at the resume point is left out, with a note",
        .enabled(if: FFprobe.isInstalled, "needs ffprobe"), .timeLimit(.minutes(3)))
    func replayOfAResumedRecording() async throws {
        // Before the fix: `cuepoint replay` failed with "the replay's media could not be written
        // (…); check free space", because the mov muxer refused the overlapping audio.
        try await TemporaryDirectory.with(label: "resume-replay") { folder in
            let output = folder.appendingPathComponent("out")
            let (second, before) = try await offThePool { try Self.killAndResumeFromAPipe(output, folder: folder) }
            #expect(second.process.exitStatus == 0, "\(second.printed)")
            let index = try MediaPlaylist(
                parsing: String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
            #expect(index.endList && before == 5 && index.segments.count > before, "\(index.segments.map(\.uri))")
            #expect(index.segments.indices.filter { index.segments[$0].discontinuity } == [before], "one discontinuity, at the resume")

            let package = folder.appendingPathComponent("replay")
            let replay = try CuepointCLI.run(["replay", output.path, "-o", package.path])
            #expect(replay.status == 0, "\(replay)")
            #expect(
                replay.stderrLines.contains {
                    $0.hasPrefix("cuepoint: note: ") && $0.contains("overlap the packets before them")
                        && $0.hasSuffix("were left out of replay.mp4")
                }, "\(replay)")
            // replay.mp4 holds the whole recording, and ffprobe reads increasing decoding times.
            let mp4 = package.appendingPathComponent("replay.mp4").path
            for stream in ["v:0", "a:0"] {
                let times = try FFprobe.packets(of: mp4, stream: stream).compactMap(\.dtsTime)
                #expect(times.count > 100, "\(stream): \(times.count) packets")
                #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(stream): decoding times increase")
            }
            let recorded = Double(index.segments.reduce(0) { $0 + $1.durationMilliseconds }) / 1000
            let duration = try FFprobe.format(of: mp4).durationSeconds ?? 0
            #expect(abs(duration - recorded) < 0.1, "replay.mp4 lasts \(duration) s, the recording \(recorded) s")
        }
    }

    /// A live `pipe:0` recording (1 s segments) of sample.ts up to the keyframe at 11.47 s (five
    /// segments), SIGKILLed, then resumed by a second process fed the sample from between the
    /// keyframes at 11.47 s and 13.47 s to its end, which then ends (EOF). The resumed run's first
    /// segment starts at 13.47 s and the sample's muxer sent audio from 13.26 s after that
    /// keyframe: the resumed audio begins 0.2 s before its video, overlapping the end of the audio
    /// before the crash on the replay's timeline.
    ///
    /// - Returns: the second job, ended, and how many segments the first published.
    static func killAndResumeFromAPipe(_ output: URL, folder: URL) throws -> (LiveIngest.Job, Int) {
        let keyframes = try SampleFeed.keyframeOffsets()
        let arguments = ["segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s"]
        let first = try LiveIngest.cuepoint(arguments, folder: folder, feeding: true, label: "first")
        try SampleFeed.feed(first, 0..<SampleFeed.boundary(keyframes[5]))
        guard SampleFeed.waitForSegments(output, atLeast: 5) else {
            throw RecordingProblem(description: "five segments before the crash:\n\(first.printed)")
        }
        kill(first.process.processIdentifier, SIGKILL)
        first.wait(10)
        let before = SampleFeed.segmentCount(output)
        let second = try LiveIngest.cuepoint(arguments, folder: folder, feeding: true, label: "second")
        try SampleFeed.feed(second, SampleFeed.boundary(keyframes[5])..<SampleFeed.bytes.count)
        try SampleFeed.end(second)
        guard second.wait(60) else { throw RecordingProblem(description: "the resumed job did not end:\n\(second.printed)") }
        return (second, before)
    }
}
