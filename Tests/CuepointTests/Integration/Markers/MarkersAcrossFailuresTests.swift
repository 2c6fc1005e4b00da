import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration.ProductMarkers {
    /// Markers across a crash or a full disk: a live `pipe:0` job with the marker API, fed the
    /// sample in chunks (``SampleFeed``), SIGKILLed and resumed on the same output, or stopped by
    /// a disk that fills up. Every acknowledged marker ends up in the playlists, and a resumed
    /// job's API knows the markers of the log.
    @Suite("Markers across a crash or a full disk", .ownThreads)
    struct MarkersAcrossFailures {
        static let tokenVariable = "CUEPOINT_TEST_RESUME_TOKEN"
        static let token = "resume-\(UUID().uuidString)"
        static let environment = [tokenVariable: token]

        /// An HTTP answer: its status (nil: none) and body.
        typealias Answer = (status: Int?, body: String)

        static func marker(_ id: String, start: Double, duration: Double? = nil) -> String {
            let end = duration.map { ",\"duration\":\($0)" } ?? ""
            return #"{"id":"\#(id)","title":"Product \#(id)","url":"https://shop.example/p/\#(id)","start":\#(start)\#(end)}"#
        }

        static func arguments(_ output: URL) -> [String] {
            [
                "segment", "pipe:0", "--live", "-o", output.path, "--segment", "1s", "--serve", "127.0.0.1:0",
                "--token-env", tokenVariable,
            ]
        }

        /// The date ranges of `source/index.m3u8` with this id, in order.
        static func ranges(_ id: String, in output: URL) -> [DateRange] {
            let text = (try? String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8)) ?? ""
            return ((try? MediaPlaylist(parsing: text))?.segments ?? []).flatMap(\.dateRanges).filter { $0.id == id }
        }

        static func post(_ root: String, _ path: String, _ body: String) -> Answer {
            SampleFeed.request("POST", root + path, token: token, body: body)
        }

        /// What a crash-and-resume run saw: the API's answers by name, the tags published before
        /// the crash, and the second job once ended.
        struct CrashRun: Sendable {
            var answers: [String: String] = [:]
            var statuses: [String: Int] = [:]
            var tagsBeforeKill: [String: [Int64?]] = [:]
            var second: LiveIngest.Job?

            mutating func record(_ name: String, _ answer: Answer) {
                statuses[name] = answer.status ?? -1
                answers[name] = answer.body
            }
        }

        /// The first process: the sample up to the keyframe at 7.47 s (three segments), then
        /// `beforeKill` (given the served root and a function that feeds up to the keyframe at
        /// 9.47 s, which closes a fourth segment), then SIGKILL. The second process on the same
        /// output gets the sample from between 11.47 s and 13.47 s to 17.47 s, then `afterResume`,
        /// then the rest and EOF. Setup failures throw; what the steps saw is returned.
        static func crashAndResume(
            _ output: URL, folder: URL,
            beforeKill: (_ root: String, _ run: inout CrashRun, _ closeAnotherSegment: () throws -> Void) throws -> Void,
            afterResume: (_ root: String, _ run: inout CrashRun) throws -> Void
        ) throws -> CrashRun {
            var run = CrashRun()
            let keyframes = try SampleFeed.keyframeOffsets()
            let first = try LiveIngest.cuepoint(arguments(output), folder: folder, environment: environment, feeding: true, label: "first")
            guard let root = first.servedRoot() else { throw RecordingProblem(description: "not served:\n\(first.printed)") }
            try SampleFeed.feed(first, 0..<SampleFeed.boundary(keyframes[3]))
            guard SampleFeed.waitForSegments(output, atLeast: 3) else {
                throw RecordingProblem(description: "three segments expected:\n\(first.printed)")
            }
            try beforeKill(root, &run) {
                try SampleFeed.feed(first, SampleFeed.boundary(keyframes[3])..<SampleFeed.boundary(keyframes[4]))
                guard SampleFeed.waitForSegments(output, atLeast: 4) else {
                    throw RecordingProblem(description: "a fourth segment expected:\n\(first.printed)")
                }
            }
            kill(first.process.processIdentifier, SIGKILL)
            first.wait(10)

            let second = try LiveIngest.cuepoint(arguments(output), folder: folder, environment: environment, feeding: true, label: "second")
            run.second = second
            guard let again = second.servedRoot() else { throw RecordingProblem(description: "not served:\n\(second.printed)") }
            let before = SampleFeed.segmentCount(output)
            try SampleFeed.feed(second, SampleFeed.boundary(keyframes[5])..<SampleFeed.boundary(keyframes[8]))
            guard SampleFeed.waitForSegments(output, atLeast: before + 1) else {
                throw RecordingProblem(description: "no segment after the restart:\n\(second.printed)")
            }
            try afterResume(again, &run)
            try SampleFeed.feed(second, SampleFeed.boundary(keyframes[8])..<SampleFeed.bytes.count)
            try SampleFeed.end(second)
            guard second.wait(60) else { throw RecordingProblem(description: "the resumed job did not end:\n\(second.printed)") }
            return run
        }

        @Test(
            "a marker open at a SIGKILL is known to the restarted job: listed, its id kept, closed with a closing DATERANGE",
            .enabled(if: FFprobe.isInstalled, "needs ffprobe"), .timeLimit(.minutes(3)))
        func openMarkerSurvivesACrash() async throws {
            // Before the fix: after the restart GET /v1/markers did not list it, the close
            // answered 404 and a re-add 409: the product stayed open in the recording forever.
            try await TemporaryDirectory.with(label: "resume-open-marker") { folder in
                let output = folder.appendingPathComponent("out")
                let run = try await offThePool {
                    try Self.crashAndResume(
                        output, folder: folder,
                        beforeKill: { root, run, closeAnotherSegment in
                            run.record("add", Self.post(root, "/v1/markers", Self.marker("open-1", start: 0.5)))
                            try closeAnotherSegment()
                            run.tagsBeforeKill["open-1"] = Self.ranges("open-1", in: output).map(\.durationMilliseconds)
                        },
                        afterResume: { root, run in
                            run.record("list", SampleFeed.request("GET", "\(root)/v1/markers", token: Self.token))
                            run.record("one", SampleFeed.request("GET", "\(root)/v1/markers/open-1", token: Self.token))
                            run.record("re-add", Self.post(root, "/v1/markers", Self.marker("open-1", start: 3)))
                            run.record("close", Self.post(root, "/v1/markers/open-1/close", #"{"duration":7}"#))
                            run.record("close again", Self.post(root, "/v1/markers/open-1/close", #"{"duration":8}"#))
                        })
                }
                let printed = run.second?.printed ?? ""
                #expect(run.second?.process.exitStatus == 0, "\(printed)")
                #expect(run.statuses["add"] == 201, "\(run.answers)")
                #expect(run.tagsBeforeKill["open-1"] == [nil], "published open before the crash")
                #expect(run.statuses["list"] == 200 && run.answers["list"]?.contains("\"open-1\"") == true, "\(run.answers)")
                #expect(run.statuses["one"] == 200 && run.answers["one"]?.contains("\"duration\"") == false, "open: \(run.answers)")
                #expect(run.statuses["re-add"] == 409, "the id stays taken: \(run.answers)")
                #expect(run.statuses["close"] == 200 && run.answers["close"]?.contains("\"duration\":7") == true, "\(run.answers)")
                #expect(run.statuses["close again"] == 409, "already closed: \(run.answers)")
                // Published open before the crash, then its closing tag with DURATION after the restart.
                let tags = Self.ranges("open-1", in: output)
                #expect(tags.map(\.durationMilliseconds) == [nil, 7_000], "\(tags)\n\(printed)")
                let log = try String(contentsOf: output.appendingPathComponent("markers.jsonl"), encoding: .utf8)
                let lines = log.split(separator: "\n").filter { $0.contains("\"open-1\"") }
                #expect(lines.filter { $0.contains("\"event\":\"add\"") }.count == 1, "\(log)")
                #expect(lines.filter { $0.contains("\"event\":\"close\"") }.count == 1, "\(log)")
                _ = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
            }
        }

        @Test(
            "a marker acknowledged just before a SIGKILL, never published, reaches the playlists after the restart",
            .enabled(if: FFprobe.isInstalled, "needs ffprobe"), .timeLimit(.minutes(3)))
        func unpublishedMarkerIsPlacedAfterACrash() async throws {
            // Before the fix: it stayed in markers.jsonl only, although its start (1 s) lies inside the recording.
            try await TemporaryDirectory.with(label: "resume-unpublished-marker") { folder in
                let output = folder.appendingPathComponent("out")
                let run = try await offThePool {
                    try Self.crashAndResume(
                        output, folder: folder,
                        beforeKill: { root, run, _ in
                            run.record("add", Self.post(root, "/v1/markers", Self.marker("late-1", start: 1, duration: 2)))
                            run.tagsBeforeKill["late-1"] = Self.ranges("late-1", in: output).map(\.durationMilliseconds)
                        },
                        afterResume: { _, _ in })
                }
                let printed = run.second?.printed ?? ""
                #expect(run.second?.process.exitStatus == 0, "\(printed)")
                #expect(run.statuses["add"] == 201, "\(run.answers)")
                #expect(run.tagsBeforeKill["late-1"] == [], "not published before the crash")
                #expect(
                    run.second?.stderr.contains(
                        "marker late-1 of markers.jsonl had not reached the playlists before the restart; it is published"
                            + " with the next segment") == true, "\(printed)")
                let tags = Self.ranges("late-1", in: output)
                #expect(tags.map(\.durationMilliseconds) == [2_000], "\(tags)\n\(printed)")
                let log = try String(contentsOf: output.appendingPathComponent("markers.jsonl"), encoding: .utf8)
                #expect(log.split(separator: "\n").filter { $0.contains("\"late-1\"") }.count == 1, "\(log)")
                _ = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 1_000)
            }
        }

        static let mountPoint = NSTemporaryDirectory() + "cuepoint-full-disk-markers"

        @Test(
            "a marker accepted shortly before the disk fills up, starting inside the recording, is in the final playlists",
            .enabled(if: FullDiskTests.canMount, "needs permission to mount a tmpfs"),
            .enabled(if: FFprobe.isInstalled, "needs ffprobe"), .timeLimit(.minutes(2)))
        func acceptedMarkerIsPublishedWhenTheDiskFills() async throws {
            // Before the fix: it was in markers.jsonl but not in index.m3u8: its date range waited
            // for a segment that the full disk kept from closing.
            try await TemporaryDirectory.with(label: "full-disk-marker") { folder in
                let mountPoint = Self.mountPoint
                try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
                #expect(FullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]) == 0)
                defer { FullDiskTests.run("/bin/umount", [mountPoint]) }
                let output = URL(fileURLWithPath: mountPoint).appendingPathComponent("recording")
                let (job, added) = try await offThePool { try Self.fillTheDisk(under: output, folder: folder) }
                #expect(added.status == 201, "\(added)")
                #expect(job.process.exitStatus == 1, "\(job.printed)")
                #expect(job.stderr.contains("No space left on device"), "\(job.printed)")
                let index = try MediaPlaylist(
                    parsing: String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                #expect(index.endList)
                let tags = index.segments.flatMap(\.dateRanges).filter { $0.id == "late-1" }
                #expect(tags.map(\.durationMilliseconds) == [2_000], "the accepted marker is published: \(tags)\n\(job.printed)")
                let log = try String(contentsOf: output.appendingPathComponent("markers.jsonl"), encoding: .utf8)
                #expect(log.contains("\"late-1\""))
            }
        }

        /// Three segments (1.47 s to 7.47 s of the sample) into `output`, then a marker from 1 s for
        /// 2 s (its tag waits for the fourth segment), then the disk filled but for 48 KiB, so the
        /// open segment cannot be completed, then the rest of the sample. Returns the ended job and
        /// the answer to the marker.
        static func fillTheDisk(under output: URL, folder: URL) throws -> (LiveIngest.Job, Answer) {
            let keyframes = try SampleFeed.keyframeOffsets()
            let job = try LiveIngest.cuepoint(arguments(output), folder: folder, environment: environment, feeding: true)
            guard let root = job.servedRoot() else { throw RecordingProblem(description: "not served:\n\(job.printed)") }
            try SampleFeed.feed(job, 0..<SampleFeed.boundary(keyframes[3]))
            guard SampleFeed.waitForSegments(output, atLeast: 3) else {
                throw RecordingProblem(description: "three segments expected:\n\(job.printed)")
            }
            let added = post(root, "/v1/markers", marker("late-1", start: 1, duration: 2))

            let filler = output.deletingLastPathComponent().appendingPathComponent("filler")
            _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            let fill = try FileHandle(forWritingTo: filler)
            let block = Data(count: 4096)
            while (try? fill.write(contentsOf: block)) != nil {}
            try? fill.close()
            let size = (try FileManager.default.attributesOfItem(atPath: filler.path)[.size] as? Int) ?? 0
            guard truncate(filler.path, off_t(max(0, size - 48 * 1024))) == 0 else {
                throw RecordingProblem(description: "cannot shorten \(filler.path)")
            }
            // The job stops reading when its output fails: the rest of the feed may then be refused.
            try? SampleFeed.feed(job, SampleFeed.boundary(keyframes[3])..<SampleFeed.bytes.count)
            try? SampleFeed.end(job)
            guard job.wait(60) else { throw RecordingProblem(description: "the job did not end:\n\(job.printed)") }
            return (job, added)
        }
    }
}
