/// Where a demuxer's bytes come from when they are not a file or a URL: a Swift object fed by
/// another thread (an RTMP session's FLV stream, for one).
///
/// Called on the demuxing thread, which may block: ``read(into:waitingAtMost:)`` waits for
/// bytes, but only for the time it is given, so that the demuxer can check its
/// ``InterruptPolicy`` between waits and stop promptly.
public protocol ByteSource: AnyObject {
    /// Copies up to `destination.count` bytes into `destination`, waiting at most `nanoseconds`
    /// for the first one.
    func read(into destination: UnsafeMutableRawBufferPointer, waitingAtMost nanoseconds: UInt64) -> ByteSourceRead
}

/// What one ``ByteSource/read(into:waitingAtMost:)`` gave.
public enum ByteSourceRead: Sendable, Equatable {
    /// This many bytes (at least one) were copied.
    case bytes(Int)
    /// Nothing arrived within the wait; the source goes on.
    case nothingYet
    /// The source is over: every byte has been read.
    case end
    /// The source failed (a read timeout, an I/O error): the demuxer's read fails with this
    /// error's code, so its caller sees a timeout as a timeout rather than as an end.
    case failed(FFmpegError)
}
