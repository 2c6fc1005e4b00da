public import Foundation

/// Empty folders for one test, under the system's temporary directory, named
/// `cuepoint-LABEL-UUID` so a leftover says which test left it.
public enum TemporaryDirectory {
    public static func make(label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("cuepoint-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `body` with a new folder and removes the folder afterwards, whatever `body` did
    /// (unless the environment sets `CUEPOINT_KEEP_TEST_OUTPUT`, to look at what a failing test
    /// wrote).
    public static func with<T>(label: String, _ body: (URL) async throws -> T) async throws -> T {
        let folder = try make(label: label)
        defer { removeUnlessKept(folder) }
        return try await body(folder)
    }

    /// The same for code that runs on a thread of its own (see `offThePool`).
    public static func withBlocking<T>(label: String, _ body: (URL) throws -> T) throws -> T {
        let folder = try make(label: label)
        defer { removeUnlessKept(folder) }
        return try body(folder)
    }

    static func removeUnlessKept(_ folder: URL) {
        guard ProcessInfo.processInfo.environment["CUEPOINT_KEEP_TEST_OUTPUT"] == nil else { return }
        try? FileManager.default.removeItem(at: folder)
    }
}
