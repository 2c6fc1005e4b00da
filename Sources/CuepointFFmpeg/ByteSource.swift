internal import CCuepointFFmpeg

/// Where a demuxer's bytes come from when libavformat does not open the input itself: a
/// socket or a file that Cuepoint reads, so that the same bytes can go on to Cuepoint's own
/// transport stream reader after FFmpeg has probed them (see `Demuxer.init(source:…)`).
///
/// Called on the demuxing thread.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`, blocking until at least one is there.
    ///
    /// - Returns: the number of bytes read; 0 at the end of the input.
    /// - Throws: `FFmpegError` with `.exit` when the read was interrupted (a stop), `.timedOut`
    ///   when no data came within the input's timeout, or the I/O error.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FFmpegError) -> Int
}

/// A read-only custom AVIO context pulling from a Swift `ByteSource`; not seekable.
/// The corresponding FFmpeg function is `avio_alloc_context`.
final class SourceIOContext {
    private(set) var pointer: UnsafeMutablePointer<AVIOContext>?
    let source: any ByteSource
    /// The error the source threw last, kept so the demuxer can report it rather than FFmpeg's code.
    private(set) var sourceError: FFmpegError?

    private static let bufferSize = 32 * 1024

    init(source: any ByteSource) throws(FFmpegError) {
        self.source = source
        guard let buffer = av_malloc(SourceIOContext.bufferSize) else {
            throw FFmpegError(code: .noMemory, function: "av_malloc", message: "out of memory")
        }
        let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = {
            opaque, data, size in
            guard let opaque, let data else { return cuepoint_averror(EINVAL) }
            let io = Unmanaged<SourceIOContext>.fromOpaque(opaque).takeUnretainedValue()
            return io.fill(UnsafeMutableRawBufferPointer(start: data, count: Int(size)))
        }
        let context = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), Int32(SourceIOContext.bufferSize), 0, nil, read, nil, nil)
        guard let context else {
            av_free(buffer)
            throw FFmpegError(code: .noMemory, function: "avio_alloc_context", message: "out of memory")
        }
        pointer = context
        // Unretained: the owning Demuxer keeps this object alive while FFmpeg may call back.
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    private func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        do {
            let count = try source.read(into: buffer)
            return count == 0 ? cuepoint_averror_eof() : Int32(count)
        } catch {
            sourceError = error
            return error.code.rawValue
        }
    }

    deinit {
        if pointer != nil {
            av_freep(&pointer!.pointee.buffer)
            avio_context_free(&pointer)
        }
    }
}
