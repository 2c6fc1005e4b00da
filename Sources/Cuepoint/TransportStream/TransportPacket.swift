/// The header of one 188-byte MPEG-TS packet: the fields that cutting a transport stream into
/// segments needs (ISO/IEC 13818-1 §2.4.3.2 and §2.4.3.4). Pure: it reads bytes, owns none.
///
///     byte 0     sync byte 0x47
///     byte 1-2   transport_error_indicator · payload_unit_start_indicator · priority · PID (13 bits)
///     byte 3     scrambling (2) · adaptation_field_control (2) · continuity_counter (4)
///     byte 4…    adaptation field (length byte, flags: discontinuity 0x80, random_access 0x40,
///                PCR 0x10, …), then the payload
///
/// The transport stream copy path (``TransportStreamSplitter``, ``TransportStreamOutput``) reads
/// these fields and never decodes media: a keyframe is found from the random-access indicator
/// or from the NAL unit types at the start of the payload (``KeyframeScan``).
struct TransportPacket {
    /// The size of every packet of a transport stream (not M2TS's 192, nor the 204 of DVB with FEC).
    static let size = 188
    /// The first byte of every packet.
    static let syncByte: UInt8 = 0x47
    /// The program association table's PID.
    static let programAssociationPID: UInt16 = 0
    /// Stuffing packets, dropped.
    static let nullPID: UInt16 = 0x1FFF

    /// The packet's PID (13 bits).
    var pid: UInt16
    /// `payload_unit_start_indicator`: a PES packet or a PSI section starts in this packet.
    var startsUnit: Bool
    /// `transport_error_indicator`: a demodulator marked the packet as damaged.
    var hasTransportError: Bool
    /// Whether the packet carries a payload (adaptation_field_control 01 or 11).
    var hasPayload: Bool
    /// The 4-bit continuity counter.
    var continuityCounter: UInt8
    /// Where the payload starts in the packet: 4, plus the adaptation field.
    var payloadOffset: Int
    /// The adaptation field's random_access_indicator: the next PES starting on this PID begins
    /// with a random-access point (a keyframe).
    var isRandomAccess: Bool
    /// The adaptation field's discontinuity_indicator.
    var isDiscontinuity: Bool

    /// Reads the header of the packet at `bytes` (at least ``size`` bytes).
    ///
    /// - Returns: nil when the first byte is not the sync byte or the adaptation field claims
    ///   more bytes than the packet has: not a packet to use.
    init?(_ bytes: UnsafeRawPointer) {
        guard bytes.load(as: UInt8.self) == TransportPacket.syncByte else { return nil }
        let b1 = bytes.load(fromByteOffset: 1, as: UInt8.self)
        let b2 = bytes.load(fromByteOffset: 2, as: UInt8.self)
        let b3 = bytes.load(fromByteOffset: 3, as: UInt8.self)
        pid = UInt16(b1 & 0x1F) << 8 | UInt16(b2)
        startsUnit = b1 & 0x40 != 0
        hasTransportError = b1 & 0x80 != 0
        hasPayload = b3 & 0x10 != 0
        continuityCounter = b3 & 0x0F
        isRandomAccess = false
        isDiscontinuity = false
        payloadOffset = 4
        if b3 & 0x20 != 0 {
            let length = Int(bytes.load(fromByteOffset: 4, as: UInt8.self))
            guard 5 + length <= TransportPacket.size else { return nil }
            if length > 0 {
                let flags = bytes.load(fromByteOffset: 5, as: UInt8.self)
                isDiscontinuity = flags & 0x80 != 0
                isRandomAccess = flags & 0x40 != 0
            }
            payloadOffset = 5 + length
        }
        if !hasPayload { payloadOffset = TransportPacket.size }
    }

    /// Writes `counter` into the continuity counter of the packet at `bytes`.
    static func setContinuityCounter(_ counter: UInt8, in bytes: UnsafeMutableRawPointer) {
        let b3 = bytes.load(fromByteOffset: 3, as: UInt8.self)
        bytes.storeBytes(of: (b3 & 0xF0) | (counter & 0x0F), toByteOffset: 3, as: UInt8.self)
    }

    /// Whether the packet at `bytes` carries a payload (its continuity counter counts).
    static func hasPayload(_ bytes: UnsafeRawPointer) -> Bool {
        bytes.load(fromByteOffset: 3, as: UInt8.self) & 0x10 != 0
    }

    /// The PID of the packet at `bytes`.
    static func pid(_ bytes: UnsafeRawPointer) -> UInt16 {
        UInt16(bytes.load(fromByteOffset: 1, as: UInt8.self) & 0x1F) << 8 | UInt16(bytes.load(fromByteOffset: 2, as: UInt8.self))
    }
}
