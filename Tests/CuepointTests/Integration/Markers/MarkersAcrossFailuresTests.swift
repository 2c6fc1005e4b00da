import Cuepoint
import CuepointHLS
import Foundation
import Testing

extension Integration.ProductMarkers {
    /// Markers across a crash: a live `pipe:0` job with the marker API, fed the sample in chunks
    /// (``SampleFeed``), SIGKILLed and resumed on the same output. A resumed job's API knows the
    /// markers of the log.
    @Suite("Markers across a crash or a full disk")
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
            try await withTemporaryDirectory(label: "resume-open-marker") { folder in
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
                #expect(run.second?.process.terminationStatus == 0, "\(printed)")
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
    }
}
