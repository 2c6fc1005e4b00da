import CuepointFFmpeg
import CuepointTime
import Foundation

/// An MPEG-TS input that Cuepoint reads itself for the transport stream copy path: a local
/// file, or UDP through ``DatagramSource``. FFmpeg probes it once (its streams, codec
/// parameters and CODECS come from `avformat_find_stream_info`, as on the slow path); then its
/// bytes, from the first one, go to a ``TransportStreamSplitter``.
///
/// Owned by the pipeline's thread.
final class TransportStreamInput {
    /// The streams FFmpeg found.
    let streams: [StreamInfo]
    /// The input's declared duration (files), nil when unknown.
    let duration: MediaTime?
    /// When FFmpeg's probe had opened the input (see ``Demuxer/openedUptimeNanoseconds``).
    let openedUptimeNanoseconds: UInt64
    let source: any BlockingByteSource
    /// Bytes FFmpeg read while probing: the splitter reads them before anything else.
    private var probed: [UInt8]
    /// The buffer reads go into: a multiple of 188 bytes, allocated once.
    let buffer: UnsafeMutableRawBufferPointer

    static let bufferSize = 1394 * TransportPacket.size  // 262,072 bytes

    init(streams: [StreamInfo], duration: MediaTime?, openedUptimeNanoseconds: UInt64, source: any BlockingByteSource, probed: [UInt8]) {
        self.streams = streams
        self.duration = duration
        self.openedUptimeNanoseconds = openedUptimeNanoseconds
        self.source = source
        self.probed = probed
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: TransportStreamInput.bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// A local MPEG-TS file that `probe` (a demuxer of the same file) has read the streams of; it
    /// is read again from its first byte.
    static func file(path: String, probe: Demuxer) throws(CuepointError) -> TransportStreamInput {
        let source = try FileByteSource(path: path)
        return TransportStreamInput(
            streams: probe.streams, duration: probe.duration, openedUptimeNanoseconds: probe.openedUptimeNanoseconds,
            source: source, probed: [])
    }

    /// What probing a live source gave: the demuxer that probed it (which can go on reading
    /// it with libavformat when the copy path does not apply) and the input for the copy path.
    struct Probe {
        let demuxer: Demuxer
        let input: TransportStreamInput
    }

    /// Probes a live source with FFmpeg, keeping what it read for the splitter.
    ///
    /// - Throws: `FFmpegError` from the probe, or the source's (`.exit` when stopped).
    static func probe(_ source: any BlockingByteSource, format: String?, interrupt: InterruptPolicy) throws(FFmpegError) -> Probe {
        let tap = RecordingByteSource(source)
        let demuxer: Demuxer
        do {
            demuxer = try Demuxer(source: tap, format: format ?? "mpegts", name: "udp", interrupt: interrupt)
        } catch {
            throw tap.failure ?? error
        }
        let input = TransportStreamInput(
            streams: demuxer.streams, duration: nil, openedUptimeNanoseconds: demuxer.openedUptimeNanoseconds,
            source: source, probed: tap.takeRecorded())
        return Probe(demuxer: demuxer, input: input)
    }

    /// Hands the probed bytes to `body` once (empty afterwards).
    func takeProbed<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        guard !probed.isEmpty else { return }
        let bytes = probed
        probed = []
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { copy.deallocate() }
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        try body(UnsafeRawBufferPointer(copy))
    }

    /// Reads the next bytes into ``buffer``.
    ///
    /// - Returns: the number of bytes; 0 at the end of the input.
    func read() throws(FFmpegError) -> Int { try source.read(into: buffer) }
}

/// Bytes the transport stream copy path reads itself, on the pipeline's thread: a read blocks
/// until there is at least one byte (checking the pipeline's `InterruptPolicy` while it waits).
protocol BlockingByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`, blocking until at least one is there.
    ///
    /// - Returns: the number of bytes read; 0 at the end of the input.
    /// - Throws: `FFmpegError` with `.exit` when the read was interrupted (a stop), `.timedOut`
    ///   when no data came within the input's timeout, or the I/O error.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FFmpegError) -> Int
}

/// A local file read with `read(2)`, from its first byte.
final class FileByteSource: BlockingByteSource {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(CuepointError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CuepointError(subject: path, message: "cannot open the input (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FFmpegError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FFmpegError(code: .inputOutput, function: "read", message: String(cString: strerror(errno)))
        }
    }
}

/// Hands a blocking source's bytes to FFmpeg (a ``ByteSource`` for `Demuxer(source:…)`) and
/// keeps a copy of them: what FFmpeg's probe read, for the splitter to read again.
///
/// The source's own wait (``DatagramSource`` polls 100 ms at a time and checks the interrupt
/// policy) stands for the demuxer's `waitingAtMost` slices.
final class RecordingByteSource: ByteSource {
    let source: any BlockingByteSource
    private(set) var recorded: [UInt8] = []
    /// The error the source threw last, with its message (FFmpeg keeps only its code).
    private(set) var failure: FFmpegError?

    init(_ source: any BlockingByteSource) { self.source = source }

    /// The bytes recorded so far; recording stops (the demuxer may go on reading through this
    /// source on the slow path, and must not keep them all).
    func takeRecorded() -> [UInt8] {
        defer {
            recorded = []
            isRecording = false
        }
        return recorded
    }

    private var isRecording = true

    func read(into buffer: UnsafeMutableRawBufferPointer, waitingAtMost nanoseconds: UInt64) -> ByteSourceRead {
        let count: Int
        do {
            count = try source.read(into: buffer)
        } catch {
            failure = error
            return .failed(error)
        }
        guard count > 0 else { return .end }
        if isRecording { recorded.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        return .bytes(count)
    }
}
