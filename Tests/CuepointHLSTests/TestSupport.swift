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

