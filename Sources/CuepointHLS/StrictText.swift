/// Text decoding that rejects invalid input instead of repairing it, for the binary parsers
/// (`ID3Tag(parsing:)`, `EventMessageBox(parsing:)`). `String(decoding:as:)` alone would turn bad
/// bytes into U+FFFD; `String(validating:as:)` needs macOS 15.
enum StrictText {
    /// The UTF-8 text of `bytes`; nil for overlong forms, surrogates, truncated sequences and the like.
    static func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
        guard isValid(bytes.makeIterator(), as: UTF8.self) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTF-16 text of `units`; nil for unpaired surrogates.
    static func utf16(_ units: [UInt16]) -> String? {
        guard isValid(units.makeIterator(), as: UTF16.self) else { return nil }
        return String(decoding: units, as: UTF16.self)
    }

    private static func isValid<Units: IteratorProtocol, Codec: UnicodeCodec>(
        _ units: Units, as codec: Codec.Type
    ) -> Bool where Units.Element == Codec.CodeUnit {
        let failed = transcode(units, from: codec, to: UTF32.self, stoppingOnError: true) { _ in }
        return !failed
    }
}
