import Foundation
import NIOCore

/// One accepted publish: the FLV byte stream of a publisher's media, read by a blocking
/// thread (a libavformat demuxer through a custom AVIO), written by the connection's event loop.
///
/// **Backpressure.** The session buffers about `capacity` bytes: when a batch of tags makes it
/// pass that, the connection stops reading from the socket (TCP then slows the publisher) until
/// the reader has drained half of it. Batches are at most a quarter of the capacity, and one
/// message larger than the capacity is still taken whole, so a session holds at most 1.25 ×
/// its capacity plus one message.
///
/// **Ending.** The connection ends the session with a ``PublishEndReason``; the reader still
/// gets every byte buffered before it, then ``ReadResult/ended(_:)``. The reader may end the
/// session itself with ``end()``, which closes the publisher's connection.
///
/// Thread-safe: the buffer and state are guarded by one condition lock; the reader waits on it
/// only when the buffer is empty, and the writer signals only when a reader waits.
public final class PublishSession: @unchecked Sendable {
    // Invariant: every `var` below is read and written with `condition` locked.

    /// The application the publisher connected to (`live` in `rtmp://host/live/KEY`).
    public let app: String
    /// The stream key (the publish name) the publisher used.
    public let key: String
    /// The publisher's address, `IP:PORT`.
    public let peer: String
    /// The most bytes buffered before the connection stops reading.
    public let capacity: Int

    private let condition = NSCondition()
    private var queue = CircularBuffer<FLVTag>(initialCapacity: 64)
    /// Bytes of the first queued piece already read.
    private var headOffset = 0
    private var buffered = 0
    private var reason: PublishEndReason?
    private var readerWaiting = false
    private var paused = false
    private var delivered: Int64 = 0
    private var tags: Int64 = 0
    private var publisherChunkSize: Int
    private let controls: Controls

    /// What the session asks of its connection: read again, or close.
    struct Controls: Sendable {
        var resumeReading: @Sendable () -> Void
        var close: @Sendable () -> Void
    }

    init(app: String, key: String, peer: String, capacity: Int, chunkSize: Int, controls: Controls) {
        self.app = app
        self.key = key
        self.peer = peer
        self.capacity = capacity
        self.publisherChunkSize = chunkSize
        self.controls = controls
    }

    /// What a read gave.
    public enum ReadResult: Sendable, Equatable {
        /// This many bytes were copied (at least one).
        case bytes(Int)
        /// The wait passed with nothing to read; the session goes on.
        case nothingYet
        /// Every byte has been read and the session is over.
        case ended(PublishEndReason)
    }

    /// Copies buffered FLV bytes into `destination`, waiting up to `nanoseconds` for the first
    /// one. Call it from the reading thread only (it blocks).
    public func read(into destination: UnsafeMutableRawBufferPointer, waitingAtMost nanoseconds: UInt64) -> ReadResult {
        guard destination.count > 0 else { return .bytes(0) }
        condition.lock()
        if queue.isEmpty, reason == nil, nanoseconds > 0 {
            let deadline = Date(timeIntervalSinceNow: Double(nanoseconds) / 1e9)
            readerWaiting = true
            while queue.isEmpty, reason == nil, condition.wait(until: deadline) {}
            readerWaiting = false
        }
        if queue.isEmpty {
            let result: ReadResult = reason.map { .ended($0) } ?? .nothingYet
            condition.unlock()
            return result
        }
        var written = 0
        while written < destination.count, let piece = queue.first {
            let count = piece.copyBytes(
                from: headOffset, into: UnsafeMutableRawBufferPointer(rebasing: destination[written...]))
            written += count
            headOffset += count
            if headOffset == piece.byteCount {
                queue.removeFirst()
                headOffset = 0
            }
        }
        buffered -= written
        delivered += Int64(written)
        let resume = paused && buffered <= capacity / 2 && reason == nil
        if resume { paused = false }
        condition.unlock()
        if resume { controls.resumeReading() }
        return .bytes(written)
    }

    /// Ends the session from the reader's side: when it is still live, the publisher's
    /// connection is closed and later reads return ``ReadResult/ended(_:)`` with
    /// ``PublishEndReason/endedByReader``. A session that has already ended (the publisher
    /// unpublished or left) is left as it is: the connection is the publisher's to close.
    public func end() {
        if finish(.endedByReader) { controls.close() }
    }

    /// Why the session ended; nil while it goes on.
    public var endReason: PublishEndReason? {
        condition.lock()
        defer { condition.unlock() }
        return reason
    }

    /// FLV bytes handed to the reader so far.
    public var bytesRead: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return delivered
    }

    /// The publisher's chunk size (its latest Set Chunk Size; 128 when it sent none).
    public var chunkSize: Int {
        condition.lock()
        defer { condition.unlock() }
        return publisherChunkSize
    }

    /// FLV bytes waiting for the reader.
    public var bytesBuffered: Int {
        condition.lock()
        defer { condition.unlock() }
        return buffered
    }

    /// FLV tags received from the publisher so far (the file header not counted).
    public var tagsReceived: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return tags
    }

    // MARK: - The connection's side

    /// Queues FLV pieces. Returns true when the buffer is now full: the connection must stop
    /// reading until ``Controls/resumeReading`` is called.
    func append(_ pieces: [FLVTag]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard reason == nil else { return false }
        for piece in pieces {
            queue.append(piece)
            buffered += piece.byteCount
            if piece.type != nil { tags += 1 }
        }
        if readerWaiting { condition.signal() }
        if buffered > capacity { paused = true }
        return paused
    }

    /// Records the publisher's new chunk size.
    func chunkSizeChanged(to size: Int) {
        condition.lock()
        defer { condition.unlock() }
        publisherChunkSize = size
    }

    /// Ends the session (the first reason wins); the reader gets what is buffered, then the end.
    ///
    /// - Returns: whether this call ended it.
    @discardableResult
    func finish(_ why: PublishEndReason) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard reason == nil else { return false }
        reason = why
        condition.broadcast()
        return true
    }
}
