import CuepointObjectStorage
import Dispatch
import NIOConcurrencyHelpers

/// Waits, on a thread that may block (a pipeline's or a replay's own thread), for asynchronous
/// work on an object store to finish.
///
/// The object-storage clients are asynchronous (async-http-client on NIO's event loops); the
/// engine's ``Store`` calls block. This is the one bridge between them: the work runs in a task
/// of its own (it never blocks a thread: it waits on the network), and the calling thread waits
/// on a semaphore until the task has finished. The task always finishes before the call
/// returns, so it never outlives the call.
///
/// Never call it from Swift's cooperative pool (an `async` context): blocking one of its two
/// threads while the work needs them would deadlock. The pipeline and the replay export run on
/// threads of their own (``PipelineRunner/record()``), which is where ``RemoteStore`` and
/// ``Publication`` use it.
enum BlockingCall {
    /// Runs `work` and waits for its value.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Outcome<T>()
        Task.detached {
            let value = await work()
            box.value.withLockedValue { $0 = value }
            done.signal()
        }
        done.wait()
        return box.value.withLockedValue { $0! }
    }

    /// Where the task leaves its value for the waiting thread.
    private final class Outcome<T: Sendable>: Sendable {
        let value = NIOLockedValueBox<T?>(nil)
    }

    /// Runs a request that throws ``ObjectStorageError`` and waits for its outcome.
    static func result<T: Sendable>(
        _ work: @escaping @Sendable () async throws(ObjectStorageError) -> T
    ) -> Result<T, ObjectStorageError> {
        run { await capture(work) }
    }

    /// The typed-throws call is made here, in a function that does not throw, rather than in the
    /// task's closure: Swift 6.3.1 at -O miscompiles a typed-throws async call made directly in a
    /// child task's closure (see ``PipelineRunner/record()``).
    private static func capture<T>(
        _ work: @Sendable () async throws(ObjectStorageError) -> T
    ) async -> Result<T, ObjectStorageError> {
        do throws(ObjectStorageError) {
            return .success(try await work())
        } catch {
            return .failure(error)
        }
    }
}
