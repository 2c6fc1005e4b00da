internal import CCuepointFFmpeg
public import CuepointTime

/// A queue of audio samples that turns frames of any length into frames of exactly
/// `frameSize` samples, as encoders such as `aac` (1024) require.
///
/// Timestamps are counted in samples: frames pushed must be stamped in `timeBase`
/// (`1/sampleRate`, as `Resampler` stamps its output). The first sample pushed keeps its
/// frame's `pts`; every later sample is taken to follow the one before, so the frames popped
/// are stamped `first + n × frameSize`, continuous and exact. Gaps or overlaps in the pushed
/// frames' timestamps are not repaired (the later frames' `pts` are not read).
///
/// Owned by one thread. The corresponding FFmpeg type is `AVAudioFifo`.
public final class AudioFIFO {
    private let fifo: OpaquePointer

    /// Samples per channel in each frame `pop()` returns.
    public let frameSize: Int
    /// Sample rate in Hz, channel count and sample format of every frame in and out.
    public let sampleRate: Int, channels: Int, sampleFormat: SampleFormat
    /// The `pts` of the oldest sample held, in `timeBase`; nil before a stamped frame was pushed.
    public private(set) var headPts: Int64?

    /// The unit of `pts`, in and out: one sample.
    public var timeBase: Rational { Rational(1, Int64(sampleRate)) }

    /// Samples per channel held.
    ///
    /// The corresponding FFmpeg function is `av_audio_fifo_size`.
    public var sampleCount: Int { Int(av_audio_fifo_size(fifo)) }

    /// Creates an empty queue.
    ///
    /// - Throws: `FFmpegError` with `.invalidArgument` for a non-positive size, rate or
    ///   channel count, `.noMemory` when the queue cannot be allocated.
    /// - The corresponding FFmpeg function is `av_audio_fifo_alloc`.
    public init(sampleFormat: SampleFormat, channels: Int, sampleRate: Int, frameSize: Int) throws(FFmpegError) {
        guard frameSize > 0, channels > 0, sampleRate > 0, sampleFormat != .none else {
            throw FFmpegError(
                code: .invalidArgument, function: "av_audio_fifo_alloc",
                message: "invalid queue: \(frameSize) samples per frame, \(channels) channels, \(sampleRate) Hz, "
                    + "\(sampleFormat)")
        }
        guard let fifo = av_audio_fifo_alloc(sampleFormat.av, Int32(channels), Int32(frameSize * 2)) else {
            throw FFmpegError(code: .noMemory, function: "av_audio_fifo_alloc", message: "out of memory")
        }
        self.fifo = fifo
        self.frameSize = frameSize
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
    }

    deinit { av_audio_fifo_free(fifo) }

    /// Appends `frame`'s samples. The first frame's `pts` (when it has one) stamps the queue.
    ///
    /// - Throws: `FFmpegError` with `.invalidArgument` when the frame's rate, channel count or
    ///   format differs from the queue's (naming both), or from `av_audio_fifo_write`.
    /// - The corresponding FFmpeg function is `av_audio_fifo_write`.
    public func push(_ frame: Frame) throws(FFmpegError) {
        guard frame.sampleCount > 0 else { return }
        guard frame.sampleRate == sampleRate, frame.channels == channels, frame.sampleFormat == sampleFormat else {
            throw FFmpegError(
                code: .invalidArgument, function: "av_audio_fifo_write",
                message: "the frame is \(frame.sampleRate) Hz, \(frame.channels) channels, \(frame.sampleFormat); "
                    + "this queue holds \(sampleRate) Hz, \(channels) channels, \(sampleFormat)")
        }
        if headPts == nil, let pts = frame.pts {
            // Stamped samples behind unstamped ones: date the held ones backwards from this frame.
            headPts = pts - Int64(sampleCount)
        }
        let data = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let written = try FFmpegError.check(
            av_audio_fifo_write(fifo, data, Int32(frame.sampleCount)), "av_audio_fifo_write")
        guard Int(written) == frame.sampleCount else {
            throw FFmpegError(
                code: .noMemory, function: "av_audio_fifo_write",
                message: "only \(written) of \(frame.sampleCount) samples fitted")
        }
    }

    /// Takes the next `frameSize` samples.
    ///
    /// - Returns: a frame of exactly `frameSize` samples, or nil while fewer are held.
    /// - The corresponding FFmpeg function is `av_audio_fifo_read`.
    public func pop() throws(FFmpegError) -> Frame? {
        guard sampleCount >= frameSize else { return nil }
        return try read(frameSize)
    }

    /// Takes what is left after the last `pop()`: call after the last `push` until it
    /// returns nil.
    ///
    /// - Returns: a frame of at most `frameSize` samples (a short one for the tail), or nil
    ///   when the queue is empty.
    public func drain() throws(FFmpegError) -> Frame? {
        let count = min(sampleCount, frameSize)
        guard count > 0 else { return nil }
        return try read(count)
    }

    private func read(_ count: Int) throws(FFmpegError) -> Frame {
        let frame = try Frame(
            sampleCount: count, sampleRate: sampleRate, channels: channels, sampleFormat: sampleFormat)
        let data = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let read = try FFmpegError.check(av_audio_fifo_read(fifo, data, Int32(count)), "av_audio_fifo_read")
        frame.pointer.pointee.nb_samples = read
        frame.pointer.pointee.pkt_duration = Int64(read)
        frame.pts = headPts
        if let pts = headPts { headPts = pts + Int64(read) }
        return frame
    }
}
