import CuepointTime

/// Bytes from hex text with optional spaces: `"01 64 00 1f"`.
func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits in test vector")
    var result: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        result.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return result
}

/// A wall-clock time from ISO 8601 text; traps on a typo in a test.
func date(_ text: String) -> WallClockTime {
    guard let time = WallClockTime(iso8601: text) else { fatalError("bad test date \(text)") }
    return time
}

/// Lines joined with `\n`, plus the final `\n`: golden playlists read one tag per line.
func lines(_ lines: String...) -> String {
    lines.joined(separator: "\n") + "\n"
}

/// SplitMix64: a small deterministic generator so generated test playlists are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
