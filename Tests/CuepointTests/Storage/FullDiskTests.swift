import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

@testable import Cuepoint

/// A disk that fills up mid-recording: a 700 KiB tmpfs, which holds two of the sample's
/// segments. Needs permission to mount (root, as in CI); elsewhere the test shows as skipped.
@Suite(.serialized, .ownThreads) struct FullDiskTests {
    static let mountPoint = NSTemporaryDirectory() + "cuepoint-full-disk"

    static let canMount: Bool = {
        try? FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=700k", "tmpfs", mountPoint]) == 0 else { return false }
        _ = run("/bin/umount", [mountPoint])
        return true
    }()

    @discardableResult
    static func run(_ program: String, _ arguments: [String]) -> Int32 {
        (try? Program.runBlocking(program, arguments).status) ?? -1
    }

    @Test(.enabled(if: canMount, "needs permission to mount a tmpfs"))
    func aFullDiskEndsWithAClearErrorAndKeepsWhatWasWritten() throws {
        #expect(FullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=700k", "tmpfs", FullDiskTests.mountPoint]) == 0)
        defer { FullDiskTests.run("/bin/umount", [FullDiskTests.mountPoint]) }
        let directory = URL(fileURLWithPath: FullDiskTests.mountPoint).appendingPathComponent("recording")
        let spec = PipelineSpec(name: "full", input: InputSpec(url: sampleMedia("sample.mp4")))
        do {
            _ = try PipelineRunner(spec: spec, directory: directory).runBlocking()
            Issue.record("a full disk must fail the run")
        } catch {
            #expect(error.message.contains("No space left on device"))
            #expect(error.subject.hasSuffix(".ts"))
            #expect(error.fix?.contains("free space") == true)
        }
        // What was published stays valid: a finished playlist whose segments are all there and whole.
        let text = try String(contentsOf: directory.appendingPathComponent("source/index.m3u8"), encoding: .utf8)
        let playlist = try MediaPlaylist(parsing: text)
        #expect(playlist.endList)
        #expect(!playlist.segments.isEmpty)
        for segment in playlist.segments {
            let path = directory.appendingPathComponent("source/\(segment.uri)").path
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size > 0 && size % 188 == 0, "\(segment.uri) is whole TS packets")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("source").path)
        #expect(!leftovers.contains { $0.hasSuffix(".tmp") }, "no partial files are left behind")
    }

    func sampleMedia(_ name: String) -> String { Repository.sampleMedia(name).path }
}
