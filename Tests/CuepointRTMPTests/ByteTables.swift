import Foundation
import NIOCore

/// Byte tables written as hex text (spaces ignored), the way the specifications print them.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        precondition(digits.count % 2 == 0, "an odd number of hex digits")
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func buffer(_ text: String) -> ByteBuffer { ByteBuffer(bytes: bytes(text)) }

    /// The bytes of `string` as hex (for building tables from text).
    static func of(_ string: String) -> String {
        string.utf8.map { String(format: "%02X", $0) }.joined()
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
