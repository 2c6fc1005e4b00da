import CuepointFFmpeg

/// One PES packet of a carried stream, as the transport stream copy path hands it to the
/// ``RecordingSession``: its timestamps and keyframe flag (what libavformat would give the slow
/// path's packet) and the 188-byte transport packets that carry it, as they arrived.
///
/// The splitter reuses one unit per stream: its bytes live in a buffer the unit owns, which
/// grows to the stream's largest PES packet and is then reused, so no packet allocates. The
/// bytes are valid while the session handles the unit. Owned by the pipeline's thread.
final class TransportStreamUnit: MediaUnit {
    let streamIndex: Int
    /// The PID of the stream's packets (the unit may also hold packets of a separate clock PID).
    let pid: UInt16
    /// In 90 kHz ticks, unwrapped as FFmpeg's demuxer unwraps them.
    var pts: Int64?
    var dts: Int64?
    /// In 90 kHz ticks; 0 when unknown (video: the session takes one frame at the stream's rate).
    var duration: Int64 = 0
    var isKeyframe = false
    /// A continuity counter skipped inside the packet (a lost transport packet).
    var isCorrupt = false
    /// Where in ``packets`` the PES payload (the elementary stream) starts: the first packet's
    /// payload offset plus the PES header.
    var elementaryStreamStart = 0

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(streamIndex: Int, pid: UInt16) {
        self.streamIndex = streamIndex
        self.pid = pid
        capacity = 64 * TransportPacket.size
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Whole transport packets: `count` is a multiple of 188.
    var packets: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    var size: Int { count }

    /// The outputs read the bytes without consuming them: every output gets the same unit.
    func forAnotherOutput() throws -> TransportStreamUnit { self }

    /// Appends one transport packet.
    @inline(__always)
    func append(_ packet: UnsafeRawPointer) {
        if count + TransportPacket.size > capacity { grow() }
        (storage + count).copyMemory(from: packet, byteCount: TransportPacket.size)
        count += TransportPacket.size
    }

    private func grow() {
        let larger = capacity * 2
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
        moved.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = moved
        capacity = larger
    }

    /// Starts the unit over for a new PES packet.
    func reset() {
        count = 0
        pts = nil
        dts = nil
        duration = 0
        isKeyframe = false
        isCorrupt = false
        elementaryStreamStart = 0
    }

    /// Copies up to `limit` bytes of the elementary stream (the payloads of the unit's packets
    /// of its own PID, after the PES header) into `scratch` and calls `body` with them.
    func withElementaryStream<R>(limit: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        scratch.removeAll(keepingCapacity: true)
        var offset = 0
        while offset + TransportPacket.size <= count, scratch.count < limit {
            let start = UnsafeRawPointer(storage + offset)
            if let header = TransportPacket(start), header.pid == pid {
                let from = offset == 0 ? elementaryStreamStart : header.payloadOffset
                if header.hasPayload, from < TransportPacket.size {
                    let take = min(TransportPacket.size - from, limit - scratch.count)
                    scratch.append(contentsOf: UnsafeRawBufferPointer(start: start + from, count: take))
                }
            }
            offset += TransportPacket.size
        }
        return scratch.withUnsafeBytes(body)
    }
}
