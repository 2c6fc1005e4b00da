import Foundation

/// Cheap structural checks that tell a whole segment from one cut off by a crash or a full
/// disk, without demuxing it: sizes and framing only.
enum SegmentCheck {
    /// Why the segment at `path` is not whole, or nil when it is.
    ///
    /// MPEG-TS: the size is a positive multiple of 188 and the first and last packets start with
    /// the sync byte 0x47. Fragmented MP4: the top-level boxes tile the file exactly and include
    /// `moof` and `mdat`.
    static func problem(path: String, container: Container) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "is missing" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int64.init) ?? 0
        if size == 0 { return "is empty" }
        switch container {
        case .ts:
            if size % 188 != 0 { return "is cut off (\(size) bytes, not a whole number of 188-byte TS packets)" }
            let first = read(handle, at: 0, count: 1)
            let last = read(handle, at: UInt64(size - 188), count: 1)
            if first != [0x47] || last != [0x47] { return "is damaged (no TS sync byte)" }
            return nil
        case .fmp4:
            let boxes = topLevelBoxes(handle, size: size)
            guard let types = boxes.types else { return "is cut off (\(boxes.problem ?? "box sizes do not add up"))" }
            if !types.contains("moof") || !types.contains("mdat") { return "is damaged (no moof/mdat)" }
            return nil
        }
    }

    /// Why the initialization section at `path` is not whole, or nil.
    static func initProblem(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "has no init section (\(path) is missing)" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int64.init) ?? 0
        let boxes = topLevelBoxes(handle, size: size)
        guard let types = boxes.types, types.contains("moov") else {
            return "has a damaged init section (\(path): \(boxes.problem ?? "no moov box"))"
        }
        return nil
    }

    /// The top-level box types, or the first inconsistency.
    static func topLevelBoxes(_ handle: FileHandle, size: Int64) -> (types: [String]?, problem: String?) {
        var offset: Int64 = 0
        var types: [String] = []
        while offset < size {
            guard size - offset >= 8 else { return (nil, "\(size - offset) stray bytes at the end") }
            let header = read(handle, at: UInt64(offset), count: 16)
            guard header.count >= 8 else { return (nil, "unreadable box header at \(offset)") }
            var boxSize = Int64(header[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            let type = String(decoding: header[4..<8], as: UTF8.self)
            if boxSize == 1 {
                guard header.count == 16 else { return (nil, "unreadable box header at \(offset)") }
                boxSize = Int64(bitPattern: header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            } else if boxSize == 0 {
                boxSize = size - offset
            }
            guard boxSize >= 8 else { return (nil, "box '\(type)' at \(offset) has size \(boxSize)") }
            guard offset + boxSize <= size else {
                return (nil, "box '\(type)' at \(offset) needs \(boxSize) bytes, \(size - offset) remain")
            }
            types.append(type)
            offset += boxSize
        }
        return (types, nil)
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) -> [UInt8] {
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count) else { return [] }
        return Array(data)
    }
}
