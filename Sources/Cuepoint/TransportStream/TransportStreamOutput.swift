import CuepointFFmpeg
import CuepointHLS
import CuepointTime

/// The writing half of the transport stream copy path: MPEG-TS segments made of the input's
/// own transport packets, without a muxer.
///
/// Every segment starts with a PAT and a PMT of its own (so it decodes alone), then the
/// transport packets of the units the session writes, in the order it writes them. The PMT
/// lists the carried streams with the stream types and descriptors of the input's PMT, keeps
/// its clock PID, and with in-band markers adds a timed-ID3 stream (stream_type 0x15 with the
/// metadata descriptor FFmpeg's muxer writes); each marker tag is one PES packet
/// (private_stream_1, PTS only) on that PID. Continuity counters are renumbered per PID across
/// the whole recording, so the inserted tables and tags never break a counter.
///
/// Bytes go to the segment file in writes of ``bufferSize`` (about seven per 2-second segment at
/// 3 Mbit/s), not one per packet. Owned by the pipeline's thread.
final class TransportStreamOutput: SegmentOutput {
    let name: String
    let store: any Store
    let layout = RecordingLayout(container: .ts)
    /// Whether markers go in-band as timed ID3.
    let carriesTimedMetadata: Bool
    var initURI: String? { nil }

    /// The input's program, as the splitter last read it; the tables of each segment are made
    /// from it.
    private var association: ProgramAssociation?
    private var programMap: ProgramMap?
    /// The carried streams' PIDs, in the input PMT's order.
    private var carriedPIDs: [UInt16]
    /// The PID of the timed-ID3 stream: the first one from 0x100 the input does not use.
    private var metadataPID: UInt16 = 0x100
    private var counters = [UInt8](repeating: 0, count: 0x2000)
    /// Added to the clock (PCR, PTS, DTS) of the input's packets: a restarted input continues
    /// after what was written (``TimestampShift``).
    private var shiftTicks: Int64 = 0

    private var segmentFile: (any StoreFile)?
    private var buffer: [UInt8] = []
    /// Writes go to the file when this many bytes are buffered.
    static let bufferSize = 128 * 1024

    /// - Parameter pids: the PIDs of the carried streams.
    init(name: String, store: any Store, pids: [UInt16], carriesTimedMetadata: Bool) {
        self.name = name
        self.store = store
        self.carriedPIDs = pids
        self.carriesTimedMetadata = carriesTimedMetadata
    }

    /// Takes the input's program tables (call when the splitter has read them, and again when
    /// they change).
    func useProgram(association: ProgramAssociation, map: ProgramMap) {
        self.association = association
        programMap = map
        let used = Set(map.streams.map(\.pid) + [map.clockPID, association.mapPID])
        metadataPID = (0x100..<0x1FFF).first { !used.contains($0) } ?? 0x1FFE
    }

    /// The PMT of the output: the carried streams (and a separate clock PID) of the input's map,
    /// plus the timed-ID3 stream.
    var outputMap: ProgramMap? {
        guard let programMap else { return nil }
        var streams = programMap.streams.filter { carriedPIDs.contains($0.pid) }
        if carriesTimedMetadata {
            streams.append(
                ProgramMap.Stream(
                    streamType: 0x15, pid: metadataPID, descriptors: TransportStreamOutput.metadataDescriptor))
        }
        return ProgramMap(
            programNumber: programMap.programNumber, version: programMap.version, clockPID: programMap.clockPID,
            programDescriptors: programMap.programDescriptors, streams: streams)
    }

    /// The metadata_descriptor (tag 0x26) of an ID3 stream, as FFmpeg's MPEG-TS muxer writes it:
    /// application format 0xFFFF with identifier "ID3 ", format 0xFF with identifier "ID3 ",
    /// service 0, no decoder config.
    static let metadataDescriptor: [UInt8] = [0x26, 13, 0xFF, 0xFF] + Array("ID3 ".utf8) + [0xFF] + Array("ID3 ".utf8) + [0x00, 0x0F]

    func segmentName(_ sequence: Int64) -> String { layout.segment(sequence: sequence) }

    func openSegment(sequence: Int64) throws {
        segmentFile = try store.openNew(RecordingLayout.path(segmentName(sequence), in: name))
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(TransportStreamOutput.bufferSize + 64 * TransportPacket.size)
        guard let association, let map = outputMap else { return }
        buffer += ProgramTables.packets(carrying: association.section, pid: 0, counter: &counters[0])
        buffer += ProgramTables.packets(carrying: map.section, pid: association.mapPID, counter: &counters[Int(association.mapPID)])
    }

    func write<Unit: MediaUnit>(_ unit: Unit, inputStream: Int) throws -> Muxer.WriteOutcome {
        guard let unit = unit as? TransportStreamUnit else {
            preconditionFailure("TransportStreamOutput writes the transport packets of TransportStreamUnit")
        }
        guard segmentFile != nil else { return .written }
        let start = buffer.count
        buffer.append(contentsOf: unit.packets)
        counters.withUnsafeMutableBufferPointer { counters in
            buffer.withUnsafeMutableBytes { bytes in
                var offset = start
                while offset + TransportPacket.size <= bytes.count {
                    TransportStreamOutput.renumber(bytes.baseAddress! + offset, counters: counters)
                    // A restarted input continues the clock of what was written, as on the libavformat path.
                    if shiftTicks != 0 { TimestampShift.apply(shiftTicks, to: bytes.baseAddress! + offset) }
                    offset += TransportPacket.size
                }
            }
        }
        if buffer.count >= TransportStreamOutput.bufferSize { try drain() }
        return .written
    }

    func writeTimedMetadata(_ tag: [UInt8], at time: MediaTime, eventID: UInt32) throws {
        guard carriesTimedMetadata, segmentFile != nil else { return }
        let pts = time.rescaled(to: .mpegTS).ticks
        let pes = PESHeader.bytes(streamID: 0xBD, pts: pts, payloadLength: tag.count) + tag
        buffer += TransportStreamOutput.packets(carrying: pes, pid: metadataPID, counter: &counters[Int(metadataPID)])
    }

    func closeSegment() throws -> Int64 {
        guard let file = segmentFile else { return 0 }
        try drain()
        segmentFile = nil
        try file.commit()
        return file.byteCount
    }

    func cutPart() throws -> [UInt8] { [] }

    /// Continuity counters run on across epochs: the next segment starts with tables anyway.
    func endEpoch() throws {}

    func abandon() {
        buffer.removeAll(keepingCapacity: true)
        segmentFile?.discard()
        segmentFile = nil
    }

    /// A reconnected input may use other PIDs; its tables arrive with its first packets
    /// (``useProgram(association:map:)``).
    func replaceStreams(_ streams: [StreamInfo], metadataTimeBase: Rational) {
        carriedPIDs = streams.map { UInt16(truncatingIfNeeded: $0.id) }
        shiftTicks = 0
    }

    func inputShifted(by shift: MediaTime) { shiftTicks = shift.rescaled(to: .mpegTS).ticks }

    // MARK: Bytes

    /// Gives the packet at `packet` the next continuity counter of its PID (a packet without
    /// payload repeats the last one, as the standard wants).
    @inline(__always)
    private static func renumber(_ packet: UnsafeMutableRawPointer, counters: UnsafeMutableBufferPointer<UInt8>) {
        let pid = Int(TransportPacket.pid(packet))
        if TransportPacket.hasPayload(packet) {
            TransportPacket.setContinuityCounter(counters[pid], in: packet)
            counters[pid] = (counters[pid] + 1) & 0x0F
        } else {
            TransportPacket.setContinuityCounter((counters[pid] &+ 15) & 0x0F, in: packet)
        }
    }

    private func drain() throws {
        guard let file = segmentFile, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try file.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// A PES packet in transport packets of `pid`: payload_unit_start in the first, and the
    /// last filled up with adaptation-field stuffing so the PES ends exactly at its end.
    static func packets(carrying pes: [UInt8], pid: UInt16, counter: inout UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        var offset = 0
        while offset < pes.count {
            let take = min(TransportPacket.size - 4, pes.count - offset)
            let stuffing = TransportPacket.size - 4 - take
            let first = offset == 0
            bytes += [
                TransportPacket.syncByte, (first ? 0x40 : 0x00) | UInt8(pid >> 8), UInt8(pid & 0xFF),
                (stuffing > 0 ? 0x30 : 0x10) | counter,
            ]
            if stuffing > 0 {
                bytes.append(UInt8(stuffing - 1))  // adaptation_field_length
                if stuffing > 1 { bytes += [0x00] + [UInt8](repeating: 0xFF, count: stuffing - 2) }
            }
            bytes += pes[offset..<offset + take]
            offset += take
            counter = (counter + 1) & 0x0F
        }
        return bytes
    }
}
