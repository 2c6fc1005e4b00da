import CuepointTestSupport
import Foundation

/// The `cuepoint` binary built next to the test bundle, run as a user would run it.
enum CuepointCLI {
    /// What one run printed and how it ended.
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The non-empty lines of standard error.
        var stderrLines: [String] {
            stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        /// Standard-error lines that are warnings (`cuepoint: warning: …`).
        var warningLines: [String] { stderrLines.filter { $0.hasPrefix("cuepoint: warning: ") } }
        /// Standard-error lines that are not warnings: the error report, which should be one line.
        var errorLines: [String] { stderrLines.filter { !$0.hasPrefix("cuepoint: warning: ") } }

        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    enum Failure: Error, CustomStringConvertible {
        case binaryMissing(searched: [String])

        var description: String {
            switch self {
            case .binaryMissing(let searched):
                "the cuepoint binary was not found next to the test bundle (looked in \(searched.joined(separator: ", ")));"
                    + " run `swift build` (or `swift build --build-tests`) with the same scratch path first"
            }
        }
    }

    /// The binary: `$CUEPOINT_CLI` when set (to run the command-line tests against another
    /// build, such as the release binary: some defects show only in optimised code), otherwise a
    /// sibling named `cuepoint` of the test runner or of one of its parent folders
    /// (`.build/debug/cuepoint`, `.build/x86_64-unknown-linux-gnu/debug/cuepoint`).
    static func executable() throws -> URL {
        var searched: [String] = []
        if let chosen = ProcessInfo.processInfo.environment["CUEPOINT_CLI"], !chosen.isEmpty {
            let url = URL(fileURLWithPath: chosen, relativeTo: Repository.root).standardizedFileURL
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw Failure.binaryMissing(searched: ["CUEPOINT_CLI=\(chosen)"])
            }
            return url
        }
        let starts = [ProcessInfo.processInfo.arguments.first, Bundle.main.executablePath].compactMap { $0 }
        for start in starts {
            var folder = URL(fileURLWithPath: start).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 where folder.path != "/" {
                let candidate = folder.appendingPathComponent("cuepoint")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                searched.append(folder.path)
                folder.deleteLastPathComponent()
            }
        }
        throw Failure.binaryMissing(searched: searched)
    }

    /// Runs `cuepoint arguments…` to completion.
    ///
    /// - Parameters:
    ///   - standardInput: a file fed to the program's standard input (nothing when nil).
    ///   - directory: the working directory (the repository root when nil, so the relative
    ///     paths in `Pipelines/` resolve).
    ///   - environment: variables added to this process's environment.
    static func run(
        _ arguments: [String], standardInput: URL? = nil, in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let output = try Program.runBlocking(
            try executable().path, arguments, input: try standardInput.map { try Data(contentsOf: $0) },
            in: directory ?? Repository.root, environment: environment)
        return Result(
            status: output.status, stdout: output.stdoutText, stderr: String(decoding: output.stderr, as: UTF8.self))
    }
}
