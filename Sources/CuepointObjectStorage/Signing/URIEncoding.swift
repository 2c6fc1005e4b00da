/// Percent-encoding as Signature Version 4 defines it (RFC 3986 unreserved characters kept,
/// every other UTF-8 byte written `%XX` in upper-case hex).
///
/// S3 signs the path as it is sent, so the client encodes each key segment exactly once and
/// the signer uses that text unchanged: encoding twice (`%2520`) or not at all (a space, a
/// `+`) is the classic cause of `SignatureDoesNotMatch`.
public enum URIEncoding {
    /// Encodes one path segment or one query name or value: `/` is encoded too.
    public static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0F)]
            }
        }
        return result
    }

    /// Encodes an object key as a URL path: each `/`-separated segment once, the slashes kept.
    /// `"show/seg 1+.ts"` becomes `"show/seg%201%2B.ts"`.
    public static func encodePath(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
