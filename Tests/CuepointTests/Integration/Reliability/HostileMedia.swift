import CuepointTestSupport
import Foundation

/// Seeded mutations of the sample media: the inputs "nobody thought of", made the same way every
/// time from a (source, mutation, seed) triple, so any case a run reports can be made again.
///
/// Each mutation works on the units of its container, so that the damage reaches past the
/// demuxer's first checks:
///
/// | mutation | MPEG-TS (188-byte packets) | FLV (tags) | MP4 (boxes of `moov`) |
/// |---|---|---|---|
/// | bit flips | 1–64 random bits anywhere | same | same |
/// | truncation | cut at a random byte | same | same |
/// | duplicated packets | 1–40 packets repeated in place | 1–20 tags repeated | chunk offsets (`stco`) repeated: a chunk read twice |
/// | dropped packets | 1–40 packets or a run of up to 400 removed | 1–20 tags removed | sample sizes (`stsz`) set to 0 |
/// | PID corruption | packets moved to another PID (random, the other stream's, PAT/PMT) | tag types changed | track ids, handler and codec types changed |
/// | timestamp corruption | PES PTS/DTS rewritten (random, jumps, steps back, repeats) | tag timestamps rewritten | `stts` deltas and `ctts` offsets rewritten |
struct HostileCase: Sendable, Hashable, CustomStringConvertible {
    enum Source: String, Sendable, CaseIterable {
        case ts, mp4, flv
    }

    enum Mutation: String, Sendable, CaseIterable {
        case bitFlips = "bit-flips"
        case truncation
        case duplicatedPackets = "duplicated-packets"
        case droppedPackets = "dropped-packets"
        case pidCorruption = "pid-corruption"
        case timestampCorruption = "timestamp-corruption"
    }

    var source: Source
    var mutation: Mutation
    var seed: UInt64

    var description: String { "\(source.rawValue) \(mutation.rawValue) seed \(seed)" }
    /// A file name for the mutated input.
    var fileName: String { "hostile-\(mutation.rawValue)-\(seed).\(source.rawValue)" }

    /// The `index`-th case of a run that starts at `seed`: sources and mutations in turn, each with
    /// its own seed, so `N` cases cover every pair about equally.
    static func enumerated(_ index: Int, seed: UInt64) -> HostileCase {
        let sources = Source.allCases, mutations = Mutation.allCases
        return HostileCase(
            source: sources[index % sources.count], mutation: mutations[(index / sources.count) % mutations.count],
            seed: seed &+ UInt64(index))
    }
}

enum HostileMedia {
    /// The unmutated bytes of a source: sample.ts, sample.mp4, and sample.mp4 remuxed to FLV by
    /// the `ffmpeg` program into `folder` (made once per folder).
    static func original(_ source: HostileCase.Source, in folder: URL) throws -> Data {
        switch source {
        case .ts: return try Data(contentsOf: Repository.sampleMedia("sample.ts"))
        case .mp4: return try Data(contentsOf: Repository.sampleMedia("sample.mp4"))
        case .flv:
            let flv = folder.appendingPathComponent("sample.flv")
            if !FileManager.default.fileExists(atPath: flv.path) {
                guard let ffmpeg = ExternalProgram.which("ffmpeg") else { throw ProbeError.notInstalled("ffmpeg") }
                let arguments = [
                    "-v", "error", "-nostdin", "-y", "-i", Repository.sampleMedia("sample.mp4").path, "-c", "copy", "-f", "flv",
                    flv.path,
                ]
                let output = try ExternalProgram.run(ffmpeg, arguments)
                guard output.status == 0 else {
                    throw ProbeError.failed(command: "ffmpeg \(arguments.joined(separator: " "))", status: output.status, stderr: output.stderrText)
                }
            }
            return try Data(contentsOf: flv)
        }
    }

    /// Writes the mutated input of `hostile` into `folder`.
    static func make(_ hostile: HostileCase, in folder: URL) throws -> URL {
        let bytes = mutate([UInt8](try original(hostile.source, in: folder)), hostile)
        let target = folder.appendingPathComponent(hostile.fileName)
        try Data(bytes).write(to: target)
        return target
    }

    /// The mutated bytes.
    static func mutate(_ bytes: [UInt8], _ hostile: HostileCase) -> [UInt8] {
        var random = SplitMix64(seed: hostile.seed ^ 0x486F_7374_696C_6521)
        switch hostile.mutation {
        case .bitFlips: return flipBits(bytes, &random)
        case .truncation: return Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        default: break
        }
        switch hostile.source {
        case .ts: return MPEGTSMutation.apply(hostile.mutation, to: bytes, &random)
        case .flv: return FLVMutation.apply(hostile.mutation, to: bytes, &random)
        case .mp4: return MP4Mutation.apply(hostile.mutation, to: bytes, &random)
        }
    }

    static func flipBits(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...64, using: &random) {
            bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
        }
        return bytes
    }

    /// A damaged timestamp: a random value, a jump ahead or back, a step back or a repeat of
    /// `previous`, within `bits` bits.
    static func corruptTimestamp(_ value: UInt64, previous: UInt64, bits: Int, _ random: inout SplitMix64) -> UInt64 {
        let mask: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return UInt64.random(in: 0...mask, using: &random)
        case 1: return (value &+ UInt64.random(in: 1...(mask >> 2), using: &random)) & mask
        case 2: return (value &- UInt64.random(in: 1...(mask >> 2), using: &random)) & mask
        case 3: return (value &- UInt64.random(in: 1...(mask >> 12), using: &random)) & mask
        default: return previous & mask
        }
    }
}

/// Mutations of MPEG-TS at the packet level.
enum MPEGTSMutation {
    static let packetSize = 188

    static func apply(_ mutation: HostileCase.Mutation, to bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var packets = stride(from: 0, to: bytes.count - packetSize + 1, by: packetSize).map {
            Array(bytes[$0..<$0 + packetSize])
        }
        guard !packets.isEmpty else { return bytes }
        switch mutation {
        case .duplicatedPackets:
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let index = Int.random(in: 0..<packets.count, using: &random)
                packets.insert(packets[index], at: index + 1)
            }
        case .droppedPackets:
            if Bool.random(using: &random) {
                for _ in 0..<Int.random(in: 1...40, using: &random) where packets.count > 1 {
                    packets.remove(at: Int.random(in: 0..<packets.count, using: &random))
                }
            } else {
                let start = Int.random(in: 0..<packets.count, using: &random)
                packets.removeSubrange(start..<min(packets.count, start + Int.random(in: 1...400, using: &random)))
            }
        case .pidCorruption:
            let pids = Set(packets.map(pid)).sorted()
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                let index = Int.random(in: 0..<packets.count, using: &random)
                let target: UInt16
                switch Int.random(in: 0..<3, using: &random) {
                case 0: target = UInt16.random(in: 0...0x1FFF, using: &random)
                case 1: target = pids.randomElement(using: &random) ?? 0
                default: target = [0, 0x1000, 0x11].randomElement(using: &random)!
                }
                packets[index][1] = (packets[index][1] & 0xE0) | UInt8(target >> 8)
                packets[index][2] = UInt8(target & 0xFF)
            }
        case .timestampCorruption:
            let starts = packets.indices.filter { pesHeaderOffset(packets[$0]) != nil }
            var previous: UInt64 = 0
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                guard let index = starts.randomElement(using: &random), let header = pesHeaderOffset(packets[index]) else { break }
                let flags = packets[index][header + 7] >> 6
                for (present, field) in [(flags & 0b10 != 0, header + 9), (flags == 0b11, header + 14)]
                where present && field + 5 <= packetSize {
                    let value = readTimestamp(packets[index], at: field)
                    writeTimestamp(
                        HostileMedia.corruptTimestamp(value, previous: previous, bits: 33, &random), into: &packets[index], at: field)
                    previous = value
                }
            }
        case .bitFlips, .truncation:
            break
        }
        return packets.flatMap { $0 }
    }

    static func pid(_ packet: [UInt8]) -> UInt16 { UInt16(packet[1] & 0x1F) << 8 | UInt16(packet[2]) }

    /// The offset of the PES header in a packet that starts one (payload unit start, `00 00 01`).
    static func pesHeaderOffset(_ packet: [UInt8]) -> Int? {
        guard packet[0] == 0x47, packet[1] & 0x40 != 0 else { return nil }
        let adaptation = (packet[3] >> 4) & 0b11
        guard adaptation & 0b01 != 0 else { return nil }
        let start = adaptation == 0b11 ? 5 + Int(packet[4]) : 4
        guard start + 14 <= packetSize, packet[start] == 0, packet[start + 1] == 0, packet[start + 2] == 1,
            packet[start + 3] >= 0xC0
        else { return nil }
        return start
    }

    /// A 33-bit PES timestamp in its 5-byte form.
    static func readTimestamp(_ packet: [UInt8], at offset: Int) -> UInt64 {
        let b = packet[offset..<offset + 5].map(UInt64.init)
        return (b[0] >> 1 & 0x07) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1
    }

    static func writeTimestamp(_ value: UInt64, into packet: inout [UInt8], at offset: Int) {
        let prefix = packet[offset] & 0xF0
        packet[offset] = prefix | UInt8((value >> 29) & 0x0E) | 1
        packet[offset + 1] = UInt8((value >> 22) & 0xFF)
        packet[offset + 2] = UInt8((value >> 14) & 0xFE) | 1
        packet[offset + 3] = UInt8((value >> 7) & 0xFF)
        packet[offset + 4] = UInt8((value << 1) & 0xFE) | 1
    }
}

/// Mutations of FLV at the tag level: a 9-byte header and a 4-byte size, then tags of an
/// 11-byte header (type, 24-bit size, 24-bit timestamp and its 8-bit extension, stream id), the
/// data and the 4-byte size of the tag.
enum FLVMutation {
    static func apply(_ mutation: HostileCase.Mutation, to bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        guard bytes.count > 13 else { return bytes }
        let head = Array(bytes[0..<13])
        var tags: [[UInt8]] = []
        var offset = 13
        while offset + 11 <= bytes.count {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = min(bytes.count, offset + 11 + size + 4)
            tags.append(Array(bytes[offset..<end]))
            offset = end
        }
        guard tags.count > 2 else { return bytes }
        // The first tags are metadata and the codec configurations: leave them to keep the damage in the media.
        let media = 3..<tags.count
        switch mutation {
        case .duplicatedPackets:
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                let index = Int.random(in: media, using: &random)
                tags.insert(tags[index], at: index + 1)
            }
        case .droppedPackets:
            for _ in 0..<Int.random(in: 1...20, using: &random) where tags.count > 4 {
                tags.remove(at: Int.random(in: 3..<tags.count, using: &random))
            }
        case .pidCorruption:
            for _ in 0..<Int.random(in: 1...10, using: &random) {
                let index = Int.random(in: 0..<tags.count, using: &random)
                tags[index][0] = [8, 9, 18, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
            }
        case .timestampCorruption:
            var previous: UInt64 = 0
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                let index = Int.random(in: media, using: &random)
                let tag = tags[index]
                let value = UInt64(tag[7]) << 24 | UInt64(tag[4]) << 16 | UInt64(tag[5]) << 8 | UInt64(tag[6])
                let damaged = HostileMedia.corruptTimestamp(value, previous: previous, bits: 32, &random)
                tags[index][4] = UInt8(damaged >> 16 & 0xFF)
                tags[index][5] = UInt8(damaged >> 8 & 0xFF)
                tags[index][6] = UInt8(damaged & 0xFF)
                tags[index][7] = UInt8(damaged >> 24 & 0xFF)
                previous = value
            }
        case .bitFlips, .truncation:
            break
        }
        return head + tags.flatMap { $0 }
    }
}

/// Mutations of MP4's sample tables, found by walking `moov/trak/mdia/minf/stbl`.
enum MP4Mutation {
    static func apply(_ mutation: HostileCase.Mutation, to bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        let tracks = boxes("trak", in: boxes("moov", in: 0..<bytes.count, of: bytes).first ?? 0..<0, of: bytes)
        let tables = tracks.flatMap { path(["mdia", "minf", "stbl"], in: $0, of: bytes) }
        func table(_ type: String) -> [Range<Int>] { tables.flatMap { boxes(type, in: $0, of: bytes) } }
        /// Rewrites random 32-bit entries of full boxes of `type` whose entries start after
        /// `header` bytes (version/flags, count, …) and are `stride` bytes apart.
        func rewrite(_ type: String, header: Int, stride: Int, field: Int, count: Int, _ value: (UInt32, UInt32) -> UInt32) {
            for box in table(type) {
                let entries = (box.count - header) / stride
                guard entries > 1 else { continue }
                for _ in 0..<count {
                    let entry = Int.random(in: 1..<entries, using: &random)
                    let at = box.lowerBound + header + entry * stride + field
                    write(value(read(bytes, at), read(bytes, at - stride)), into: &bytes, at: at)
                }
            }
        }
        switch mutation {
        case .duplicatedPackets:
            // stco: version/flags, count, then 32-bit chunk offsets; an offset repeated reads a chunk twice.
            rewrite("stco", header: 8, stride: 4, field: 0, count: Int.random(in: 1...10, using: &random)) { _, previous in previous }
        case .droppedPackets:
            // stsz: version/flags, a common size, count, then 32-bit sizes.
            rewrite("stsz", header: 12, stride: 4, field: 0, count: Int.random(in: 1...20, using: &random)) { _, _ in 0 }
        case .pidCorruption:
            for track in tracks {
                // tkhd track_ID (version 0: after version/flags, creation and modification times).
                if let tkhd = boxes("tkhd", in: track, of: bytes).first, Bool.random(using: &random) {
                    write(UInt32.random(in: 0...3, using: &random), into: &bytes, at: tkhd.lowerBound + 12)
                }
                // hdlr handler_type, and the codec of the first sample description.
                if let hdlr = path(["mdia", "hdlr"], in: track, of: bytes).first, Bool.random(using: &random) {
                    write(Bool.random(using: &random) ? 0x736F_756E : 0x7669_6465, into: &bytes, at: hdlr.lowerBound + 8)
                }
            }
            for stsd in table("stsd") where Bool.random(using: &random) {
                write(UInt32.random(in: 0...UInt32.max, using: &random), into: &bytes, at: stsd.lowerBound + 12)
            }
        case .timestampCorruption:
            // stts: (count, delta) pairs; ctts: (count, offset) pairs.
            var previous: UInt64 = 0
            rewrite("stts", header: 8, stride: 8, field: 4, count: Int.random(in: 1...6, using: &random)) { value, _ in
                defer { previous = UInt64(value) }
                return UInt32(truncatingIfNeeded: HostileMedia.corruptTimestamp(UInt64(value), previous: previous, bits: 32, &random))
            }
            rewrite("ctts", header: 8, stride: 8, field: 4, count: Int.random(in: 1...6, using: &random)) { value, _ in
                UInt32(truncatingIfNeeded: HostileMedia.corruptTimestamp(UInt64(value), previous: 0, bits: 32, &random))
            }
        case .bitFlips, .truncation:
            break
        }
        return bytes
    }

    /// The contents (after the 8-byte header) of the boxes of `type` directly inside `range`.
    static func boxes(_ type: String, in range: Range<Int>, of bytes: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var offset = range.lowerBound
        let name = Array(type.utf8)
        while offset + 8 <= range.upperBound {
            let size = Int(read(bytes, offset))
            guard size >= 8, offset + size <= range.upperBound else { break }
            if Array(bytes[offset + 4..<offset + 8]) == name { found.append(offset + 8..<offset + size) }
            offset += size
        }
        return found
    }

    static func path(_ types: [String], in range: Range<Int>, of bytes: [UInt8]) -> [Range<Int>] {
        guard let first = types.first else { return [range] }
        return boxes(first, in: range, of: bytes).flatMap { path(Array(types.dropFirst()), in: $0, of: bytes) }
    }

    static func read(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    static func write(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(value >> 24)
        bytes[offset + 1] = UInt8(value >> 16 & 0xFF)
        bytes[offset + 2] = UInt8(value >> 8 & 0xFF)
        bytes[offset + 3] = UInt8(value & 0xFF)
    }
}
