internal import CCuepointFFmpeg
import Synchronization
import Foundation

/// Decides when a blocking FFmpeg call should give up: on `cancel()` or when a deadline armed
/// with `armDeadline(after:)` has passed. Installed as `AVFormatContext.interrupt_callback`.
///
/// Thread-safe: any thread may cancel while the reading thread is blocked in FFmpeg.
public final class InterruptPolicy: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// Monotonic deadline in nanoseconds (`DispatchTime.uptimeNanoseconds`); 0 = none.
    private let deadline = Atomic<UInt64>(0)

    public init() {}

    /// Makes every blocking call on the owning context return `AVERROR_EXIT` promptly.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Arms a deadline `seconds` from now for the next blocking call (a read timeout).
    public func armDeadline(after seconds: Double) {
        deadline.store(DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9), ordering: .releasing)
    }

    /// Removes the deadline.
    public func disarmDeadline() { deadline.store(0, ordering: .releasing) }

    /// Whether the deadline armed last has passed.
    public var deadlinePassed: Bool {
        let limit = deadline.load(ordering: .acquiring)
        return limit != 0 && DispatchTime.now().uptimeNanoseconds > limit
    }

    var shouldInterrupt: Bool { isCancelled || deadlinePassed }

    /// The C callback: `opaque` is an unretained `InterruptPolicy` kept alive by its context's owner.
    static let callback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
        guard let opaque else { return 0 }
        return Unmanaged<InterruptPolicy>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt ? 1 : 0
    }

    var interruptCallback: AVIOInterruptCB {
        AVIOInterruptCB(callback: InterruptPolicy.callback, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
