public import Foundation

/// The repository this test build comes from: found once, from this file's location, as the
/// nearest folder above it that holds `Package.swift`.
public enum Repository {
    public static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// A path inside the repository, such as `"SampleMedia/sample.ts"` or `"docs/http-api.md"`.
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// A file of `SampleMedia/`.
    public static func sampleMedia(_ name: String) -> URL { url("SampleMedia").appendingPathComponent(name) }
}
