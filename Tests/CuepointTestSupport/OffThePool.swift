import Foundation
public import Testing

/// A task executor that runs every job it is given on a new thread of its own, never on Swift's
/// cooperative pool (two threads on the machines this runs on).
///
/// Test bodies that block (a pipeline run, `waitpid`, ffprobe, encoding for minutes) go through
/// ``offThePool(_:)``: they stay in their test's task, so `#expect` and `#require` inside them are
/// recorded against that test (a body run on a bare `Thread` lost the test's task-locals, and its
/// failures showed as «unknown» while the test itself passed).
public final class ThreadPerJobExecutor: TaskExecutor {
    public static let shared = ThreadPerJobExecutor()

    /// The name its threads carry (Linux keeps 15 bytes), so a test can tell where it runs:
    /// a thread started by a pool thread would otherwise inherit that thread's name.
    public static let threadName = "own-test-thread"

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread {
            // Foundation does not pass Thread.name to Linux, and Glibc's overlay has no
            // pthread_setname_np: the thread names itself through procfs.
            try? Data(Self.threadName.utf8).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
            job.runSynchronously(on: executor)
        }
        thread.stackSize = 8 << 20  // FFmpeg's decoders and filter graphs want more than 512 KiB
        thread.start()
    }
}

/// Runs blocking work on a thread of its own (see ``ThreadPerJobExecutor``), in the calling
/// test's task, and returns its result.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try body() }
}

/// The suite trait every suite of this package carries (`@Suite(.ownThreads)`): its tests run on
/// threads of their own (``ThreadPerJobExecutor``), never on Swift's cooperative pool.
///
/// Swift Testing starts every test at once and calls a synchronous test on the pool: with two
/// threads there, two tests that encode, probe or wait for a process held the whole pool, and
/// the HTTP, RTMP and time-limited tests beside them waited minutes for a thread (a 60 s time
/// limit exceeded by a test that needs a second). With this trait a blocking test holds only
/// its own thread. The pool is left to the libraries under test (NIO's and Hummingbird's tasks
/// that do not inherit a test's preference).
public struct OwnThreadsTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OwnThreadsTrait {
    /// Runs the suite's tests on threads of their own (see ``OwnThreadsTrait``).
    public static var ownThreads: Self { Self() }
}
