import CuepointFFmpeg

/// The program association table (PAT): which PID carries each program's map
/// (ISO/IEC 13818-1 §2.4.4.3). Only the first program is used, as FFmpeg's demuxer does for a
/// single-program stream.
struct ProgramAssociation: Equatable {
    var transportStreamID: UInt16
    var programNumber: UInt16
    /// The PID of the program's map (PMT).
    var mapPID: UInt16

    /// Reads a PAT section (from its `table_id` to its CRC); nil when it is not one, is damaged,
    /// or names no program.
    init?(section: [UInt8]) {
        guard let body = ProgramTables.body(of: section, tableID: 0x00) else { return nil }
        transportStreamID = UInt16(section[3]) << 8 | UInt16(section[4])
        var offset = body.lowerBound
        while offset + 4 <= body.upperBound {
            let number = UInt16(section[offset]) << 8 | UInt16(section[offset + 1])
            let pid = UInt16(section[offset + 2] & 0x1F) << 8 | UInt16(section[offset + 3])
            offset += 4
            if number != 0 {  // 0 is the network information table
                programNumber = number
                mapPID = pid
                return
            }
        }
        return nil
    }

    init(transportStreamID: UInt16, programNumber: UInt16, mapPID: UInt16) {
        self.transportStreamID = transportStreamID
        self.programNumber = programNumber
        self.mapPID = mapPID
    }

    /// The section that announces this one program, CRC included.
    var section: [UInt8] {
        let entry: [UInt8] = [
            UInt8(programNumber >> 8), UInt8(programNumber & 0xFF), 0xE0 | UInt8(mapPID >> 8), UInt8(mapPID & 0xFF),
        ]
        return ProgramTables.section(tableID: 0x00, idExtension: transportStreamID, body: entry)
    }
}

/// A program map table (PMT): the program's elementary streams, their stream types and
/// descriptors, and the PID that carries the clock (ISO/IEC 13818-1 §2.4.4.8).
struct ProgramMap: Equatable {
    struct Stream: Equatable {
        /// `stream_type`: 0x1B H.264, 0x24 HEVC, 0x0F AAC (ADTS), 0x15 metadata in PES, …
        var streamType: UInt8
        var pid: UInt16
        /// The ES_info descriptors, as bytes.
        var descriptors: [UInt8]
    }

    var programNumber: UInt16
    var version: UInt8
    /// The PID whose adaptation fields carry the program clock reference.
    var clockPID: UInt16
    /// The program_info descriptors, as bytes.
    var programDescriptors: [UInt8]
    var streams: [Stream]

    init(programNumber: UInt16, version: UInt8 = 0, clockPID: UInt16, programDescriptors: [UInt8] = [], streams: [Stream]) {
        self.programNumber = programNumber
        self.version = version
        self.clockPID = clockPID
        self.programDescriptors = programDescriptors
        self.streams = streams
    }

    /// Reads a PMT section; nil when it is not one or is damaged.
    init?(section: [UInt8]) {
        guard let body = ProgramTables.body(of: section, tableID: 0x02), body.count >= 4 else { return nil }
        programNumber = UInt16(section[3]) << 8 | UInt16(section[4])
        version = (section[5] >> 1) & 0x1F
        var offset = body.lowerBound
        clockPID = UInt16(section[offset] & 0x1F) << 8 | UInt16(section[offset + 1])
        let infoLength = Int(section[offset + 2] & 0x0F) << 8 | Int(section[offset + 3])
        offset += 4
        guard offset + infoLength <= body.upperBound else { return nil }
        programDescriptors = Array(section[offset..<offset + infoLength])
        offset += infoLength
        streams = []
        while offset + 5 <= body.upperBound {
            let type = section[offset]
            let pid = UInt16(section[offset + 1] & 0x1F) << 8 | UInt16(section[offset + 2])
            let length = Int(section[offset + 3] & 0x0F) << 8 | Int(section[offset + 4])
            offset += 5
            guard offset + length <= body.upperBound else { return nil }
            streams.append(Stream(streamType: type, pid: pid, descriptors: Array(section[offset..<offset + length])))
            offset += length
        }
    }

    /// The section that describes this program, CRC included.
    var section: [UInt8] {
        var body: [UInt8] = [
            0xE0 | UInt8(clockPID >> 8), UInt8(clockPID & 0xFF),
            0xF0 | UInt8(programDescriptors.count >> 8), UInt8(programDescriptors.count & 0xFF),
        ]
        body += programDescriptors
        for stream in streams {
            body += [
                stream.streamType, 0xE0 | UInt8(stream.pid >> 8), UInt8(stream.pid & 0xFF),
                0xF0 | UInt8(stream.descriptors.count >> 8), UInt8(stream.descriptors.count & 0xFF),
            ]
            body += stream.descriptors
        }
        return ProgramTables.section(tableID: 0x02, idExtension: programNumber, version: version, body: body)
    }
}

/// Reading and writing PSI sections (the long form with CRC) and carrying them in packets.
enum ProgramTables {
    /// The byte range of a long-form section's body (after `last_section_number`, before the
    /// CRC), when `section` is a whole, undamaged section of table `tableID`.
    static func body(of section: [UInt8], tableID: UInt8) -> Range<Int>? {
        guard section.count >= 12, section[0] == tableID, section[1] & 0x80 != 0 else { return nil }
        let length = Int(section[1] & 0x0F) << 8 | Int(section[2])
        guard length >= 9, 3 + length <= section.count else { return nil }
        let crc = section[3 + length - 4..<3 + length].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Checksum.mpeg2CRC32(section[0..<3 + length - 4]) == crc else { return nil }
        return 8..<(3 + length - 4)
    }

    /// A long-form section: header, `body`, CRC-32/MPEG-2.
    static func section(tableID: UInt8, idExtension: UInt16, version: UInt8 = 0, body: [UInt8]) -> [UInt8] {
        let length = 5 + body.count + 4
        var bytes: [UInt8] = [
            tableID, 0xB0 | UInt8(length >> 8), UInt8(length & 0xFF),
            UInt8(idExtension >> 8), UInt8(idExtension & 0xFF), 0xC1 | (version & 0x1F) << 1, 0x00, 0x00,
        ]
        bytes += body
        let crc = Checksum.mpeg2CRC32(bytes[...])
        bytes += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        return bytes
    }

    /// `section` in transport packets of `pid`: a pointer field of 0 in the first, 0xFF
    /// stuffing after the section, continuity counters from `counter` (advanced).
    static func packets(carrying section: [UInt8], pid: UInt16, counter: inout UInt8) -> [UInt8] {
        var packets: [UInt8] = []
        var remaining = ArraySlice([0x00] + section)
        var first = true
        while !remaining.isEmpty {
            let take = min(remaining.count, TransportPacket.size - 4)
            packets += [
                TransportPacket.syncByte, (first ? 0x40 : 0x00) | UInt8(pid >> 8), UInt8(pid & 0xFF), 0x10 | counter,
            ]
            packets += remaining.prefix(take)
            packets += [UInt8](repeating: 0xFF, count: TransportPacket.size - 4 - take)
            remaining = remaining.dropFirst(take)
            counter = (counter + 1) & 0x0F
            first = false
        }
        return packets
    }
}

/// Collects one PSI section of a PID from the payloads of its packets (a PMT with many
/// descriptors can span several).
struct SectionAssembler {
    private var bytes: [UInt8] = []
    private var collecting = false

    /// Feeds the payload of one packet of the PID.
    ///
    /// - Returns: the section completed by this payload, if any (the first one of a packet).
    mutating func feed(_ payload: UnsafeRawBufferPointer, startsUnit: Bool) -> [UInt8]? {
        var data = payload[...]
        if startsUnit {
            guard let pointer = data.first, Int(pointer) + 1 <= data.count else {
                collecting = false
                return nil
            }
            data = data.dropFirst(1 + Int(pointer))
            bytes = []
            collecting = true
        }
        guard collecting else { return nil }
        bytes += data
        guard bytes.count >= 3 else { return nil }
        let total = 3 + (Int(bytes[1] & 0x0F) << 8 | Int(bytes[2]))
        guard bytes.count >= total else { return nil }
        collecting = false
        return Array(bytes[0..<total])
    }
}
