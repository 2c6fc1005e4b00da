/// Bytes as hexadecimal digits, for codec strings and hexadecimal-sequence attribute values.
enum HexText {
    /// Two lowercase digits per byte: `[0x64, 0x00, 0x1F]` → `64001f` (RFC 6381 `avc1` style).
    static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes, digits: lowercaseDigits)
    }

    /// Two uppercase digits per byte: `[0x0A, 0x1B]` → `0A1B` (hexadecimal-sequence style).
    static func uppercase(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes, digits: uppercaseDigits)
    }

    /// An unsigned value in uppercase hex without leading zeros (`0` for zero), as HEVC codec
    /// strings write compatibility flags and constraint bytes.
    static func uppercaseTrimmed(_ value: UInt32) -> String {
        String(value, radix: 16, uppercase: true)
    }

    /// Decodes an even number of uppercase digits (`[0-9A-F]`); nil for anything else.
    static func bytes(fromUppercase text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(of: digits[index]), let low = value(of: digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static let lowercaseDigits = Array("0123456789abcdef".utf8)
    private static let uppercaseDigits = Array("0123456789ABCDEF".utf8)

    private static func encode(_ bytes: some Sequence<UInt8>, digits: [UInt8]) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
