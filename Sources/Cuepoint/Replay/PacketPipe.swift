import CuepointFFmpeg
import Foundation

/// Hands packets to a thread of its own through a bounded queue, so muxing (`replay.mp4`, the
/// clips) runs on the second core while the reading thread demuxes.
///
/// `send` blocks while ``capacity`` packets wait, so memory stays bounded; the first error the
/// handler throws is rethrown by the next `send` or by `finish`, and later packets are dropped.
///
/// `@unchecked Sendable`: the queue and the error are guarded by `condition`; `handler` and
/// `completion` run only on the pipe's thread; each queued packet is a fresh reference
/// (`Packet.clone()`), owned by the queue and then by that thread.
final class PacketPipe: @unchecked Sendable {
    static let capacity = 1024
    /// The pipe's thread wakes up for this many packets at a time (or at the end), not for each.
    static let batch = 128

    private let condition = NSCondition()
    private var queue: [ReplayPacket] = []
    private var closed = false
    private var done = false
    private var failure: (any Error)?
    private var senderWaiting = false
    private let handler: (ReplayPacket) throws -> Void
    private let completion: () throws -> Void

    /// Starts the thread.
    ///
    /// - Parameters:
    ///   - handler: Called on the pipe's thread with each packet, in order.
    ///   - completion: Called on the pipe's thread after the last packet (finish files there).
    init(name: String, handler: @escaping (ReplayPacket) throws -> Void, completion: @escaping () throws -> Void) {
        self.handler = handler
        self.completion = completion
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Queues a copy of the packet (a new reference to its data).
    func send(_ item: ReplayPacket) throws {
        var copy = item
        copy.packet = try item.packet.clone()
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity && failure == nil {
            senderWaiting = true
            condition.wait()
        }
        senderWaiting = false
        if let failure { throw failure }
        queue.append(copy)
        if queue.count == Self.batch { condition.broadcast() }
    }

    /// Waits until every packet was handled and `completion` ran; rethrows the first error.
    func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    private func run() {
        while true {
            condition.lock()
            while queue.count < Self.batch && !closed { condition.wait() }
            if queue.isEmpty && closed {
                condition.unlock()
                break
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let failed = failure != nil
            if senderWaiting { condition.broadcast() }
            condition.unlock()
            guard !failed else { continue }
            do {
                for item in batch { try handler(item) }
            } catch {
                condition.lock()
                failure = failure ?? error
                condition.broadcast()
                condition.unlock()
            }
        }
        do {
            condition.lock()
            let failed = failure != nil
            condition.unlock()
            if !failed { try completion() }
        } catch {
            condition.lock()
            failure = failure ?? error
            condition.unlock()
        }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
