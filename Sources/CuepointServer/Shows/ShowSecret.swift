/// The random secrets of a show: its stream key and its marker token.
///
/// Each is 160 bits from the system's cryptographic generator (`SystemRandomNumberGenerator`
/// reads `getrandom(2)` on Linux), written as 40 lowercase hex digits: longer than the 128 bits
/// a guess would have to match, and safe in a URL path and an HTTP header as it is.
enum ShowSecret {
    /// A new secret: 40 hex digits.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<5).map { _ in UInt32.random(in: .min ... .max, using: &generator) }
        return words.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}
