import Foundation

/// Runs a program to completion and returns what it printed (test support).
struct ProcessResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

enum ProcessRunner {
    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments; `input` goes to its
    /// standard input. Output goes through files, so a chatty program never blocks on a pipe.
    ///
    /// Spawned with `posix_spawnp` and reaped with a blocking `waitpid` on the calling thread:
    /// Foundation's `Process` left the server scripts as zombies here (its SIGCHLD monitor did
    /// not run on a detached thread), and a test then waited forever. Call it through
    /// ``offPool(_:)`` for anything slow.
    static func run(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inPath = directory.appendingPathComponent("in").path
        let outPath = directory.appendingPathComponent("out").path
        let errPath = directory.appendingPathComponent("err").path
        try (input ?? Data()).write(to: URL(fileURLWithPath: inPath))

        let pid: pid_t
        do {
            pid = try spawn(arguments, environment: environment) { actions in
                posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        } catch {
            return ProcessResult(status: 127, standardOutput: "", standardError: "\(error)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ProcessResult(
            status: exitStatus,
            standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Held while spawning and while making pipes close-on-exec (see ``spawn(_:environment:redirect:)``).
    static let spawnLock = NSLock()

    struct SpawnError: Error, CustomStringConvertible {
        var program: String
        var code: Int32
        var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments[0]` (looked up on PATH) with its standard streams set by `redirect`.
    ///
    /// The child gets an empty signal mask and default handlers: spawned from one of Swift's
    /// worker threads it would otherwise inherit their blocked signals, and a server would
    /// ignore the SIGTERM that stops it. Descriptors the test process opens are close-on-exec
    /// (pipes are made with `O_CLOEXEC`), so no child keeps another child's pipe open.
    static func spawn(
        _ arguments: [String], environment: [String: String]? = nil,
        redirect: (inout posix_spawn_file_actions_t) -> Void
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        redirect(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let environmentList = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environmentList.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = spawnLock.withLock { posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
        guard code == 0 else { throw SpawnError(program: arguments[0], code: code) }
        return pid
    }

    /// Whether a program is on PATH.
    static func isInstalled(_ program: String) -> Bool {
        (try? run(["which", program]).status) == 0
    }
}

/// Paths of the repository, found from this file's location.
enum RepositoryPaths {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static func script(_ relativePath: String) -> String { root.appendingPathComponent(relativePath).path }

    /// A new empty directory under the system's temporary directory.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
