/// Reads big-endian integers, byte runs and NUL-terminated strings off the front of a byte slice,
/// as the binary parsers (`ID3Tag(parsing:)`, `EventMessageBox(parsing:)`) need. Every read
/// returns nil instead of trapping when too few bytes are left, and then consumes nothing.
struct BigEndianReader {
    /// The bytes not read yet.
    private(set) var remaining: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        remaining = bytes
    }

    var isAtEnd: Bool { remaining.isEmpty }

    mutating func readUInt8() -> UInt8? {
        readInteger(UInt8.self)
    }

    mutating func readUInt32() -> UInt32? {
        readInteger(UInt32.self)
    }

    mutating func readUInt64() -> UInt64? {
        readInteger(UInt64.self)
    }

    /// The next `count` bytes.
    mutating func readBytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining.count >= count else { return nil }
        let bytes = remaining.prefix(count)
        remaining = remaining.dropFirst(count)
        return bytes
    }

    /// The bytes before the next `00`, which is consumed too; nil when no `00` is left.
    mutating func readNullTerminated() -> ArraySlice<UInt8>? {
        guard let end = remaining.firstIndex(of: 0) else { return nil }
        let bytes = remaining[..<end]
        remaining = remaining[(end + 1)...]
        return bytes
    }

    /// Everything left.
    mutating func readRest() -> ArraySlice<UInt8> {
        defer { remaining = remaining[remaining.endIndex...] }
        return remaining
    }

    private mutating func readInteger<Integer: FixedWidthInteger & UnsignedInteger>(_: Integer.Type) -> Integer? {
        let width = Integer.bitWidth / 8
        guard let bytes = readBytes(width) else { return nil }
        return bytes.reduce(0) { $0 << 8 | Integer($1) }
    }
}
