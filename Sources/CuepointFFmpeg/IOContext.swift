internal import CCuepointFFmpeg

/// A write-only custom AVIO context whose bytes go to a replaceable Swift `ByteSink`.
///
/// The muxer keeps one `IOContext` for its whole life and the segmenter switches `sink`
/// between segments after a flush, so a TS muxer keeps its continuity counters and an fMP4
/// muxer its sequence numbers. The corresponding FFmpeg function is `avio_alloc_context`.
final class IOContext {
    private(set) var pointer: UnsafeMutablePointer<AVIOContext>?
    /// The destination of the next bytes; bytes written while nil are an error.
    var sink: (any ByteSink)?
    /// The first error a sink threw since the last `takeSinkError()`.
    private(set) var sinkError: (any Error)?
    /// Total bytes handed to sinks.
    private(set) var bytesWritten: Int64 = 0

    private static let bufferSize = 256 * 1024

    init() throws(FFmpegError) {
        guard let buffer = av_malloc(IOContext.bufferSize) else {
            throw FFmpegError(code: .noMemory, function: "av_malloc", message: "out of memory")
        }
        let write: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = {
            opaque, data, size in
            guard let opaque else { return cuepoint_averror(EINVAL) }
            let io = Unmanaged<IOContext>.fromOpaque(opaque).takeUnretainedValue()
            return io.deliver(UnsafeRawBufferPointer(start: data, count: Int(size)))
        }
        let context = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), Int32(IOContext.bufferSize), 1, nil, nil, write, nil)
        guard let context else {
            av_free(buffer)
            throw FFmpegError(code: .noMemory, function: "avio_alloc_context", message: "out of memory")
        }
        pointer = context
        // The opaque pointer is unretained: the owning Muxer keeps this object alive while FFmpeg may call back.
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if sinkError != nil { return cuepoint_averror(EIO) }
        guard let sink else {
            sinkError = SinkMissing()
            return cuepoint_averror(EIO)
        }
        do {
            try sink.write(bytes)
            bytesWritten += Int64(bytes.count)
            return Int32(bytes.count)
        } catch {
            sinkError = error
            return cuepoint_averror(EIO)
        }
    }

    /// Pushes buffered bytes to the current sink. The corresponding FFmpeg function is `avio_flush`.
    func flush() { if let pointer { avio_flush(pointer) } }

    /// Returns and clears the error a sink threw.
    func takeSinkError() -> (any Error)? {
        defer { sinkError = nil }
        return sinkError
    }

    deinit {
        if pointer != nil {
            av_freep(&pointer!.pointee.buffer)
            avio_context_free(&pointer)
        }
    }

    struct SinkMissing: Error, CustomStringConvertible {
        var description: String { "the muxer wrote bytes while no output was open" }
    }
}
