extension ID3Tag {
    /// Parses a tag this type wrote (and reasonable v2.4 tags with TXXX/PRIV; other frames skipped); nil if malformed.
    ///
    /// `bytes` must be exactly one tag: the 10-byte header, the number of bytes its size gives
    /// and, when the header says so, the 10-byte footer. Besides what `encoded()` writes, this
    /// reads what other ID3v2.4 writers (mutagen, FFmpeg, encoders' timed-metadata inserters)
    /// produce:
    /// - frames other than TXXX and PRIV, which are skipped;
    /// - zero padding after the frames, an extended header (skipped) and a footer;
    /// - unsynchronisation (`FF 00` → `FF`), per frame or for the whole tag, a grouping byte and
    ///   a data length indicator on TXXX and PRIV frames;
    /// - TXXX text in any of the four ID3 encodings (ISO-8859-1, UTF-16 with BOM, UTF-16BE,
    ///   UTF-8), with or without a terminator after the value. A value holding several
    ///   NUL-separated strings is kept whole, NULs included.
    ///
    /// It returns nil for anything else: another major version (ID3v2.3 sizes are not syncsafe),
    /// unknown header flags, sizes that overrun the bytes, bytes left over, a frame ID outside
    /// `A–Z 0–9`, non-zero bytes in the padding, invalid text, a TXXX or PRIV frame that is
    /// compressed, encrypted or has unknown format flags.
    public init?(parsing bytes: [UInt8]) {
        guard let frames = ID3TagParser.frames(in: bytes) else { return nil }
        self.init(frames: frames)
    }
}

/// The reading half of `ID3Tag`, following ID3v2.4 structure §3–4 and frames §4.2.6 and §4.27.
private enum ID3TagParser {
    // Header flags (structure §3.1).
    static let headerUnsynchronisation: UInt8 = 0x80
    static let headerExtendedHeader: UInt8 = 0x40
    static let headerExperimental: UInt8 = 0x20
    static let headerFooter: UInt8 = 0x10

    // Frame format flags, the second flag byte (structure §4.1.2).
    static let frameGrouping: UInt8 = 0x40
    static let frameCompression: UInt8 = 0x08
    static let frameEncryption: UInt8 = 0x04
    static let frameUnsynchronisation: UInt8 = 0x02
    static let frameDataLengthIndicator: UInt8 = 0x01

    static func frames(in bytes: [UInt8]) -> [ID3Tag.Frame]? {
        let headerSize = ID3Tag.headerSize
        guard bytes.count >= headerSize, bytes[0..<4] == ID3Tag.headerStart[0..<4], bytes[4] != 0xFF else {
            return nil
        }
        let flags = bytes[5]
        let knownFlags = headerUnsynchronisation | headerExtendedHeader | headerExperimental | headerFooter
        guard flags & ~knownFlags == 0, let size = Syncsafe.value(bytes[6..<10]) else { return nil }
        let hasFooter = flags & headerFooter != 0
        let end = headerSize + size
        guard bytes.count == end + (hasFooter ? headerSize : 0) else { return nil }
        if hasFooter {
            // The footer repeats the header with "3DI" in place of "ID3" (structure §3.4).
            guard bytes[end..<(end + 3)] == [0x33, 0x44, 0x49], bytes[(end + 3)...] == bytes[3..<10] else {
                return nil
            }
        }

        var offset = headerSize
        if flags & headerExtendedHeader != 0 {
            // Its syncsafe size counts itself; it holds at least size, flag-byte count and flags.
            guard end - offset >= 6, let extendedSize = Syncsafe.value(bytes[offset..<(offset + 4)]),
                extendedSize >= 6, extendedSize <= end - offset
            else { return nil }
            offset += extendedSize
        }

        let unsynchroniseAll = flags & headerUnsynchronisation != 0
        var frames: [ID3Tag.Frame] = []
        while offset < end {
            if bytes[offset] == 0 {
                // Padding: zeros to the end, and not allowed together with a footer.
                guard !hasFooter, bytes[offset..<end].allSatisfy({ $0 == 0 }) else { return nil }
                break
            }
            guard end - offset >= ID3Tag.frameHeaderSize else { return nil }
            let id = bytes[offset..<(offset + 4)]
            guard id.allSatisfy(isFrameIDCharacter),
                let frameSize = Syncsafe.value(bytes[(offset + 4)..<(offset + 8)]),
                frameSize <= end - offset - ID3Tag.frameHeaderSize
            else { return nil }
            let format = bytes[offset + 9]
            let bodyStart = offset + ID3Tag.frameHeaderSize
            let body = bytes[bodyStart..<(bodyStart + frameSize)]
            offset = bodyStart + frameSize

            let frameID = String(decoding: id, as: UTF8.self)
            guard frameID == "TXXX" || frameID == "PRIV" else { continue }
            guard let content = content(of: body, format: format, unsynchroniseAll: unsynchroniseAll),
                let frame = frameID == "TXXX" ? userText(content) : privateData(content)
            else { return nil }
            frames.append(frame)
        }
        return frames
    }

    private static func isFrameIDCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The frame's content once the extra header bytes its format flags announce are skipped and
    /// unsynchronisation is undone; nil when it is compressed, encrypted or has unknown flags.
    private static func content(of body: ArraySlice<UInt8>, format: UInt8, unsynchroniseAll: Bool) -> [UInt8]? {
        let known =
            frameGrouping | frameCompression | frameEncryption | frameUnsynchronisation | frameDataLengthIndicator
        guard format & ~known == 0, format & (frameCompression | frameEncryption) == 0 else { return nil }
        var reader = BigEndianReader(body)
        // The extra bytes come in the order of the flags: group identifier, then data length.
        if format & frameGrouping != 0 {
            guard reader.readUInt8() != nil else { return nil }
        }
        if format & frameDataLengthIndicator != 0 {
            guard let length = reader.readBytes(4), Syncsafe.value(length) != nil else { return nil }
        }
        let content = reader.readRest()
        if unsynchroniseAll || format & frameUnsynchronisation != 0 {
            return removingUnsynchronisation(content)
        }
        return Array(content)
    }

    /// Undoes unsynchronisation (structure §6.1): every `00` that follows an `FF` was inserted.
    private static func removingUnsynchronisation(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == 0xFF, byte == 0 {
                previous = 0
                continue
            }
            result.append(byte)
            previous = byte
        }
        return result
    }

    /// TXXX (frames §4.2.6): encoding byte, description, terminator, value.
    private static func userText(_ content: [UInt8]) -> ID3Tag.Frame? {
        guard let encoding = content.first, let text = TextEncoding(rawValue: encoding) else { return nil }
        let strings = content.dropFirst()
        guard let terminator = text.firstTerminator(in: strings) else { return nil }
        var valueBytes = strings[(terminator + text.terminatorLength)...]
        if valueBytes.count >= text.terminatorLength, valueBytes.suffix(text.terminatorLength).allSatisfy({ $0 == 0 }) {
            // Some writers (mutagen among them) end the value with a terminator too.
            valueBytes = valueBytes.dropLast(text.terminatorLength)
        }
        guard let description = text.decode(strings[..<terminator]), let value = text.decode(valueBytes) else {
            return nil
        }
        return .userText(description: description, value: value)
    }

    /// PRIV (frames §4.27): owner identifier in ISO-8859-1, terminator, binary data.
    private static func privateData(_ content: [UInt8]) -> ID3Tag.Frame? {
        var reader = BigEndianReader(content[...])
        guard let owner = reader.readNullTerminated() else { return nil }
        return .privateData(owner: TextEncoding.latin1Text(owner), data: Array(reader.readRest()))
    }
}

/// The text encodings of ID3v2.4 (structure §4): the byte before a frame's strings.
private enum TextEncoding: UInt8 {
    case latin1 = 0
    /// UTF-16 starting with a byte-order mark; big-endian when the mark is missing.
    case utf16 = 1
    case utf16BigEndian = 2
    case utf8 = 3

    /// Strings end with one `00`, or with `00 00` on a 2-byte boundary in the UTF-16 encodings.
    var terminatorLength: Int {
        switch self {
        case .latin1, .utf8: 1
        case .utf16, .utf16BigEndian: 2
        }
    }

    /// The index of the first terminator in `bytes`.
    func firstTerminator(in bytes: ArraySlice<UInt8>) -> Int? {
        guard terminatorLength == 2 else { return bytes.firstIndex(of: 0) }
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == 0, bytes[index + 1] == 0 { return index }
            index += 2
        }
        return nil
    }

    /// The text of `bytes`; nil when they are not valid in this encoding.
    func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        switch self {
        case .latin1:
            return Self.latin1Text(bytes)
        case .utf8:
            return StrictText.utf8(bytes)
        case .utf16, .utf16BigEndian:
            guard bytes.count % 2 == 0 else { return nil }
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = bytes.startIndex
            while index < bytes.endIndex {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            if self == .utf16, let mark = units.first, mark == 0xFEFF || mark == 0xFFFE {
                units.removeFirst()
                if mark == 0xFFFE { units = units.map(\.byteSwapped) }
            }
            return StrictText.utf16(units)
        }
    }

    /// ISO-8859-1 text: each byte is the code point of the same value, so any bytes are valid.
    static func latin1Text(_ bytes: ArraySlice<UInt8>) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return text
    }
}
