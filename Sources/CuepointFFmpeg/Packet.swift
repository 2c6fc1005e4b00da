internal import CCuepointFFmpeg

/// One compressed frame (or audio frame group) and its timestamps, owning an `AVPacket`.
///
/// A packet is reused: `Demuxer.read(into:)` refills it. It is owned by one thread at a
/// time; hand it to another thread only together with its ownership.
public final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() {
        guard let packet = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = packet
    }

    /// A packet holding a copy of `bytes`, for data streams such as timed ID3.
    public convenience init(bytes: [UInt8], streamIndex: Int, pts: Int64, duration: Int64 = 0) throws(FFmpegError) {
        self.init()
        try FFmpegError.check(av_new_packet(pointer, Int32(bytes.count)), "av_new_packet")
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.pointee.data.update(from: base, count: bytes.count) }
        }
        self.streamIndex = streamIndex
        self.pts = pts
        self.dts = pts
        self.duration = duration
        pointer.pointee.flags |= AV_PKT_FLAG_KEY
    }

    deinit {
        var owned: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&owned)
    }

    /// The index of the stream the packet belongs to.
    public var streamIndex: Int {
        get { Int(pointer.pointee.stream_index) }
        set { pointer.pointee.stream_index = Int32(newValue) }
    }

    /// Presentation timestamp in the stream's time base; nil for FFmpeg's `AV_NOPTS_VALUE`.
    public var pts: Int64? {
        get { pointer.pointee.pts == cuepoint_nopts_value() ? nil : pointer.pointee.pts }
        set { pointer.pointee.pts = newValue ?? cuepoint_nopts_value() }
    }

    /// Decoding timestamp in the stream's time base; nil for FFmpeg's `AV_NOPTS_VALUE`.
    public var dts: Int64? {
        get { pointer.pointee.dts == cuepoint_nopts_value() ? nil : pointer.pointee.dts }
        set { pointer.pointee.dts = newValue ?? cuepoint_nopts_value() }
    }

    /// Duration in the stream's time base; 0 when unknown.
    public var duration: Int64 {
        get { pointer.pointee.duration }
        set { pointer.pointee.duration = newValue }
    }

    /// Whether the packet starts a random-access point (a keyframe).
    public var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }

    /// Whether the demuxer flagged the packet as possibly corrupt.
    public var isCorrupt: Bool { pointer.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 }

    /// Payload size in bytes.
    public var size: Int { Int(pointer.pointee.size) }

    /// A copy of the payload.
    public var bytes: [UInt8] {
        guard let data = pointer.pointee.data, pointer.pointee.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.size)))
    }

    /// Calls `body` with the payload without copying it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer.pointee.data, count: Int(pointer.pointee.size)))
    }

    /// Moves both timestamps by `offset` ticks (the stream's time base).
    public func shiftTimestamps(by offset: Int64) {
        if pointer.pointee.pts != cuepoint_nopts_value() { pointer.pointee.pts += offset }
        if pointer.pointee.dts != cuepoint_nopts_value() { pointer.pointee.dts += offset }
    }

    /// Drops the payload and resets the fields. The corresponding FFmpeg function is `av_packet_unref`.
    public func reset() { av_packet_unref(pointer) }
}

extension Packet {
    /// A new packet referring to the same payload (no copy of the data) with the same fields.
    ///
    /// The corresponding FFmpeg function is `av_packet_ref`.
    public func clone() throws(FFmpegError) -> Packet {
        let copy = Packet()
        try FFmpegError.check(av_packet_ref(copy.pointer, pointer), "av_packet_ref")
        return copy
    }
}
