internal import CCuepointFFmpeg

/// A read-only custom AVIO context whose bytes come from a Swift ``ByteSource``.
///
/// FFmpeg calls the read callback on the demuxing thread; the callback waits for the source
/// in slices of ``waitSlice`` and checks the ``InterruptPolicy`` between them, so a blocked
/// read ends with `AVERROR_EXIT` soon after `cancel()` or a passed deadline, and with
/// `AVERROR_EOF` when the source ends. The corresponding FFmpeg function is `avio_alloc_context`.
final class SourceIOContext {
    private(set) var pointer: UnsafeMutablePointer<AVIOContext>?
    private let source: any ByteSource
    private let interrupt: InterruptPolicy

    /// The longest single wait on the source before the interrupt policy is checked again.
    static let waitSlice: UInt64 = 100_000_000
    private static let bufferSize = 64 * 1024

    init(source: any ByteSource, interrupt: InterruptPolicy) throws(FFmpegError) {
        self.source = source
        self.interrupt = interrupt
        guard let buffer = av_malloc(SourceIOContext.bufferSize) else {
            throw FFmpegError(code: .noMemory, function: "av_malloc", message: "out of memory")
        }
        let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = {
            opaque, data, size in
            guard let opaque, let data, size > 0 else { return cuepoint_averror(EINVAL) }
            let io = Unmanaged<SourceIOContext>.fromOpaque(opaque).takeUnretainedValue()
            return io.fill(UnsafeMutableRawBufferPointer(start: data, count: Int(size)))
        }
        let context = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), Int32(SourceIOContext.bufferSize), 0, nil, read, nil, nil)
        guard let context else {
            av_free(buffer)
            throw FFmpegError(code: .noMemory, function: "avio_alloc_context", message: "out of memory")
        }
        // Not seekable: a live stream only goes forward.
        context.pointee.seekable = 0
        pointer = context
        // Unretained: the owning Demuxer keeps this object alive while FFmpeg may call back.
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    private func fill(_ destination: UnsafeMutableRawBufferPointer) -> Int32 {
        while true {
            if interrupt.shouldInterrupt { return cuepoint_averror_exit() }
            switch source.read(into: destination, waitingAtMost: SourceIOContext.waitSlice) {
            case .bytes(let count): return Int32(count)
            case .end: return cuepoint_averror_eof()
            case .nothingYet: continue
            case .failed(let error): return error.code.rawValue
            }
        }
    }

    deinit {
        if pointer != nil {
            av_freep(&pointer!.pointee.buffer)
            avio_context_free(&pointer)
        }
    }
}
