/// A sub-range of a resource, as EXT-X-BYTERANGE and the BYTERANGE attribute of EXT-X-MAP write it:
/// `<length>[@<offset>]`.
public struct ByteRange: Hashable, Sendable {
    /// The number of bytes in the range.
    public var length: Int64
    /// The first byte of the range, counted from 0; nil means "the byte after the previous
    /// segment's range in the same resource" (only valid for segments, see RFC 8216 §4.3.2.2).
    public var offset: Int64?

    public init(length: Int64, offset: Int64? = nil) {
        self.length = length
        self.offset = offset
    }

    /// The attribute text: `1000@2000`, or `1000` without an offset.
    var text: String {
        if let offset { return "\(length)@\(offset)" }
        return "\(length)"
    }

    /// Parses `<n>[@<o>]`, both decimal integers; nil when the text is anything else.
    init?(text: Substring) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let length = DecimalText.integer(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let offset = DecimalText.integer(parts[1]) else { return nil }
            self.init(length: length, offset: offset)
        } else {
            self.init(length: length)
        }
    }
}
