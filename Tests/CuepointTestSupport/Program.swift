public import Foundation
public import Subprocess
import SystemPackage

/// Runs a program we did not write (ffprobe, ffmpeg, GStreamer's tools, Python checkers, the
/// `cuepoint` binary) to completion, on swift-subprocess.
///
/// swift-subprocess spawns with `posix_spawn`, reaps through its own monitor (never Foundation's
/// SIGCHLD handling, which left children as zombies here when they were started from a detached
/// thread), and reads the output asynchronously: waiting does not hold a thread of the
/// cooperative pool, so a test that runs a long ffmpeg does not starve the in-process servers of
/// other tests.
public enum Program {
    /// What a run printed and how it ended.
    public struct Output: Sendable, CustomStringConvertible {
        /// The exit status, or 128 + the signal that ended the program.
        public var status: Int32
        public var stdout: Data
        public var stderr: Data

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String {
            String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        public var description: String { "exit \(status)\n--- stdout\n\(stdoutText)--- stderr\n\(stderrText)" }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`.
    ///
    /// Standard output and error go to temporary files, read when the program has ended: a
    /// chatty program never blocks on a full pipe, and a script that leaves a daemon behind
    /// (the test servers' start scripts) returns when the script ends, not when the daemon
    /// closes an inherited pipe.
    ///
    /// - Parameters:
    ///   - input: bytes for the program's standard input (nothing when nil).
    ///   - directory: the working directory (this process's when nil).
    ///   - environment: variables added to this process's environment (or, with
    ///     `inheritEnvironment: false`, the whole environment).
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, in directory: URL? = nil,
        environment: [String: String] = [:], inheritEnvironment: Bool = true
    ) async throws -> Output {
        let scratch = try TemporaryDirectory.make(label: "program")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = FilePath(scratch.appendingPathComponent("stdout").path)
        let errPath = FilePath(scratch.appendingPathComponent("stderr").path)
        let variables = inheritEnvironment ? ProcessInfo.processInfo.environment.merging(environment) { $1 } : environment
        let result = try await Subprocess.run(
            executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(arguments),
            // Raw bytes, each entry ending in a NUL: swift-subprocess strdup()s them (without the
            // NUL, AddressSanitizer found it reading past each entry).
            environment: .custom(variables.map { Array("\($0.key)=\($0.value)".utf8) + [0] }),
            workingDirectory: directory.map { FilePath($0.path) },
            input: .array(Array(input ?? Data())),
            output: .fileDescriptor(try Self.create(outPath), closeAfterSpawningProcess: true),
            error: .fileDescriptor(try Self.create(errPath), closeAfterSpawningProcess: true))
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Output(
            status: status,
            stdout: try bytes(of: outPath.string), stderr: try bytes(of: errPath.string))
    }

    /// ``run(_:_:input:in:environment:inheritEnvironment:)`` for code that must wait where it
    /// is (a synchronous helper, a pipeline's thread, `offThePool`): the same program, inputs and
    /// output files, spawned with `posix_spawnp` and reaped with a blocking `waitpid` on the
    /// calling thread.
    ///
    /// Not a wrapper of the async runner: blocking a thread until a task finishes deadlocks when
    /// every thread of the cooperative pool (two here) is such a waiter, since Dispatch's global
    /// queues, and so any executor built on them, share the pool's width. The child gets an empty
    /// signal mask and default handlers, so a server it starts still obeys SIGTERM.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], input: Data? = nil, in directory: URL? = nil,
        environment: [String: String] = [:], inheritEnvironment: Bool = true
    ) throws -> Output {
        let scratch = try TemporaryDirectory.make(label: "program")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("stdin").path
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        try (input ?? Data()).write(to: URL(fileURLWithPath: inPath))
        let variables = inheritEnvironment ? ProcessInfo.processInfo.environment.merging(environment) { $1 } : environment
        let pid = try spawn(
            [executable] + arguments, environment: variables, directory: directory?.path
        ) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Output(status: exitStatus, stdout: try bytes(of: outPath), stderr: try bytes(of: errPath))
    }

    /// Held while spawning, so descriptors opened for one child are not inherited by another.
    public static let spawnLock = NSLock()

    public struct SpawnError: Error, CustomStringConvertible {
        public var program: String
        public var code: Int32
        public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments[0]` (a path, or a name looked up on PATH) with its standard streams set
    /// by `redirect`; the caller reaps it (`waitpid`). For long-running helpers (a fault proxy)
    /// and ``runBlocking(_:_:input:in:environment:inheritEnvironment:)``.
    ///
    /// A working `directory` is set through `env -C` (Glibc's Swift overlay does not offer
    /// `posix_spawn_file_actions_addchdir_np`).
    public static func spawn(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        redirect: (inout posix_spawn_file_actions_t) -> Void
    ) throws -> pid_t {
        let arguments = directory.map { ["/usr/bin/env", "-C", $0] + arguments } ?? arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        redirect(&actions)
        // Nothing but the three standard streams reaches the child: without this, a server
        // started by one test keeps every descriptor the test process had open at that moment
        // (another test's FIFO write end, so that test's reader never sees its end of input).
        guard let closeFrom = Self.addCloseFrom else { throw SpawnError(program: arguments[0], code: ENOSYS) }
        _ = closeFrom(&actions, 3)
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

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12 has 2.36),
    /// looked up at run time because Glibc's Swift overlay does not declare it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// A program's captured output. An empty file is not read: Foundation on Linux leaks the 4 KB
    /// buffer it reads an empty file into (the same work-around as the library's `FileContents`).
    private static func bytes(of path: String) throws -> Data {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.intValue
        return size == 0 ? Data() : try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private static func create(_ path: FilePath) throws -> FileDescriptor {
        try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
    }

    /// The path of `name` on PATH, or nil when it is not installed.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":")
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

