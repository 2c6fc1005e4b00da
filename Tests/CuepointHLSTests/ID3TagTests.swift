import CuepointTestSupport
import Foundation
import Testing

@testable import CuepointHLS

/// Vectors are written out by hand from the ID3v2.4 structure and native-frames documents
/// (header §3.1, frame header §4.1, syncsafe integers §6.2, TXXX §4.2.6, PRIV §4.27); each
/// field is commented. The mutagen tests check them against an independent implementation.
@Suite("ID3Tag", .ownThreads)
struct ID3TagTests {
    // MARK: Syncsafe integers

    @Test(
        "syncsafe sizes: 7 bits per byte",
        arguments: [
            (0, "00 00 00 00"),
            (127, "00 00 00 7f"),  // the most one byte holds
            (128, "00 00 01 00"),  // bit 7 moves into the next byte
            (16383, "00 00 7f 7f"),  // 2^14 - 1
            (16384, "00 01 00 00"),  // 2^14
            ((1 << 28) - 1, "7f 7f 7f 7f"),  // 268435455, the maximum
        ])
    func syncsafe(value: Int, encoded: String) {
        #expect(Syncsafe.bytes(value) == bytes(encoded))
        #expect(Syncsafe.value(bytes(encoded)[...]) == value)
    }

    @Test("syncsafe sizes out of range or with a top bit set are refused")
    func syncsafeOutOfRange() {
        #expect(Syncsafe.bytes(1 << 28) == nil)
        #expect(Syncsafe.bytes(-1) == nil)
        #expect(Syncsafe.value(bytes("00 00 00 80")[...]) == nil)
        #expect(Syncsafe.value(bytes("80 00 00 00")[...]) == nil)
        #expect(Syncsafe.value(bytes("00 00 00")[...]) == nil)
    }

    // MARK: Writing and reading back

    /// A product marker as TXXX plus PRIV: 10 + 31 + 33 = 74 bytes.
    static let markerTag = ID3Tag(frames: [
        .userText(description: "cuepoint", value: #"{"id":"p1"}"#),
        .privateData(owner: "com.cuepoint.marker", data: [1, 2, 3]),
    ])
    static let markerBytes = bytes(
        "49 44 33"  // "ID3"
            + "04 00"  // version 2.4.0
            + "00"  // flags
            + "00 00 00 40"  // tag size 64 = 31 + 33 (syncsafe)
            + "54 58 58 58"  // "TXXX"
            + "00 00 00 15"  // frame size 21 = 1 + 8 + 1 + 11
            + "00 00"  // frame flags
            + "03"  // encoding: UTF-8
            + "63 75 65 70 6f 69 6e 74"  // "cuepoint"
            + "00"  // description terminator
            + "7b 22 69 64 22 3a 22 70 31 22 7d"  // {"id":"p1"}
            + "50 52 49 56"  // "PRIV"
            + "00 00 00 17"  // frame size 23 = 19 + 1 + 3
            + "00 00"  // frame flags
            + "63 6f 6d 2e 63 75 65 70 6f 69 6e 74 2e 6d 61 72 6b 65 72"  // "com.cuepoint.marker"
            + "00"  // owner terminator
            + "01 02 03")  // data

    @Test("TXXX and PRIV are written byte for byte and read back")
    func markerVector() throws {
        #expect(try Self.markerTag.encoded() == Self.markerBytes)
        #expect(ID3Tag(parsing: Self.markerBytes) == Self.markerTag)
    }

    @Test("an emoji ZWJ sequence is written as its UTF-8 bytes")
    func emojiVector() throws {
        let tag = ID3Tag(frames: [.userText(description: "chef", value: "👩‍🍳")])
        let expected = bytes(
            "49 44 33 04 00 00"  // "ID3" 2.4.0, no flags
                + "00 00 00 1b"  // tag size 27 = 10 + 17
                + "54 58 58 58 00 00 00 11 00 00"  // "TXXX", size 17 = 1 + 4 + 1 + 11, no flags
                + "03 63 68 65 66 00"  // UTF-8, "chef", terminator
                + "f0 9f 91 a9"  // U+1F469 WOMAN
                + "e2 80 8d"  // U+200D ZERO WIDTH JOINER
                + "f0 9f 8d b3")  // U+1F373 COOKING
        #expect(try tag.encoded() == expected)
        #expect(ID3Tag(parsing: expected) == tag)
    }

    @Test("Hebrew is written as its UTF-8 bytes in logical order")
    func hebrewVector() throws {
        let tag = ID3Tag(frames: [.userText(description: "he", value: "שלום")])
        let expected = bytes(
            "49 44 33 04 00 00"  // "ID3" 2.4.0, no flags
                + "00 00 00 16"  // tag size 22 = 10 + 12
                + "54 58 58 58 00 00 00 0c 00 00"  // "TXXX", size 12 = 1 + 2 + 1 + 8, no flags
                + "03 68 65 00"  // UTF-8, "he", terminator
                + "d7 a9 d7 9c d7 95 d7 9d")  // U+05E9 SHIN, U+05DC LAMED, U+05D5 VAV, U+05DD FINAL MEM
        #expect(try tag.encoded() == expected)
        #expect(ID3Tag(parsing: expected) == tag)
    }

    @Test(
        "Unicode round-trips through TXXX byte for byte",
        arguments: [
            "שָׁלוֹם עוֹלָם",  // Hebrew with points (combining marks)
            "👩‍🍳 👨‍👩‍👧‍👦 🏳️‍🌈",  // ZWJ sequences, a variation selector
            "Mug ספל 24.99 €",  // mixed directions
            "e\u{301}",  // decomposed é: Swift's == would accept the precomposed form, so bytes are compared
            "",
        ])
    func unicodeRoundTrip(text: String) throws {
        let tag = ID3Tag(frames: [.userText(description: text, value: text)])
        let parsed = try #require(ID3Tag(parsing: try tag.encoded()))
        #expect(parsed == tag)
        guard case .userText(let description, let value) = try #require(parsed.frames.first) else {
            Issue.record("expected TXXX, got \(parsed.frames)")
            return
        }
        #expect(Array(description.utf8) == Array(text.utf8))
        #expect(Array(value.utf8) == Array(text.utf8))
    }

    @Test("an empty tag is just the header")
    func emptyTag() throws {
        let expected = bytes("49 44 33 04 00 00 00 00 00 00")  // "ID3" 2.4.0, no flags, size 0
        #expect(try ID3Tag(frames: []).encoded() == expected)
        #expect(ID3Tag(parsing: expected) == ID3Tag(frames: []))
    }

    @Test("frame and tag sizes past 127 and 16383 are syncsafe")
    func largeSizes() throws {
        // PRIV "x" 00 + 126 bytes: a body of 128 bytes.
        let frame128 = ID3Tag(frames: [.privateData(owner: "x", data: Array(repeating: 0xFF, count: 126))])
        let bytes128 = try frame128.encoded()
        #expect(Array(bytes128[6..<10]) == bytes("00 00 01 0a"))  // tag size 138 = 10 + 128
        #expect(Array(bytes128[14..<18]) == bytes("00 00 01 00"))  // frame size 128
        #expect(ID3Tag(parsing: bytes128) == frame128)

        // A body of 16374 bytes makes a tag body of 16384 = 10 + 16374.
        let tag16384 = ID3Tag(frames: [.privateData(owner: "x", data: Array(repeating: 0x80, count: 16372))])
        let bytes16384 = try tag16384.encoded()
        #expect(Array(bytes16384[6..<10]) == bytes("00 01 00 00"))  // tag size 16384
        #expect(Array(bytes16384[14..<18]) == bytes("00 00 7f 76"))  // frame size 16374
        #expect(bytes16384.count == 10 + 16384)
        #expect(ID3Tag(parsing: bytes16384) == tag16384)
    }

    // MARK: Errors

    @Test(
        "invalid text is refused with a message naming the frame and the fix",
        arguments: [
            (
                ID3Tag.Frame.userText(description: "cue\u{0}point", value: "x"),
                #"ID3 frames[1]: TXXX description "cue\0point" contains NUL (U+0000), which would end it early;"#
                    + " remove the NUL"
            ),
            (
                .userText(description: "cuepoint", value: "a\u{0}b"),
                #"ID3 frames[1]: TXXX value "a\0b" contains NUL (U+0000), which ID3v2.4 reads as a separator"#
                    + " between values; remove or escape it"
            ),
            (
                .privateData(owner: "café", data: []),
                #"ID3 frames[1]: PRIV owner "café" must be ASCII without NUL; use a reverse-DNS name such as"#
                    + #" "com.example.marker""#
            ),
            (
                .privateData(owner: "com\u{0}x", data: []),
                #"ID3 frames[1]: PRIV owner "com\0x" must be ASCII without NUL; use a reverse-DNS name such as"#
                    + #" "com.example.marker""#
            ),
        ])
    func invalidText(frame: ID3Tag.Frame, message: String) {
        let tag = ID3Tag(frames: [.privateData(owner: "ok", data: []), frame])
        let error = #expect(throws: ID3Tag.EncodingError.self) { try tag.encoded() }
        #expect(error?.code == .invalidText)
        #expect(error?.frameIndex == 1)
        #expect(error?.description == message)
    }

    @Test("a frame body above the syncsafe limit is refused")
    func frameTooLarge() {
        // The real limit is 2^28 - 1; a limit of 20 exercises the same check without 256 MiB.
        let tag = ID3Tag(frames: [.privateData(owner: "owner", data: Array(repeating: 0, count: 15))])
        #expect(
            throws: ID3Tag.EncodingError(
                code: .tooLarge, frameIndex: 0,
                message: "PRIV body is 21 bytes, above the ID3v2.4 frame limit of 20 bytes;"
                    + " split the data across several frames or tags")
        ) {
            try tag.encoded(sizeLimit: 20)
        }
        #expect(
            ID3Tag.EncodingError(code: .tooLarge, frameIndex: 0, message: "m").description == "ID3 frames[0]: m")
        #expect((try? tag.encoded(sizeLimit: 31)) != nil)  // 10 + 21 fits exactly
    }

    @Test("frames that together exceed the syncsafe limit are refused")
    func tagTooLarge() {
        let tag = ID3Tag(frames: [
            .privateData(owner: "a", data: Array(repeating: 0, count: 8)),  // frame of 10 + 10 bytes
            .privateData(owner: "b", data: Array(repeating: 0, count: 8)),  // frame of 10 + 10 bytes
        ])
        #expect(
            throws: ID3Tag.EncodingError(
                code: .tooLarge, frameIndex: nil,
                message:
                    "the frames take 40 bytes, above the ID3v2.4 tag limit of 39 bytes; split them across several tags")
        ) {
            try tag.encoded(sizeLimit: 39)
        }
        #expect(
            ID3Tag.EncodingError(code: .tooLarge, frameIndex: nil, message: "m").description == "ID3 tag: m")
        #expect((try? tag.encoded(sizeLimit: 40)) != nil)
    }

    // MARK: Reading other writers' tags

    @Test(
        "reads what other ID3v2.4 writers produce",
        arguments: [
            (
                "padding after the frames",
                "49 44 33 04 00 00 00 00 00 16"  // size 22 = 16 + 6 bytes of padding
                    + "54 58 58 58 00 00 00 06 00 00 03 69 64 00 70 31"  // TXXX "id" = "p1"
                    + "00 00 00 00 00 00",
                [ID3Tag.Frame.userText(description: "id", value: "p1")]
            ),
            (
                "a terminated value, as mutagen writes",
                "49 44 33 04 00 00 00 00 00 11"  // size 17
                    + "54 58 58 58 00 00 00 07 00 00 03 69 64 00 70 31 00",  // TXXX "id" = "p1" 00
                [.userText(description: "id", value: "p1")]
            ),
            (
                "several values separated by NUL, kept whole",
                "49 44 33 04 00 00 00 00 00 13"  // size 19
                    + "54 58 58 58 00 00 00 09 00 00 03 69 64 00 70 31 00 70 32",  // "p1" 00 "p2"
                [.userText(description: "id", value: "p1\u{0}p2")]
            ),
            (
                "other frames are skipped",
                "49 44 33 04 00 00 00 00 00 1f"  // size 31 = 15 + 16
                    + "54 49 54 32 00 00 00 05 00 00 03 4c 69 76 65"  // TIT2 "Live"
                    + "54 58 58 58 00 00 00 06 00 00 03 69 64 00 70 31",
                [.userText(description: "id", value: "p1")]
            ),
            (
                "an extended header",
                "49 44 33 04 00 40 00 00 00 16"  // flags: extended header; size 22 = 6 + 16
                    + "00 00 00 06 01 00"  // extended header: size 6, one flag byte, no flags
                    + "54 58 58 58 00 00 00 06 00 00 03 69 64 00 70 31",
                [.userText(description: "id", value: "p1")]
            ),
            (
                "a footer",
                "49 44 33 04 00 10 00 00 00 10"  // flags: footer; size 16
                    + "54 58 58 58 00 00 00 06 00 00 03 69 64 00 70 31"
                    + "33 44 49 04 00 10 00 00 00 10",  // "3DI" and the header's version, flags, size
                [.userText(description: "id", value: "p1")]
            ),
            (
                "a frame with unsynchronisation",
                "49 44 33 04 00 00 00 00 00 11"  // size 17
                    + "50 52 49 56 00 00 00 07 00 02"  // PRIV, size 7, format flag: unsynchronised
                    + "6f 00 ff 00 e0 ff 00",  // "o" 00, then FF 00 E0 FF 00 is FF E0 FF
                [.privateData(owner: "o", data: [0xFF, 0xE0, 0xFF])]
            ),
            (
                "unsynchronisation of the whole tag",
                "49 44 33 04 00 80 00 00 00 11"  // flags: unsynchronisation; size 17
                    + "50 52 49 56 00 00 00 07 00 00"  // PRIV, size 7, no frame flags
                    + "6f 00 ff 00 e0 ff 00",
                [.privateData(owner: "o", data: [0xFF, 0xE0, 0xFF])]
            ),
            (
                "a grouping byte and a data length indicator",
                "49 44 33 04 00 00 00 00 00 14"  // size 20
                    + "50 52 49 56 00 00 00 0a 00 41"  // PRIV, size 10, format flags: grouping, data length
                    + "07 00 00 00 05 6f 00 01 02 03",  // group 7, length 5, "o" 00 01 02 03
                [.privateData(owner: "o", data: [1, 2, 3])]
            ),
            (
                "ISO-8859-1 text",
                "49 44 33 04 00 00 00 00 00 14"  // size 20
                    + "54 58 58 58 00 00 00 0a 00 00 00 6c 61 74 69 6e 00 63 61 e9",  // latin1 "latin" = "caé"
                [.userText(description: "latin", value: "caé")]
            ),
            (
                "UTF-16 with little-endian byte-order marks",
                "49 44 33 04 00 00 00 00 00 17"  // size 23
                    + "54 58 58 58 00 00 00 0d 00 00 01"  // TXXX, size 13, UTF-16
                    + "ff fe 69 00 00 00"  // BOM, "i", terminator 00 00
                    + "ff fe 3d d8 69 dc",  // BOM, U+1F469 as the surrogate pair D83D DC69
                [.userText(description: "i", value: "👩")]
            ),
            (
                "UTF-16 with big-endian byte-order marks",
                "49 44 33 04 00 00 00 00 00 17"
                    + "54 58 58 58 00 00 00 0d 00 00 01"
                    + "fe ff 00 69 00 00"
                    + "fe ff d8 3d dc 69",
                [.userText(description: "i", value: "👩")]
            ),
            (
                "UTF-16BE without byte-order marks",
                "49 44 33 04 00 00 00 00 00 13"  // size 19
                    + "54 58 58 58 00 00 00 09 00 00 02"  // TXXX, size 9, UTF-16BE
                    + "00 69 00 00 05 e9 05 dc",  // "i", terminator, "של"
                [.userText(description: "i", value: "של")]
            ),
        ])
    func readsOtherWriters(name: String, hex: String, frames: [ID3Tag.Frame]) {
        #expect(ID3Tag(parsing: bytes(hex)) == ID3Tag(frames: frames), "\(name)")
    }

    @Test(
        "malformed tags give nil",
        arguments: [
            ("empty", ""),
            ("shorter than a header", "49 44 33 04 00 00 00 00 00"),
            ("not ID3", "49 44 34 04 00 00 00 00 00 00"),
            ("ID3v2.3, whose sizes are not syncsafe", "49 44 33 03 00 00 00 00 00 00"),
            ("revision FF", "49 44 33 04 ff 00 00 00 00 00"),
            ("an unknown header flag", "49 44 33 04 00 01 00 00 00 00"),
            ("a size with a top bit set", "49 44 33 04 00 00 00 00 00 80"),
            ("a size past the end", "49 44 33 04 00 00 00 00 00 01"),
            ("bytes after the tag", "49 44 33 04 00 00 00 00 00 00 00"),
            (
                "a lowercase frame ID",
                "49 44 33 04 00 00 00 00 00 10 54 78 78 78 00 00 00 06 00 00 03 69 64 00 70 31"
            ),
            (
                "a frame size past the tag",
                "49 44 33 04 00 00 00 00 00 10 54 58 58 58 00 00 00 07 00 00 03 69 64 00 70 31"
            ),
            ("a truncated frame header", "49 44 33 04 00 00 00 00 00 04 54 58 58 58"),
            (
                "non-zero bytes in the padding",
                "49 44 33 04 00 00 00 00 00 12 54 58 58 58 00 00 00 06 00 00 03 69 64 00 70 31 00 01"
            ),
            (
                "a compressed TXXX",
                "49 44 33 04 00 00 00 00 00 10 54 58 58 58 00 00 00 06 00 08 03 69 64 00 70 31"
            ),
            (
                "an encrypted PRIV",
                "49 44 33 04 00 00 00 00 00 0d 50 52 49 56 00 00 00 03 00 04 6f 00 01"
            ),
            (
                "an unknown format flag on a TXXX",
                "49 44 33 04 00 00 00 00 00 10 54 58 58 58 00 00 00 06 00 80 03 69 64 00 70 31"
            ),
            ("an empty TXXX", "49 44 33 04 00 00 00 00 00 0a 54 58 58 58 00 00 00 00 00 00"),
            (
                "a TXXX without a description terminator",
                "49 44 33 04 00 00 00 00 00 0d 54 58 58 58 00 00 00 03 00 00 03 69 64"
            ),
            (
                "an unknown text encoding",
                "49 44 33 04 00 00 00 00 00 10 54 58 58 58 00 00 00 06 00 00 04 69 64 00 70 31"
            ),
            (
                "invalid UTF-8 (an overlong slash)",
                "49 44 33 04 00 00 00 00 00 10 54 58 58 58 00 00 00 06 00 00 03 69 64 00 c0 af"
            ),
            (
                "a lone UTF-16 surrogate",
                "49 44 33 04 00 00 00 00 00 11 54 58 58 58 00 00 00 07 00 00 02 00 69 00 00 d8 3d"
            ),
            (
                "a PRIV without an owner terminator",
                "49 44 33 04 00 00 00 00 00 0d 50 52 49 56 00 00 00 03 00 00 6f 01 02"
            ),
            (
                "a footer that does not repeat the header",
                "49 44 33 04 00 10 00 00 00 00 33 44 49 04 00 10 00 00 00 01"
            ),
            (
                "padding before a footer",
                "49 44 33 04 00 10 00 00 00 01 00 33 44 49 04 00 10 00 00 00 01"
            ),
            (
                "an extended header larger than the tag",
                "49 44 33 04 00 40 00 00 00 06 00 00 00 07 01 00"
            ),
        ])
    func malformed(name: String, hex: String) {
        #expect(ID3Tag(parsing: bytes(hex)) == nil, "\(name)")
    }

    // MARK: Cross-check with mutagen

    @Test(
        "mutagen reads the tags written here",
        .enabled(if: Mutagen.isAvailable, "needs python3 with mutagen: python3 -m pip install mutagen"))
    func mutagenReadsOurTags() throws {
        let big = (0..<20_000).map { UInt8(truncatingIfNeeded: $0) }
        let tag = ID3Tag(frames: [
            .userText(description: "cuepoint", value: #"{"id":"p1","sku":"B0ABC12345"}"#),
            .userText(description: "שלום", value: "👩‍🍳 שָׁלוֹם"),
            .privateData(owner: "com.cuepoint.marker", data: [0, 1, 2, 0xFF, 0xFE]),
            // Apple's packed-audio timestamp: a 33-bit MPEG-TS time in 8 bytes, here 900000.
            .privateData(owner: "com.apple.streaming.transportStreamTimestamp", data: bytes("00 00 00 00 00 0d bb a0")),
            .privateData(owner: "big", data: big),  // a size that needs 3 syncsafe bytes
        ])
        let output = try Mutagen.run(Mutagen.describeTag, file: try tag.encoded()).output
        let described = try JSONDecoder().decode(Mutagen.Tag.self, from: Data(output.utf8))
        #expect(described.version == [2, 4, 0])
        #expect(
            described.frames == [
                Mutagen.Frame(
                    id: "TXXX", encoding: 3, description: "cuepoint", text: [#"{"id":"p1","sku":"B0ABC12345"}"#]),
                Mutagen.Frame(id: "TXXX", encoding: 3, description: "שלום", text: ["👩‍🍳 שָׁלוֹם"]),
                Mutagen.Frame(id: "PRIV", owner: "com.cuepoint.marker", data: "000102fffe"),
                Mutagen.Frame(
                    id: "PRIV", owner: "com.apple.streaming.transportStreamTimestamp", data: "00000000000dbba0"),
                Mutagen.Frame(id: "PRIV", owner: "big", data: HexText.lowercase(big)),
            ])
        // Swift compares strings by canonical equivalence; compare the bytes too.
        try #require(described.frames.count == 5)
        #expect(Array(described.frames[1].description?.utf8 ?? "".utf8) == Array("שלום".utf8))
        #expect(Array(described.frames[1].text?.first?.utf8 ?? "".utf8) == Array("👩‍🍳 שָׁלוֹם".utf8))
    }

    @Test(
        "tags written by mutagen are read here",
        .enabled(if: Mutagen.isAvailable, "needs python3 with mutagen: python3 -m pip install mutagen"))
    func weReadMutagenTags() throws {
        // mutagen writes a TIT2 (skipped here), TXXX in UTF-8, UTF-16 with BOM and ISO-8859-1, a
        // PRIV, terminated values and 1 KiB of padding; it sorts frames its own way.
        let script = #"""
            import sys
            from mutagen.id3 import ID3, PRIV, TIT2, TXXX
            tag = ID3()
            tag.add(TIT2(encoding=3, text=["Live"]))
            tag.add(TXXX(encoding=3, desc="cuepoint", text=['{"id":"p1"}']))
            tag.add(TXXX(encoding=1, desc="\u05e9\u05dc\u05d5\u05dd", text=["\U0001F469\u200d\U0001F373"]))
            tag.add(TXXX(encoding=0, desc="latin", text=["caf\u00e9"]))
            tag.add(PRIV(owner="com.cuepoint.marker", data=bytes([1, 2, 3])))
            tag.save(sys.argv[1], v2_version=4)
            """#
        let written = try Mutagen.run(script, file: []).file
        #expect(written.count > 1024)  // the padding is there
        let tag = try #require(ID3Tag(parsing: written))
        let expected: [ID3Tag.Frame] = [
            .userText(description: "cuepoint", value: #"{"id":"p1"}"#),
            .userText(description: "שלום", value: "👩‍🍳"),
            .userText(description: "latin", value: "café"),
            .privateData(owner: "com.cuepoint.marker", data: [1, 2, 3]),
        ]
        #expect(tag.frames.count == expected.count)
        #expect(Set(tag.frames) == Set(expected))
    }
}

/// Runs python3 with mutagen (https://mutagen.readthedocs.io), an independent ID3 implementation.
enum Mutagen {
    /// Whether `python3 -c "import mutagen"` succeeds.
    static let isAvailable: Bool = (try? run("import mutagen", file: [])) != nil

    /// Prints the ID3 tag in the file `sys.argv[1]` as JSON (ASCII, `\u` escapes).
    static let describeTag = #"""
        import json, sys
        from mutagen.id3 import ID3
        tag = ID3(sys.argv[1])
        frames = []
        for frame in tag.values():
            if frame.FrameID == "TXXX":
                frames.append({"id": "TXXX", "encoding": int(frame.encoding), "description": frame.desc,
                               "text": [str(text) for text in frame.text]})
            elif frame.FrameID == "PRIV":
                frames.append({"id": "PRIV", "owner": frame.owner, "data": frame.data.hex()})
            else:
                frames.append({"id": frame.FrameID})
        print(json.dumps({"version": list(tag.version), "frames": frames}))
        """#

    struct Tag: Decodable {
        var version: [Int]
        var frames: [Frame]
    }

    struct Frame: Decodable, Equatable {
        var id: String
        var encoding: Int?
        var description: String?
        var text: [String]?
        var owner: String?
        var data: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var standardError: String
        var description: String { "python3 exited with \(status): \(standardError)" }
    }

    /// Writes `file` to a temporary file, runs `python3 -c script path`, and returns what the
    /// script printed and the file's bytes afterwards.
    static func run(_ script: String, file: [UInt8]) throws -> (output: String, file: [UInt8]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cuepoint-id3-\(UUID().uuidString).bin")
        try Data(file).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let output = try Program.runBlocking("python3", ["-c", script, url.path])
        guard output.status == 0 else { throw Failure(status: output.status, standardError: output.stderrText) }
        return (output.stdoutText, Array(try Data(contentsOf: url)))
    }
}

extension Mutagen.Frame {
    init(id: String, encoding: Int, description: String, text: [String]) {
        self.init(id: id, encoding: encoding, description: description, text: text, owner: nil, data: nil)
    }

    init(id: String, owner: String, data: String) {
        self.init(id: id, encoding: nil, description: nil, text: nil, owner: owner, data: data)
    }
}
