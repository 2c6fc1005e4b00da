/// An ID3v2.4 tag as Apple's timed metadata and AOM's "ID3 in CMAF" carry it: the payload of one
/// timed-metadata PES packet in MPEG-TS segments, or the `message_data` of one `emsg` box
/// (`EventMessageBox`) in fMP4 segments. See docs/hls-reference.md §6.
///
/// Only the two frames markers need are modelled. `encoded()` writes them as ID3v2.4
/// (structure §3.1 and §4, frames §4.2.6 and §4.27):
///
///     49 44 33 04 00          "ID3", version 2.4.0
///     00                      header flags: no unsynchronisation, extended header or footer
///     ss ss ss ss             tag size, syncsafe, counting everything after these 10 bytes
///     then for each frame:
///     54 58 58 58 / 50 52 49 56   frame ID "TXXX" / "PRIV"
///     ss ss ss ss             frame size, syncsafe, counting the body only
///     00 00                   frame flags
///     TXXX body: 03 <description UTF-8> 00 <value UTF-8>      (03: the text is UTF-8)
///     PRIV body: <owner ASCII> 00 <data>
///
/// No padding is written: a timed-metadata tag is never edited in place.
///
/// Two tags are equal when their frames are, and Swift compares strings by canonical
/// equivalence: a precomposed "é" equals "e" + U+0301 although they encode to different bytes.
public struct ID3Tag: Hashable, Sendable {
    /// One frame of the tag.
    public enum Frame: Hashable, Sendable {
        /// TXXX: user-defined text, UTF-8 (encoding byte 0x03), description + 0x00 + value.
        ///
        /// Neither string may contain NUL (U+0000): NUL ends the description, and in ID3v2.4 it
        /// separates several values. ID3 allows one TXXX per description in a tag; that is not
        /// checked here.
        case userText(description: String, value: String)
        /// PRIV: owner identifier (ISO-8859-1/ASCII) + 0x00 + binary data.
        ///
        /// The owner must be ASCII without NUL; by convention it is a reverse-DNS name or URL
        /// (`com.apple.streaming.transportStreamTimestamp`).
        case privateData(owner: String, data: [UInt8])

        /// The 4-character frame ID: `TXXX` or `PRIV`.
        var frameID: String {
            switch self {
            case .userText: "TXXX"
            case .privateData: "PRIV"
            }
        }
    }

    /// The frames, in the order they are written.
    public var frames: [Frame]

    public init(frames: [Frame]) {
        self.frames = frames
    }

    /// The tag as ID3v2.4 bytes, laid out as described on the type.
    ///
    /// - Throws: `EncodingError` with code `.invalidText` when a TXXX description or value
    ///   contains NUL or a PRIV owner is not ASCII without NUL; with code `.tooLarge` when a
    ///   frame body, or all frames together, exceed the 2^28 − 1 bytes a syncsafe size can say.
    public func encoded() throws(EncodingError) -> [UInt8] {
        try encoded(sizeLimit: Syncsafe.maximum)
    }

    /// `encoded()` with a smaller size limit, so tests can reach the `.tooLarge` paths without
    /// allocating 256 MiB.
    func encoded(sizeLimit: Int) throws(EncodingError) -> [UInt8] {
        precondition(sizeLimit <= Syncsafe.maximum, "an ID3 size limit above what syncsafe sizes can say")
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(frames.count)
        for (index, frame) in frames.enumerated() {
            let body = try Self.body(of: frame, index: index, sizeLimit: sizeLimit)
            bodies.append(body)
        }
        let tagSize = bodies.reduce(0) { $0 + Self.frameHeaderSize + $1.count }
        guard tagSize <= sizeLimit, let tagSizeBytes = Syncsafe.bytes(tagSize) else {
            throw EncodingError(
                code: .tooLarge, frameIndex: nil,
                message: "the frames take \(tagSize) bytes, above the ID3v2.4 tag limit of \(sizeLimit) bytes;"
                    + " split them across several tags")
        }
        var bytes: [UInt8] = Self.headerStart + [0x00] + tagSizeBytes
        bytes.reserveCapacity(Self.headerSize + tagSize)
        for (frame, body) in zip(frames, bodies) {
            bytes += Array(frame.frameID.utf8)
            bytes += Syncsafe.bytes(body.count)!  // checked in body(of:index:sizeLimit:)
            bytes += [0x00, 0x00]
            bytes += body
        }
        return bytes
    }

    /// `"ID3"`, major version 4, revision 0.
    static let headerStart: [UInt8] = [0x49, 0x44, 0x33, 0x04, 0x00]
    /// The tag header: `headerStart`, a flags byte and the syncsafe size.
    static let headerSize = 10
    /// A frame header: ID, syncsafe size and two flag bytes.
    static let frameHeaderSize = 10
    /// The TXXX text-encoding byte for UTF-8.
    static let utf8Encoding: UInt8 = 0x03

    private static func body(of frame: Frame, index: Int, sizeLimit: Int) throws(EncodingError) -> [UInt8] {
        var body: [UInt8]
        switch frame {
        case .userText(let description, let value):
            if description.utf8.contains(0) {
                throw EncodingError(
                    code: .invalidText, frameIndex: index,
                    message: "TXXX description \(String(reflecting: description)) contains NUL (U+0000),"
                        + " which would end it early; remove the NUL")
            }
            if value.utf8.contains(0) {
                throw EncodingError(
                    code: .invalidText, frameIndex: index,
                    message: "TXXX value \(String(reflecting: value)) contains NUL (U+0000),"
                        + " which ID3v2.4 reads as a separator between values; remove or escape it")
            }
            let size = 1 + description.utf8.count + 1 + value.utf8.count
            try checkFrameSize(size, frame: frame, index: index, sizeLimit: sizeLimit)
            body = [utf8Encoding]
            body.reserveCapacity(size)
            body += description.utf8
            body.append(0)
            body += value.utf8
        case .privateData(let owner, let data):
            if !owner.utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }) {
                throw EncodingError(
                    code: .invalidText, frameIndex: index,
                    message: "PRIV owner \(String(reflecting: owner)) must be ASCII without NUL;"
                        + " use a reverse-DNS name such as \"com.example.marker\"")
            }
            let size = owner.utf8.count + 1 + data.count
            try checkFrameSize(size, frame: frame, index: index, sizeLimit: sizeLimit)
            body = Array(owner.utf8)
            body.reserveCapacity(size)
            body.append(0)
            body += data
        }
        return body
    }

    private static func checkFrameSize(
        _ size: Int, frame: Frame, index: Int, sizeLimit: Int
    ) throws(EncodingError) {
        guard size > sizeLimit else { return }
        throw EncodingError(
            code: .tooLarge, frameIndex: index,
            message: "\(frame.frameID) body is \(size) bytes, above the ID3v2.4 frame limit of \(sizeLimit) bytes;"
                + " split the data across several frames or tags")
    }
}

extension ID3Tag {
    /// Why `ID3Tag.encoded()` could not write a tag.
    ///
    /// Its description reads `ID3 frames[1]: PRIV owner "café" must be ASCII without NUL; …`.
    public struct EncodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What kind of problem it is; open, so more codes can be added.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            public var rawValue: String

            public init(rawValue: String) {
                self.rawValue = rawValue
            }

            /// A frame body, or all frames together, exceed 2^28 − 1 bytes, the most a syncsafe
            /// size can say.
            public static let tooLarge = Code(rawValue: "tooLarge")
            /// A TXXX description or value contains NUL, or a PRIV owner is not ASCII without NUL.
            public static let invalidText = Code(rawValue: "invalidText")

            public var description: String { rawValue }
        }

        public var code: Code
        /// The index in `frames` of the offending frame; nil when the problem is the whole tag.
        public var frameIndex: Int?
        /// What is wrong and what to do about it, naming the frame ID.
        public var message: String

        public init(code: Code, frameIndex: Int?, message: String) {
            self.code = code
            self.frameIndex = frameIndex
            self.message = message
        }

        public var description: String {
            if let frameIndex { return "ID3 frames[\(frameIndex)]: \(message)" }
            return "ID3 tag: \(message)"
        }
    }
}
