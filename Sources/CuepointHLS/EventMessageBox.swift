/// An ISO/IEC 23009-1 DASH event message box, version 1, as written into fMP4 fragments (before `moof`).
///
/// For timed metadata in fMP4/CMAF segments, AOM's "ID3 in CMAF" puts one or more of these at the
/// start of a segment, each carrying a complete ID3v2.4 tag (`ID3Tag.encoded()`) as
/// `messageData`, with `schemeIDURI` `EventMessageBox.id3Scheme`; the segment's `ftyp`/`styp`
/// then lists the brand `aid3`. See docs/hls-reference.md §6. FFmpeg's mov muxer writes no `emsg`,
/// so Cuepoint writes the box itself.
///
/// `encoded()` writes (ISO/IEC 23009-1 §5.10.3.3, all integers big-endian):
///
///     ss ss ss ss             box size, counting every byte of the box
///     65 6d 73 67             "emsg"
///     01 00 00 00             version 1, flags 0
///     tt tt tt tt             timescale, ticks per second
///     pp pp pp pp pp pp pp pp presentation_time, in timescale ticks on the track's media timeline
///     dd dd dd dd             event_duration, in timescale ticks; FF FF FF FF when unknown
///     ii ii ii ii             id
///     <scheme_id_uri UTF-8> 00
///     <value UTF-8> 00
///     <message_data>
public struct EventMessageBox: Hashable, Sendable {
    /// The scheme of AOM's "ID3 in CMAF": `messageData` is a complete ID3v2.4 tag.
    public static let id3Scheme = "https://aomedia.org/emsg/ID3"
    /// The `eventDuration` that says the duration is unknown.
    public static let unknownDuration: UInt32 = 0xFFFF_FFFF

    /// scheme_id_uri: what kind of event this is and how `messageData` is laid out.
    public var schemeIDURI: String
    /// value: a sub-scheme; for the ID3 scheme, a URI saying what `id` means
    /// (e.g. `https://cuepoint.dev/marker`, or `1`).
    public var value: String
    /// timescale: ticks per second for `presentationTime` and `eventDuration`; not zero.
    public var timescale: UInt32
    /// presentation_time: when the event starts, in `timescale` ticks on the track's media timeline
    /// (version 1: absolute, 64-bit). AOM wants it inside the fragment's time range.
    public var presentationTime: UInt64
    /// event_duration: how long the event lasts, in `timescale` ticks; `unknownDuration` when unknown.
    public var eventDuration: UInt32
    /// id: identifies this event among those with the same scheme and value; a player handles
    /// a repeated id only once.
    public var id: UInt32
    /// message_data: the payload; for the ID3 scheme, a complete ID3v2.4 tag.
    public var messageData: [UInt8]

    public init(
        schemeIDURI: String = EventMessageBox.id3Scheme,
        value: String,
        timescale: UInt32,
        presentationTime: UInt64,
        eventDuration: UInt32 = EventMessageBox.unknownDuration,
        id: UInt32,
        messageData: [UInt8]
    ) {
        self.schemeIDURI = schemeIDURI
        self.value = value
        self.timescale = timescale
        self.presentationTime = presentationTime
        self.eventDuration = eventDuration
        self.id = id
        self.messageData = messageData
    }

    /// The box as bytes, laid out as described on the type.
    ///
    /// - Throws: `EncodingError` with code `.invalidText` when `schemeIDURI` is empty or it or
    ///   `value` contains NUL; `.invalidTimescale` when `timescale` is zero; `.tooLarge` when the
    ///   box would exceed 2^32 − 1 bytes (this writer does not use the 64-bit `largesize`, which
    ///   players' emsg readers such as hls.js do not read).
    public func encoded() throws(EncodingError) -> [UInt8] {
        try encoded(sizeLimit: Int(UInt32.max))
    }

    /// `encoded()` with a smaller size limit, so tests can reach `.tooLarge` without 4 GiB.
    func encoded(sizeLimit: Int) throws(EncodingError) -> [UInt8] {
        if schemeIDURI.isEmpty {
            throw EncodingError(code: .invalidText, message: "scheme_id_uri is empty; use EventMessageBox.id3Scheme")
        }
        for (field, text) in [("scheme_id_uri", schemeIDURI), ("value", value)] where text.utf8.contains(0) {
            throw EncodingError(
                code: .invalidText,
                message: "\(field) \(String(reflecting: text)) contains NUL (U+0000), which would end it early;"
                    + " remove the NUL")
        }
        if timescale == 0 {
            throw EncodingError(
                code: .invalidTimescale,
                message: "timescale is 0; use the track's timescale in ticks per second (90000 for video, say)")
        }
        let size = Self.fixedSize + schemeIDURI.utf8.count + 1 + value.utf8.count + 1 + messageData.count
        guard size <= sizeLimit else {
            throw EncodingError(
                code: .tooLarge,
                message: "the box would be \(size) bytes, above the 32-bit box size limit of \(sizeLimit);"
                    + " split the message across several events")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        Self.append(UInt32(size), to: &bytes)
        bytes += Self.boxType
        bytes += [0x01, 0x00, 0x00, 0x00]  // version 1, flags 0
        Self.append(timescale, to: &bytes)
        Self.append(presentationTime, to: &bytes)
        Self.append(eventDuration, to: &bytes)
        Self.append(id, to: &bytes)
        bytes += schemeIDURI.utf8
        bytes.append(0)
        bytes += value.utf8
        bytes.append(0)
        bytes += messageData
        return bytes
    }

    /// Parses one version-1 `emsg` box: `bytes` must be the whole box and nothing more.
    ///
    /// Accepts the 32-bit size, a 64-bit `largesize` (size 1) and size 0 ("to the end"); ignores
    /// the flags, which ISO/IEC 23009-1 sets to 0. Returns nil for anything else: another box type,
    /// version 0 (whose `presentation_time_delta` is relative to the segment, which this value
    /// cannot say), a size that does not match the bytes, a zero timescale, strings without their
    /// terminator or not valid UTF-8.
    public init?(parsing bytes: [UInt8]) {
        var reader = BigEndianReader(bytes[...])
        guard let size32 = reader.readUInt32(), reader.readBytes(4)?.elementsEqual(Self.boxType) == true else {
            return nil
        }
        switch size32 {
        case 0:
            break
        case 1:
            guard let largeSize = reader.readUInt64(), largeSize == UInt64(bytes.count) else { return nil }
        default:
            guard Int(size32) == bytes.count else { return nil }
        }
        guard let version = reader.readUInt8(), version == 1, reader.readBytes(3) != nil,
            let timescale = reader.readUInt32(), timescale != 0,
            let presentationTime = reader.readUInt64(),
            let eventDuration = reader.readUInt32(),
            let id = reader.readUInt32(),
            let schemeIDURI = reader.readNullTerminated().flatMap(StrictText.utf8),
            let value = reader.readNullTerminated().flatMap(StrictText.utf8)
        else { return nil }
        self.init(
            schemeIDURI: schemeIDURI, value: value, timescale: timescale, presentationTime: presentationTime,
            eventDuration: eventDuration, id: id, messageData: Array(reader.readRest()))
    }

    /// `'emsg'`.
    private static let boxType: [UInt8] = Array("emsg".utf8)
    /// Size, type, version and flags, timescale, presentation_time, event_duration and id.
    private static let fixedSize = 4 + 4 + 4 + 4 + 8 + 4 + 4

    private static func append(_ value: some FixedWidthInteger, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }
}

extension EventMessageBox {
    /// Why `EventMessageBox.encoded()` could not write a box.
    ///
    /// Its description reads `emsg: timescale is 0; use the track's timescale …`.
    public struct EncodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What kind of problem it is; open, so more codes can be added.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            public var rawValue: String

            public init(rawValue: String) {
                self.rawValue = rawValue
            }

            /// `schemeIDURI` is empty, or it or `value` contains NUL.
            public static let invalidText = Code(rawValue: "invalidText")
            /// `timescale` is zero.
            public static let invalidTimescale = Code(rawValue: "invalidTimescale")
            /// The box would exceed 2^32 − 1 bytes.
            public static let tooLarge = Code(rawValue: "tooLarge")

            public var description: String { rawValue }
        }

        public var code: Code
        /// What is wrong and what to do about it, naming the box field.
        public var message: String

        public init(code: Code, message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { "emsg: \(message)" }
    }
}
