import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// The shared checks are only worth something if they fail: damage a good recording and
    /// make sure each kind of damage is caught.
    @Suite("The recording checks themselves", .ownThreads)
    struct RecordingChecksCatchDamage {
        @Test("verifyRecording catches a missing segment, an imprecise EXTINF and segments out of order")
        func catchesDamage() async throws {
            try await TemporaryDirectory.with(label: "checks") { directory in
                _ = try await LibraryRun.run(LibraryRun.spec(input: SampleInput.mp4.path, container: .ts), into: directory)
                try verifyRecording(directory: directory, container: .ts)
                let folder = directory.appendingPathComponent("source")
                let fileManager = FileManager.default
                let second = folder.appendingPathComponent("seg_000002.ts"), third = folder.appendingPathComponent("seg_000003.ts")
                let aside = directory.appendingPathComponent("aside.ts")

                // A listed segment that is missing.
                try fileManager.moveItem(at: second, to: aside)
                try expectFlagged(
                    "seg_000002.ts, listed but missing",
                    ["index.m3u8 lists seg_000002.ts, which does not exist", "seg_000002.ts: No such file or directory"]
                ) { try verifyRecording(directory: directory, container: .ts) }
                try fileManager.moveItem(at: aside, to: second)

                // Two segments swapped: the timestamps no longer run on.
                try fileManager.moveItem(at: second, to: aside)
                try fileManager.moveItem(at: third, to: second)
                try fileManager.moveItem(at: aside, to: third)
                try expectFlagged(
                    "seg_000002.ts and seg_000003.ts swapped",
                    ["seg_000002.ts starts at", "seg_000003.ts starts at", "seg_000004.ts starts at"]
                ) { try verifyRecording(directory: directory, container: .ts) }

                // An EXTINF with more than millisecond precision (the strict parser rejects it).
                let index = folder.appendingPathComponent("index.m3u8")
                let text = try String(contentsOf: index, encoding: .utf8)
                try text.replacingOccurrences(of: "#EXTINF:6.000,", with: "#EXTINF:6.0001,").write(to: index, atomically: true, encoding: .utf8)
                try expectFlagged(
                    "EXTINF 6.0001 (more than ms precision)",
                    ["EXTINF duration is not a non-negative decimal with at most 3 decimals: 6.0001"]
                ) { try verifyRecording(directory: directory, container: .ts) }
            }
        }
    }
}

/// Runs the checks on damaged output and requires that they flag it with exactly the expected
/// problems: at least one issue, and every issue they record names one of `problems` (any other
/// issue, or none at all, fails the test).
private func expectFlagged(
    _ damage: String, _ problems: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ checks: () throws -> Void
) throws {
    try withKnownIssue("the checks must flag \(damage)", sourceLocation: sourceLocation) {
        _ = try checks()
    } matching: { issue in
        let text = String(describing: issue)
        return problems.contains { text.contains($0) }
    }
}
