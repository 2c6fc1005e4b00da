/// Splits an MPEG transport stream into the PES packets of the carried streams, without
/// decoding: the reading half of the transport stream copy path. Pure (bytes in, units out).
///
/// It follows the program tables (PAT → the first program's PMT) and, for each carried PID,
/// collects the transport packets of one PES packet into a ``TransportStreamUnit``, which it
/// hands over when the PES packet is complete: when the next one starts on the same PID, or
/// when its declared length is reached. That is when, and in which order, FFmpeg's MPEG-TS
/// demuxer returns packets, so the ``RecordingSession`` sees the same sequence on both paths.
///
/// Each unit gets what libavformat would give the packet:
/// - **timestamps** from the PES header (a PTS alone is also the DTS), unwrapped past the
///   33-bit wrap as libavformat does (``TimestampUnwrapping``);
/// - **keyframe**, for video, from the NAL unit types (``KeyframeScan``), as FFmpeg's parsers decide;
/// - **duration**, for AAC, from the number of ADTS frames; video units leave it 0 (one frame
///   at the stream's rate, as the session assumes for a packet without one);
/// - **corrupt** when a continuity counter skipped (a transport packet was lost) or a packet
///   had its transport error indicator set, on the unit libavformat flags: the one the packet
///   belongs to, or for a packet that starts a PES packet, the open one it completes.
///
/// Everything else (other programs and PIDs, null packets, SDT, the input's own PAT and PMT) is
/// dropped: ``TransportStreamOutput`` writes tables of its own at the start of every segment.
/// Packets of a clock PID that carries no carried stream travel with the video stream's units.
struct TransportStreamSplitter {
    /// A stream the recording carries, by PID.
    struct Stream: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            case video(KeyframeScan.Codec)
            /// AAC in ADTS: the duration is counted in frames of 1024 samples.
            case aac(sampleRate: Int)
            /// Another audio codec: passed through, duration unknown.
            case audio
        }

        /// The session's index of the stream (``StreamInfo/index``).
        var index: Int
        var pid: UInt16
        var kind: Kind
    }

    let streams: [Stream]
    /// The latest program association and map read from the input.
    private(set) var association: ProgramAssociation?
    private(set) var programMap: ProgramMap?
    /// Bytes skipped to find the sync byte again (damaged or misaligned input).
    private(set) var bytesSkipped = 0
    /// Called when the program tables are first read and whenever they change, before any unit
    /// they describe is handed over (the output writes them at the start of each segment).
    var onProgram: ((ProgramAssociation, ProgramMap) -> Void)?

    /// What is known of each carried stream while it is read.
    private struct Slot {
        let kind: Stream.Kind
        let unit: TransportStreamUnit
        /// A PES packet is being collected.
        var isOpen = false
        /// Whether the PES packet declares its length (audio usually does, video does not).
        var hasLength = false
        /// PES bytes still expected, when it declares its length.
        var remaining = 0
        /// The last continuity counter seen; -1 before the first packet.
        var lastCounter: Int16 = -1
    }

    private var slots: [Slot]
    /// The slot of each PID (-1: not carried), indexed by PID: no hashing per packet.
    private var slotOfPID: [Int8]
    private var associationSection = SectionAssembler()
    private var mapSection = SectionAssembler()
    private var unwrapping = TimestampUnwrapping()
    /// Bytes of a packet cut by the end of the last `feed`.
    private var carry: [UInt8] = []
    private var scratch: [UInt8] = []
    /// The slot of the video stream, whose units carry the packets of a separate clock PID.
    private let videoSlot: Int?

    init(streams: [Stream]) {
        self.streams = streams
        slotOfPID = [Int8](repeating: -1, count: 0x2000)
        slots = []
        for (position, stream) in streams.enumerated() {
            slotOfPID[Int(stream.pid & 0x1FFF)] = Int8(position)
            slots.append(Slot(kind: stream.kind, unit: TransportStreamUnit(streamIndex: stream.index, pid: stream.pid)))
        }
        videoSlot = streams.firstIndex { if case .video = $0.kind { true } else { false } }
        carry.reserveCapacity(TransportPacket.size)
        scratch.reserveCapacity(4096)
    }

    /// Feeds the next bytes of the stream (any size; packets may be cut between calls) and
    /// hands every PES packet they complete to `emit`, in the order they complete. A unit is
    /// valid only during the call to `emit`.
    mutating func feed<E: Error>(_ bytes: UnsafeRawBufferPointer, emit: (TransportStreamUnit) throws(E) -> Void) throws(E) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        if !carry.isEmpty {
            let take = min(TransportPacket.size - carry.count, bytes.count)
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            offset = take
            guard carry.count == TransportPacket.size else { return }
            let packet = UnsafeMutableRawPointer.allocate(byteCount: TransportPacket.size, alignment: 1)
            defer { packet.deallocate() }
            carry.withUnsafeBytes { packet.copyMemory(from: $0.baseAddress!, byteCount: TransportPacket.size) }
            carry.removeAll(keepingCapacity: true)
            try handle(UnsafeRawPointer(packet), emit: emit)
        }
        while offset + TransportPacket.size <= bytes.count {
            if base.load(fromByteOffset: offset, as: UInt8.self) != TransportPacket.syncByte {
                offset = resynchronize(bytes, from: offset)
                continue
            }
            try handle(base + offset, emit: emit)
            offset += TransportPacket.size
        }
        if offset < bytes.count {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// The end of the input: hands over the PES packets still being collected (as FFmpeg's
    /// demuxer does at the end of a file). Not for a live input that dropped: its last PES
    /// packets are incomplete, and the slow path loses them too.
    mutating func finish<E: Error>(emit: (TransportStreamUnit) throws(E) -> Void) throws(E) {
        for index in slots.indices where slots[index].isOpen {
            try complete(index, emit: emit)
        }
    }

    // MARK: Packets

    @inline(__always)
    private mutating func handle<E: Error>(_ packet: UnsafeRawPointer, emit: (TransportStreamUnit) throws(E) -> Void) throws(E) {
        guard let header = TransportPacket(packet) else { return }
        let pid = header.pid
        let index = Int(slotOfPID[Int(pid)])
        if index >= 0 {
            // As FFmpeg's demuxer, which knows a PID's stream only from the program map.
            guard programMap != nil else { return }
            try handleStream(packet, header: header, slot: index, emit: emit)
        } else if pid == TransportPacket.programAssociationPID {
            if let section = associationSection.feed(payload(packet, header), startsUnit: header.startsUnit),
                let table = ProgramAssociation(section: section)
            {
                association = table
            }
        } else if pid == association?.mapPID {
            if let section = mapSection.feed(payload(packet, header), startsUnit: header.startsUnit),
                let table = ProgramMap(section: section), table.programNumber == association?.programNumber,
                table != programMap, let association
            {
                programMap = table
                onProgram?(association, table)
            }
        } else if pid == programMap?.clockPID, pid != TransportPacket.nullPID, let videoSlot, slots[videoSlot].isOpen {
            slots[videoSlot].unit.append(packet)
        }
    }

    @inline(__always)
    private mutating func handleStream<E: Error>(
        _ packet: UnsafeRawPointer, header: TransportPacket, slot index: Int, emit: (TransportStreamUnit) throws(E) -> Void
    ) throws(E) {
        var damaged = header.hasTransportError
        let last = slots[index].lastCounter
        if last >= 0, !header.isDiscontinuity {
            let expected = header.hasPayload ? UInt8((last + 1) & 0x0F) : UInt8(last)
            if header.continuityCounter != expected { damaged = true }
        }
        slots[index].lastCounter = Int16(header.continuityCounter)
        let unit = slots[index].unit
        if header.startsUnit {
            // As libavformat: the damage of a packet that starts a PES packet marks the one it
            // completes (the flag is kept per PID until a packet is handed over); with none open
            // (the last one ended at its declared length) the flag is cleared with the new start.
            if slots[index].isOpen {
                if damaged { unit.isCorrupt = true }
                try complete(index, emit: emit)
            }
            unit.reset()
            let bytes = payload(packet, header)
            guard let pes = PESHeader(bytes) else {
                slots[index].isOpen = false  // not a PES packet: skipped until the next one starts
                return
            }
            unit.append(packet)
            unit.elementaryStreamStart = header.payloadOffset + pes.headerSize
            unit.pts = pes.pts.map { unwrapping.unwrap($0, reference: pes.dts ?? $0) }
            unit.dts = pes.dts.map { unwrapping.unwrap($0, reference: $0) }
            unit.isCorrupt = false
            slots[index].isOpen = true
            slots[index].hasLength = pes.packetLength > 0
            slots[index].remaining = pes.packetLength + 6 - bytes.count
        } else {
            guard slots[index].isOpen else { return }  // the rest of a PES packet that started before we did
            unit.append(packet)
            if damaged { unit.isCorrupt = true }
            if slots[index].hasLength, header.hasPayload {
                slots[index].remaining -= TransportPacket.size - header.payloadOffset
            }
        }
        if slots[index].hasLength, slots[index].remaining <= 0 { try complete(index, emit: emit) }
    }

    /// Finishes the PES packet being collected in slot `index` and hands it over.
    private mutating func complete<E: Error>(_ index: Int, emit: (TransportStreamUnit) throws(E) -> Void) throws(E) {
        let unit = slots[index].unit
        slots[index].isOpen = false
        slots[index].hasLength = false
        switch slots[index].kind {
        case .video(let codec):
            // Most access units show their first slice within two packets; a big SEI (x264's
            // first frame) needs more.
            var decided = unit.withElementaryStream(limit: 2 * TransportPacket.size, scratch: &scratch) {
                KeyframeScan.isKeyframe($0, codec: codec)
            }
            if decided == nil {
                decided = unit.withElementaryStream(limit: unit.count, scratch: &scratch) {
                    KeyframeScan.isKeyframe($0, codec: codec)
                }
            }
            unit.isKeyframe = decided ?? false
        case .aac(let sampleRate):
            let frames = unit.withElementaryStream(limit: unit.count, scratch: &scratch) { ADTSFrames.count($0) }
            unit.duration = sampleRate > 0 ? Int64(frames) * 1024 * 90_000 / Int64(sampleRate) : 0
            unit.isKeyframe = true
        case .audio:
            unit.isKeyframe = true
        }
        try emit(unit)
        unit.reset()
    }

    private func payload(_ packet: UnsafeRawPointer, _ header: TransportPacket) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: packet + header.payloadOffset, count: TransportPacket.size - header.payloadOffset)
    }

    /// The offset of the next sync byte that a second one follows 188 bytes later, or of the
    /// last bytes that could start a packet; counts the bytes skipped.
    private mutating func resynchronize(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var offset = start + 1
        while offset + TransportPacket.size <= bytes.count {
            if bytes[offset] == TransportPacket.syncByte
                && (offset + TransportPacket.size == bytes.count
                    || bytes[offset + TransportPacket.size] == TransportPacket.syncByte)
            {
                break
            }
            offset += 1
        }
        bytesSkipped += offset - start
        return offset
    }
}

/// Unwraps 33-bit MPEG timestamps as libavformat does for a transport stream
/// (`update_wrap_reference` and `wrap_timestamp` in FFmpeg 5.1's `demux.c`), so both paths give a
/// stream the same timestamps: the first timestamp read fixes a reference 60 s before it; when it
/// lies more than 60 s before the wrap point, later timestamps below the reference have wrapped
/// and get 2^33 added; otherwise (a stream that starts just before the wrap) timestamps at or
/// above the reference get 2^33 subtracted. One wrap is unwrapped, not more (26.5 hours).
struct TimestampUnwrapping {
    static let wrap: Int64 = 1 << 33
    static let sixtySeconds: Int64 = 60 * 90_000

    private var reference: Int64?
    private var addsOffset = true

    /// `timestamp` unwrapped; `first` is the timestamp that fixes the reference when none is
    /// set yet (the packet's DTS, else its PTS, as FFmpeg takes it).
    mutating func unwrap(_ timestamp: Int64, reference first: Int64) -> Int64 {
        if reference == nil {
            let anchor = first & (TimestampUnwrapping.wrap - 1)
            reference = anchor - TimestampUnwrapping.sixtySeconds
            addsOffset =
                anchor < TimestampUnwrapping.wrap - (TimestampUnwrapping.wrap >> 3)
                || anchor < TimestampUnwrapping.wrap - TimestampUnwrapping.sixtySeconds
        }
        guard let reference else { return timestamp }
        if addsOffset, timestamp < reference { return timestamp + TimestampUnwrapping.wrap }
        if !addsOffset, timestamp >= reference { return timestamp - TimestampUnwrapping.wrap }
        return timestamp
    }
}
