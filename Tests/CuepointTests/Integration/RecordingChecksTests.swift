import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// The shared checks are only worth something if they fail: damage a good recording and
    /// make sure each kind of damage is caught.
    @Suite("The recording checks themselves")
    struct RecordingChecksCatchDamage {
        @Test("verifyRecording catches a missing segment, an imprecise EXTINF and segments out of order")
        func catchesDamage() async throws {
            try await withTemporaryDirectory(label: "checks") { directory in
                _ = try await LibraryRun.run(LibraryRun.spec(input: SampleInput.mp4.path, container: .ts), into: directory)
                try verifyRecording(directory: directory, container: .ts)
                let folder = directory.appendingPathComponent("source")
                let fileManager = FileManager.default
                let second = folder.appendingPathComponent("seg_000002.ts"), third = folder.appendingPathComponent("seg_000003.ts")
                let aside = directory.appendingPathComponent("aside.ts")

                // A listed segment that is missing.
                try fileManager.moveItem(at: second, to: aside)
                withKnownIssue("expected: the checks must flag seg_000002.ts, listed but missing") {
                    try verifyRecording(directory: directory, container: .ts)
                }
                try fileManager.moveItem(at: aside, to: second)

                // Two segments swapped: the timestamps no longer run on.
                try fileManager.moveItem(at: second, to: aside)
                try fileManager.moveItem(at: third, to: second)
                try fileManager.moveItem(at: aside, to: third)
                withKnownIssue("expected: the checks must flag seg_000002.ts and seg_000003.ts swapped") {
                    try verifyRecording(directory: directory, container: .ts)
                }

                // An EXTINF with more than millisecond precision (the strict parser rejects it).
                let index = folder.appendingPathComponent("index.m3u8")
                let text = try String(contentsOf: index, encoding: .utf8)
                try text.replacingOccurrences(of: "#EXTINF:6.000,", with: "#EXTINF:6.0001,").write(to: index, atomically: true, encoding: .utf8)
                withKnownIssue("expected: the checks must flag EXTINF 6.0001 (more than ms precision)") {
                    try verifyRecording(directory: directory, container: .ts)
                }
            }
        }
    }
}
