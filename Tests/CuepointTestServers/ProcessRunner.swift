import CuepointTestSupport
public import Foundation

/// What a program printed and how it ended (test support).
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

public enum ProcessRunner {
    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments; `input` goes to its
    /// standard input; `environment`, when given, is the whole environment. Through the shared
    /// ``Program`` runner (swift-subprocess, output through files, so a start script that leaves
    /// a server behind returns when the script ends). Call it through ``offThePool(_:)`` for
    /// anything slow.
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
        let output = try Program.runBlocking(
            arguments[0], Array(arguments.dropFirst()), input: input, environment: environment ?? [:],
            inheritEnvironment: environment == nil)
        return ProcessResult(
            status: output.status, standardOutput: output.stdoutText,
            standardError: String(decoding: output.stderr, as: UTF8.self))
    }

    /// Held while spawning and while making pipes close-on-exec.
    public static var spawnLock: NSLock { Program.spawnLock }

    /// Starts `arguments[0]` with its standard streams set by `redirect` (see ``Program/spawn``).
    public static func spawn(
        _ arguments: [String], environment: [String: String]? = nil,
        redirect: (inout posix_spawn_file_actions_t) -> Void
    ) throws -> pid_t {
        try Program.spawn(arguments, environment: environment, redirect: redirect)
    }

    /// Whether a program is on PATH.
    public static func isInstalled(_ program: String) -> Bool {
        (try? run(["which", program]).status) == 0
    }
}

