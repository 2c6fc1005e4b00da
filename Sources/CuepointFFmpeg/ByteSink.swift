/// Where a muxer's bytes go: a segment file, an init section, memory, an HTTP upload.
///
/// Called on the muxing thread. A thrown error stops the muxer: the muxer call in progress
/// fails and reports this error (for example "No space left on device") instead of
/// FFmpeg's generic I/O error.
public protocol ByteSink: AnyObject {
    /// Appends `bytes`. The buffer is valid only during the call.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A sink that keeps everything in memory.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// A sink that counts bytes and drops them.
public final class CountingSink: ByteSink {
    public private(set) var count: Int64 = 0
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { count += Int64(bytes.count) }
}
