public import Foundation

/// Whole files read into memory, without a leak of Foundation's.
///
/// Foundation on Linux (Swift 6.3) leaks the 4 KB buffer it reads into when the file is empty:
/// every `Data(contentsOf:)` or `FileManager.contents(atPath:)` of an empty file loses 4 KB
/// (LeakSanitizer; the control program is `scripts/sanitizers/empty-file.swift`). A recording
/// has empty files (a marker log before the first marker), and a show server reads them again
/// and again. So an empty regular file is answered here without reading it.
public enum FileContents {
    /// The bytes of the file at `path`, or nil when it cannot be read.
    public static func read(atPath path: String) -> Data? {
        if isEmptyRegularFile(path) { return Data() }
        return FileManager.default.contents(atPath: path)
    }

    /// The bytes of the file at `url`.
    ///
    /// - Throws: what `Data(contentsOf:)` throws for a file that cannot be read.
    public static func read(_ url: URL) throws -> Data {
        if isEmptyRegularFile(url.path) { return Data() }
        return try Data(contentsOf: url)
    }

    private static func isEmptyRegularFile(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return false }
        return attributes[.type] as? FileAttributeType == .typeRegular && (attributes[.size] as? NSNumber)?.intValue == 0
    }
}
