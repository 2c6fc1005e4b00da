import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// `FileContents` answers an empty file without reading it (Foundation leaks a 4 KB buffer per
/// empty file read; the leak itself is shown by scripts/sanitizers/leak-controls.sh and judged by
/// scripts/sanitize.sh address), and reads every other file as Foundation does.
@Suite(.ownThreads) struct FileContentsTests {
    @Test func emptyFilesReadAsNothingAndOthersAsTheirBytes() throws {
        let folder = try TemporaryDirectory.make(label: "file-contents")
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("markers.jsonl")
        let full = folder.appendingPathComponent("index.m3u8")
        try Data().write(to: empty)
        try Data("#EXTM3U\n".utf8).write(to: full)
        #expect(FileContents.read(atPath: empty.path) == Data())
        #expect(try FileContents.read(empty) == Data())
        #expect(FileContents.read(atPath: full.path) == Data("#EXTM3U\n".utf8))
        #expect(try FileContents.read(full) == Data("#EXTM3U\n".utf8))
    }

    @Test func missingFilesAreNilOrAnError() {
        let missing = "/nonexistent/cuepoint/\(UUID().uuidString)"
        #expect(FileContents.read(atPath: missing) == nil)
        #expect(throws: (any Error).self) { try FileContents.read(URL(fileURLWithPath: missing)) }
        // A folder is not an empty file: nothing to read.
        #expect(FileContents.read(atPath: "/tmp") == nil)
    }
}
