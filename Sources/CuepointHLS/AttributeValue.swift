/// The value of a client-defined `X-` attribute of EXT-X-DATERANGE.
public enum AttributeValue: Hashable, Sendable {
    /// A quoted-string: `X-COM-EXAMPLE-SKU="B0ABC12345"`. Must not contain `"`, CR or LF and must
    /// not be empty; there is no escape mechanism, so put payloads in base64url.
    case string(String)
    /// A hexadecimal-sequence: `X-COM-EXAMPLE-ID=0x0A1B` (rendered as `0x` and uppercase digits).
    /// Must not be empty.
    case hexadecimal([UInt8])
    /// A decimal number, kept as its text so it renders exactly as given: `X-COM-EXAMPLE-PRICE=24.99`.
    /// Valid text is `-?[0-9]+(\.[0-9]+)?` (signed-decimal-floating-point); `DateRange.validationProblems()`
    /// reports anything else.
    case number(String)

    /// The text after `=` in the attribute list.
    var attributeText: String {
        switch self {
        case .string(let text): return "\"\(text)\""
        case .hexadecimal(let bytes): return "0x" + HexText.uppercase(bytes)
        case .number(let text): return text
        }
    }

    /// Why this value cannot be written, or nil when it can.
    var problem: String? {
        switch self {
        case .string(let text):
            if text.isEmpty { return "is an empty quoted string" }
            if let problem = QuotedString.problem(text) { return problem }
            return nil
        case .hexadecimal(let bytes):
            return bytes.isEmpty ? "is an empty hexadecimal sequence" : nil
        case .number(let text):
            return DecimalText.isSignedDecimal(text) ? nil : "is not a decimal number: \(text)"
        }
    }
}
