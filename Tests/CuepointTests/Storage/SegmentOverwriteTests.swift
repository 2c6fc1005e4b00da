import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint
import CuepointFFmpeg

/// `DirectoryStore` never replaces a segment or init section: a name that exists is an error
/// naming the path, whether it existed when the file was opened or appeared before the commit.
@Suite(.ownThreads) struct SegmentOverwriteTests {
    @Test func aSegmentThatExistsIsNeverReplaced() throws {
        let root = try TemporaryDirectory.make(label: "no-overwrite")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = DirectoryStore(root: root)
        try store.prepare(folders: ["source"])
        let existing = root.appendingPathComponent("source/seg_000003.ts")
        try Data("published".utf8).write(to: existing)

        // Opening it: refused at once.
        do {
            _ = try store.openNew("source/seg_000003.ts")
            Issue.record("opening an existing segment must fail")
        } catch {
            #expect(error.code == EEXIST)
            #expect(error.description == "cannot replace the existing segment \(existing.path): File exists")
            #expect(error.fix.contains("a published segment is never overwritten"))
        }

        // A segment that appears while another is written under its name: the commit is refused
        // and the temporary file removed.
        let racing = root.appendingPathComponent("source/seg_000004.ts")
        let sink = try store.openNew("source/seg_000004.ts")
        try Array("new bytes".utf8).withUnsafeBytes { try sink.write($0) }
        try Data("the other writer".utf8).write(to: racing)
        #expect(throws: StorageError(path: racing.path, operation: StorageError.replaceSegment, code: EEXIST)) {
            try sink.commit()
        }
        #expect(FileManager.default.fileExists(atPath: racing.path + ".tmp") == false)

        // Init sections too; playlists are still replaced.
        try Data("init".utf8).write(to: root.appendingPathComponent("source/init.mp4"))
        #expect(throws: StorageError.self) { try store.create("source/init.mp4", with: [1, 2, 3]) }
        try store.replace("source/index.m3u8", text: "#EXTM3U\n")
        try store.replace("source/index.m3u8", text: "#EXTM3U\n#EXT-X-ENDLIST\n")

        #expect(try String(contentsOf: existing, encoding: .utf8) == "published")
        #expect(try String(contentsOf: racing, encoding: .utf8) == "the other writer")
        #expect(try String(contentsOf: root.appendingPathComponent("source/init.mp4"), encoding: .utf8) == "init")
        #expect(try String(contentsOf: root.appendingPathComponent("source/index.m3u8"), encoding: .utf8).contains("ENDLIST"))

        // A new name is written as before.
        let fresh = try store.openNew("source/seg_000005.ts")
        try Array("five".utf8).withUnsafeBytes { try fresh.write($0) }
        try fresh.commit()
        #expect(try String(contentsOf: root.appendingPathComponent("source/seg_000005.ts"), encoding: .utf8) == "five")
    }
}
