/// Moves the clock of transport packets in place: the PCR of an adaptation field and the PTS
/// and DTS of a PES header, each by the same number of 90 kHz ticks, modulo 2^33 as the fields
/// wrap. Pure (it edits only the bytes it is given).
///
/// The transport stream copy path writes the input's own packets; when a restarted input's
/// timestamps are moved past what was already written (a reconnect, a resume: ``Timeline``),
/// its packets are moved here, so the segments carry the same timestamps the libavformat path
/// would give them and a player's clock never goes back.
enum TimestampShift {
    /// The 33-bit range of PCR bases, PTS and DTS.
    static let wrap: Int64 = 1 << 33

    /// Shifts the PCR and, when the packet starts a PES packet with an optional header, the PTS
    /// and DTS of the packet at `packet` by `ticks`.
    static func apply(_ ticks: Int64, to packet: UnsafeMutableRawPointer) {
        guard ticks != 0, let header = TransportPacket(UnsafeRawPointer(packet)) else { return }
        if hasPCR(packet) { shiftPCR(ticks, in: packet) }
        guard header.startsUnit, header.hasPayload, header.payloadOffset + 9 <= TransportPacket.size else { return }
        let pes = packet + header.payloadOffset
        guard pes.load(as: UInt8.self) == 0, pes.load(fromByteOffset: 1, as: UInt8.self) == 0,
            pes.load(fromByteOffset: 2, as: UInt8.self) == 1,
            PESHeader.hasOptionalHeader(pes.load(fromByteOffset: 3, as: UInt8.self))
        else { return }
        let flags = pes.load(fromByteOffset: 7, as: UInt8.self) >> 6
        let length = Int(pes.load(fromByteOffset: 8, as: UInt8.self))
        guard header.payloadOffset + 9 + length <= TransportPacket.size else { return }
        if flags & 0b10 != 0, length >= 5 { shiftTimestamp(ticks, at: pes + 9) }
        if flags == 0b11, length >= 10 { shiftTimestamp(ticks, at: pes + 14) }
    }

    /// Whether the adaptation field of the packet carries a PCR.
    private static func hasPCR(_ packet: UnsafeMutableRawPointer) -> Bool {
        guard packet.load(fromByteOffset: 3, as: UInt8.self) & 0x20 != 0 else { return false }
        let length = packet.load(fromByteOffset: 4, as: UInt8.self)
        return length >= 7 && packet.load(fromByteOffset: 5, as: UInt8.self) & 0x10 != 0
    }

    /// program_clock_reference_base (33 bits) in bytes 6–10; the 6 reserved bits and the 9-bit
    /// extension that follow are kept.
    private static func shiftPCR(_ ticks: Int64, in packet: UnsafeMutableRawPointer) {
        let b = (6...10).map { Int64(packet.load(fromByteOffset: $0, as: UInt8.self)) }
        let base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
        let moved = ((base + ticks) % wrap + wrap) % wrap
        packet.storeBytes(of: UInt8(moved >> 25 & 0xFF), toByteOffset: 6, as: UInt8.self)
        packet.storeBytes(of: UInt8(moved >> 17 & 0xFF), toByteOffset: 7, as: UInt8.self)
        packet.storeBytes(of: UInt8(moved >> 9 & 0xFF), toByteOffset: 8, as: UInt8.self)
        packet.storeBytes(of: UInt8(moved >> 1 & 0xFF), toByteOffset: 9, as: UInt8.self)
        packet.storeBytes(of: UInt8((moved & 1) << 7 | (b[4] & 0x7F)), toByteOffset: 10, as: UInt8.self)
    }

    /// A PTS or DTS coded in 5 bytes with marker bits (its 4-bit prefix is kept).
    private static func shiftTimestamp(_ ticks: Int64, at field: UnsafeMutableRawPointer) {
        let value = PESHeader.timestamp(UnsafeRawBufferPointer(start: field, count: 5), at: 0)
        let moved = ((value + ticks) % wrap + wrap) % wrap
        let prefix = field.load(as: UInt8.self) & 0xF0
        field.storeBytes(of: prefix | UInt8(moved >> 29 & 0x0E) | 1, as: UInt8.self)
        field.storeBytes(of: UInt8(moved >> 22 & 0xFF), toByteOffset: 1, as: UInt8.self)
        field.storeBytes(of: UInt8(moved >> 14 & 0xFE) | 1, toByteOffset: 2, as: UInt8.self)
        field.storeBytes(of: UInt8(moved >> 7 & 0xFF), toByteOffset: 3, as: UInt8.self)
        field.storeBytes(of: UInt8(moved << 1 & 0xFE) | 1, toByteOffset: 4, as: UInt8.self)
    }
}
