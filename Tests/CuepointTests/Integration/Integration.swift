import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

// MARK: - Overview
//
// End-to-end tests: real inputs (SampleMedia, and damaged copies made in the test) go through
// the library (`PipelineRunner`) or the `cuepoint` binary, and the output is judged with
// programs we did not write: our strict playlist parser for the text, ffprobe for every
// segment, and GStreamer for playback. Every test works in a folder of its own under /tmp.
//
//     Integration
//     ├── RecordedInputs      SampleMedia × {ts, fmp4} through the library
//     ├── SegmentBoundaries   determinism and where the cuts land
//     ├── LiveRecordings      live playlists, availability-based deletion, stdin
//     ├── BadInputs           damaged or unusable inputs and outputs, through the CLI
//     └── CommandLine         validate, probe, run
//
// Run them with `swift test --filter Integration` after `swift build --build-tests`
// (the CLI tests need the `cuepoint` binary next to the test bundle).

/// The root suite of the integration tests; the test suites are nested in extensions.
@Suite("Integration", .ownThreads)
enum Integration {}

/// The SampleMedia inputs the recorded-input tests run on.
enum SampleInput: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case mp4 = "sample.mp4"
    case ts = "sample.ts"
    case audioOnly = "audio-only.m4a"

    var url: URL { Repository.sampleMedia(rawValue) }
    var path: String { url.path }
    var hasVideo: Bool { self != .audioOnly }
    var testDescription: String { rawValue }
}

/// Running pipelines through the library.
enum LibraryRun {
    /// A fixed wall-clock date for runs whose PROGRAM-DATE-TIME should not depend on the time of day.
    static let fixedDate = WallClockTime(iso8601: "2025-03-14T18:00:00Z")!

    /// A pipeline that copies `input` into one `source` rendition. `output.directory` keeps its
    /// default: `run(_:into:)` gives the runner the recording directory itself.
    static func spec(
        input: String, container: Container, segmentMilliseconds: Int64 = 6_000, live: Bool? = nil,
        liveWindow: Int = OutputSpec.defaultLiveWindow, playlists: Set<PlaylistKind>? = nil, name: String = "recording"
    ) -> PipelineSpec {
        PipelineSpec(
            name: name, input: InputSpec(url: input, live: live),
            output: OutputSpec(
                container: container, segmentDuration: .milliseconds(segmentMilliseconds), liveWindow: liveWindow, playlists: playlists))
    }

    /// Runs `spec` into `directory` on the calling thread (see `offThePool`).
    static func runBlocking(
        _ spec: PipelineSpec, into directory: URL, clock: any WallClock = ManualClock(start: fixedDate)
    ) throws -> (summary: RunSummary, warnings: [String]) {
        let collected = WarningLog()
        var options = RunOptions()
        options.clock = clock
        options.warning = { collected.append($0) }
        let summary = try PipelineRunner(spec: spec, directory: directory, options: options).runBlocking()
        return (summary, collected.messages)
    }

    /// Runs `spec` into `directory` with `clock` (a fixed date unless given), collecting warnings.
    static func run(
        _ spec: PipelineSpec, into directory: URL, clock: any WallClock = ManualClock(start: fixedDate)
    ) async throws -> (summary: RunSummary, warnings: [String]) {
        let collected = WarningLog()
        var options = RunOptions()
        options.clock = clock
        options.warning = { collected.append($0) }
        let runner = PipelineRunner(spec: spec, directory: directory, options: options)
        let summary = try await runner.record().get()
        return (summary, collected.messages)
    }
}

/// Warnings reported during a run, from the pipeline's thread.
final class WarningLog: @unchecked Sendable {
    // Invariant: `lines` is only touched with `lock` held.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var messages: [String] { lock.withLock { lines } }
}

/// A wall clock under the test's control: it starts at `start` and moves `step` forward after
/// every reading. `beforeReading` (optional) is called inside `now()` on the pipeline's thread
/// with the value the previous reading returned, so a test can look at what the run had
/// published by then without racing it.
final class ManualClock: WallClock, @unchecked Sendable {
    // Invariant: `next` and `previous` are only touched with `lock` held; `beforeReading`
    // runs with the lock held, so readings are strictly ordered.
    private let lock = NSLock()
    private var next: WallClockTime
    private var previous: WallClockTime?
    private let step: Int64
    private let beforeReading: (@Sendable (_ previous: WallClockTime?) -> Void)?

    init(
        start: WallClockTime, stepMilliseconds: Int64 = 0,
        beforeReading: (@Sendable (_ previous: WallClockTime?) -> Void)? = nil
    ) {
        self.next = start
        self.step = stepMilliseconds
        self.beforeReading = beforeReading
    }

    func now() -> WallClockTime {
        lock.withLock {
            beforeReading?(previous)
            let value = next
            previous = value
            next = WallClockTime(millisecondsSince1970: value.millisecondsSince1970 + step)
            return value
        }
    }

    /// The value the latest `now()` returned.
    var lastReading: WallClockTime? { lock.withLock { previous } }
}
