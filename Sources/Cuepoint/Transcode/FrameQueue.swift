import CuepointFFmpeg
import Foundation

/// A bounded queue of decoded frames between the decoding thread and one rendition's
/// encoding thread.
///
/// `put` blocks while ``capacity`` frames wait, so a slow encoder slows the decoder instead
/// of growing memory; once the consumer ``fail(_:)``s, `put` throws its error instead.
///
/// `@unchecked Sendable`: every field is guarded by `condition`. Each frame put is a new
/// reference (`Frame.clone()`) that the producer never touches again: the queue owns it,
/// then the consumer.
final class FrameQueue: @unchecked Sendable {
    enum Item {
        /// A picture, and whether it must be an IDR picture (nil: the keyframe plan decides).
        case video(Frame, forceKeyframe: Bool?)
        case audio(Frame)
    }

    let capacity: Int
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var failure: (any Error)?

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Appends `item`, waiting for room.
    ///
    /// - Throws: the consumer's error, once it failed.
    func put(_ item: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        precondition(!closed, "FrameQueue: put after close")
        items.append(item)
        condition.broadcast()
    }

    /// No more items will be put; `take` returns nil once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting for one; nil when the queue is closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Whether ``fail(_:)`` was called.
    var hasFailed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure != nil
    }

    /// Records the consumer's error: queued frames are dropped and `put` throws from now on.
    func fail(_ error: any Error) {
        condition.lock()
        failure = failure ?? error
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
