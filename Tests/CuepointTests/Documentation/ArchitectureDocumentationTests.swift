import CuepointTestSupport
import Foundation
import Testing

/// `docs/architecture.md` against the code: every module and every folder of the engine is on the
/// map, and every `Folder/File` it names in the engine exists, so the map cannot drift from the
/// code unnoticed.
@Suite(.ownThreads) struct ArchitectureDocumentationTests {
    static func text() throws -> String {
        try String(contentsOf: Repository.url("docs/architecture.md"), encoding: .utf8)
    }

    static func folders(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Repository.url(path).path).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: Repository.url(path + "/" + name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    @Test("every module of Sources/ and every folder of Sources/Cuepoint is named in docs/architecture.md")
    func everyModuleAndFolderIsOnTheMap() throws {
        let text = try Self.text()
        let modules = try Self.folders("Sources")
        #expect(modules.count >= 8, "the modules were read: \(modules)")
        for module in modules {
            #expect(text.contains("**\(module)**"), "docs/architecture.md describes the module \(module) (a **\(module)** item)")
        }
        let engineFolders = try Self.folders("Sources/Cuepoint")
        #expect(engineFolders.contains("Timeline") && engineFolders.contains("Storage"))
        for folder in engineFolders {
            #expect(text.contains("`\(folder)/`"), "docs/architecture.md names the engine folder `\(folder)/`")
        }
    }

    @Test("every Folder/File of the engine that docs/architecture.md names exists")
    func everyNamedFileExists() throws {
        let text = try Self.text()
        let engineFolders = Set(try Self.folders("Sources/Cuepoint"))
        var checked = 0
        for match in text.matches(of: /([A-Z][A-Za-z]+)\/([A-Z][A-Za-z0-9+]+)/) {
            let folder = String(match.1), name = String(match.2)
            // `Tests/CuepointTests/Pipeline/…` names a test folder, not the engine's.
            let before = match.range.lowerBound == text.startIndex ? nil : text[text.index(before: match.range.lowerBound)]
            guard engineFolders.contains(folder), before != "/" else { continue }
            checked += 1
            let files = try FileManager.default.contentsOfDirectory(atPath: Repository.url("Sources/Cuepoint/\(folder)").path)
            #expect(
                files.contains { $0 == name + ".swift" || $0.hasPrefix(name + "+") },
                "docs/architecture.md names \(folder)/\(name), which is not in Sources/Cuepoint/\(folder)")
        }
        #expect(checked >= 20, "the map names files of the engine (\(checked) found)")
    }
}
