/// ID3v2.4 "syncsafe" integers: 28 bits spread over 4 bytes, 7 bits per byte with the top bit of
/// each byte clear, so that a size can never contain `FF` and be mistaken for an MPEG sync word
/// (ID3v2.4 structure §6.2). `16384` is written `00 01 00 00`.
enum Syncsafe {
    /// The largest value 4 syncsafe bytes hold: 2^28 − 1 = 268 435 455.
    static let maximum = (1 << 28) - 1

    /// The 4 bytes for `value`, most significant first; nil when `value` is negative or above `maximum`.
    static func bytes(_ value: Int) -> [UInt8]? {
        guard value >= 0, value <= maximum else { return nil }
        return [
            UInt8(truncatingIfNeeded: value >> 21) & 0x7F,
            UInt8(truncatingIfNeeded: value >> 14) & 0x7F,
            UInt8(truncatingIfNeeded: value >> 7) & 0x7F,
            UInt8(truncatingIfNeeded: value) & 0x7F,
        ]
    }

    /// The value of 4 syncsafe bytes; nil when there are not exactly 4 or one has its top bit set.
    static func value(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count == 4 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte & 0x80 == 0 else { return nil }
            value = value << 7 | Int(byte)
        }
        return value
    }
}
