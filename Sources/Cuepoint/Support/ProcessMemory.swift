import Glibc

/// Gives memory the process freed back to the operating system.
///
/// Probing a live input (FFmpeg's `avformat_find_stream_info`) decodes a few pictures: several
/// megabytes of frame buffers, freed again at once. glibc keeps freed memory in the malloc
/// arena of the thread that used it, and with hundreds of pipelines on their own threads the
/// arenas (sixteen on two cores) end up holding those buffers for the whole show: about 3 MB of
/// resident memory per stream, measured, for nothing. `malloc_trim(0)` after a probe returns it:
/// on the transport stream copy path and after every live input FFmpeg opens (RTMP, SRT, pipes).
///
/// `malloc_trim` is a glibc extension that Swift's `Glibc` module does not import, so it is
/// looked up once by name (`dlsym`); where it does not exist (another C library), nothing is done.
enum ProcessMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
    }()

    /// Returns the free memory of every malloc arena to the system (`malloc_trim(0)`).
    static func returnFreedMemory() { _ = trim?(0) }
}
