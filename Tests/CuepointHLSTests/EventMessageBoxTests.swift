import CuepointTestSupport
import Testing

@testable import CuepointHLS

/// Vectors are written out by hand from ISO/IEC 23009-1 §5.10.3.3 (the version-1 `emsg` box) and
/// AOM "ID3 in CMAF"; every integer is big-endian.
@Suite("EventMessageBox", .ownThreads)
struct EventMessageBoxTests {
    /// An ID3v2.4 tag with one TXXX, "id" = "p1": 26 bytes.
    static let id3Message = bytes(
        "49 44 33 04 00 00 00 00 00 10"  // "ID3" 2.4.0, no flags, tag size 16
            + "54 58 58 58 00 00 00 06 00 00"  // "TXXX", frame size 6 = 1 + 2 + 1 + 2, no flags
            + "03 69 64 00 70 31")  // UTF-8, "id", terminator, "p1"

    static let markerBox = EventMessageBox(
        schemeIDURI: EventMessageBox.id3Scheme, value: "https://cuepoint.dev/marker", timescale: 90000,
        presentationTime: 900_000, eventDuration: 0xFFFF_FFFF, id: 7, messageData: id3Message)

    /// 32 bytes of fixed fields + 29 + 28 bytes of strings + 26 bytes of message = 115 bytes.
    static let markerBytes =
        bytes(
            "00 00 00 73"  // box size 115
                + "65 6d 73 67"  // "emsg"
                + "01"  // version 1
                + "00 00 00"  // flags
                + "00 01 5f 90"  // timescale 90000
                + "00 00 00 00 00 0d bb a0"  // presentation_time 900000 (10 s)
                + "ff ff ff ff"  // event_duration: unknown
                + "00 00 00 07"  // id 7
                + "68 74 74 70 73 3a 2f 2f 61 6f 6d 65 64 69 61 2e 6f 72 67"  // "https://aomedia.org"
                + "2f 65 6d 73 67 2f 49 44 33 00"  // "/emsg/ID3", terminator
                + "68 74 74 70 73 3a 2f 2f 63 75 65 70 6f 69 6e 74 2e 64 65 76"  // "https://cuepoint.dev"
                + "2f 6d 61 72 6b 65 72 00")  // "/marker", terminator
        + id3Message  // message_data

    @Test("an ID3 event is written byte for byte and read back")
    func markerVector() throws {
        #expect(try Self.markerBox.encoded() == Self.markerBytes)
        let parsed = try #require(EventMessageBox(parsing: Self.markerBytes))
        #expect(parsed == Self.markerBox)
        #expect(ID3Tag(parsing: parsed.messageData) == ID3Tag(frames: [.userText(description: "id", value: "p1")]))
    }

    @Test("the scheme and duration default to AOM's ID3 scheme and unknown")
    func defaults() {
        let box = EventMessageBox(
            value: "https://cuepoint.dev/marker", timescale: 90000, presentationTime: 900_000, id: 7,
            messageData: Self.id3Message)
        #expect(box == Self.markerBox)
        #expect(EventMessageBox.id3Scheme == "https://aomedia.org/emsg/ID3")
        #expect(EventMessageBox.unknownDuration == 0xFFFF_FFFF)
    }

    @Test("a tag from ID3Tag goes in as message_data")
    func carriesID3Tag() throws {
        let tag = ID3Tag(frames: [.userText(description: "id", value: "p1")])
        let box = EventMessageBox(
            value: "https://cuepoint.dev/marker", timescale: 90000, presentationTime: 900_000, id: 7,
            messageData: try tag.encoded())
        #expect(try box.encoded() == Self.markerBytes)
    }

    @Test(
        "extreme values round-trip",
        arguments: [
            EventMessageBox(
                schemeIDURI: "urn:x", value: "", timescale: 1, presentationTime: .max, eventDuration: 0,
                id: .max, messageData: []),
            EventMessageBox(
                schemeIDURI: "urn:é", value: "👩‍🍳", timescale: .max, presentationTime: 0, eventDuration: 1,
                id: 0, messageData: [0, 0, 0]),
        ])
    func roundTrip(box: EventMessageBox) throws {
        let encoded = try box.encoded()
        #expect(encoded.count == 32 + box.schemeIDURI.utf8.count + 1 + box.value.utf8.count + 1 + box.messageData.count)
        #expect(EventMessageBox(parsing: encoded) == box)
    }

    @Test(
        "invalid fields are refused with a message naming the field and the fix",
        arguments: [
            (
                EventMessageBox(schemeIDURI: "", value: "1", timescale: 1, presentationTime: 0, id: 0, messageData: []),
                EventMessageBox.EncodingError.Code.invalidText,
                "emsg: scheme_id_uri is empty; use EventMessageBox.id3Scheme"
            ),
            (
                EventMessageBox(
                    schemeIDURI: "urn:\u{0}", value: "1", timescale: 1, presentationTime: 0, id: 0, messageData: []),
                .invalidText,
                #"emsg: scheme_id_uri "urn:\0" contains NUL (U+0000), which would end it early; remove the NUL"#
            ),
            (
                EventMessageBox(value: "a\u{0}", timescale: 1, presentationTime: 0, id: 0, messageData: []),
                .invalidText,
                #"emsg: value "a\0" contains NUL (U+0000), which would end it early; remove the NUL"#
            ),
            (
                EventMessageBox(value: "1", timescale: 0, presentationTime: 0, id: 0, messageData: []),
                .invalidTimescale,
                "emsg: timescale is 0; use the track's timescale in ticks per second (90000 for video, say)"
            ),
        ])
    func invalidFields(box: EventMessageBox, code: EventMessageBox.EncodingError.Code, message: String) {
        let error = #expect(throws: EventMessageBox.EncodingError.self) { try box.encoded() }
        #expect(error?.code == code)
        #expect(error?.description == message)
    }

    @Test("a box above the 32-bit size limit is refused")
    func tooLarge() {
        // The real limit is 2^32 - 1; a limit of 114 exercises the same check without 4 GiB.
        #expect(
            throws: EventMessageBox.EncodingError(
                code: .tooLarge,
                message: "the box would be 115 bytes, above the 32-bit box size limit of 114;"
                    + " split the message across several events")
        ) {
            try Self.markerBox.encoded(sizeLimit: 114)
        }
        #expect((try? Self.markerBox.encoded(sizeLimit: 115)) == Self.markerBytes)
    }

    @Test("a 64-bit largesize, size 0 and non-zero flags are read")
    func readsOtherSizes() {
        let fields = Array(Self.markerBytes[8...])
        // size 1, "emsg", largesize 123 = 115 + 8
        let large = bytes("00 00 00 01 65 6d 73 67 00 00 00 00 00 00 00 7b") + fields
        #expect(EventMessageBox(parsing: large) == Self.markerBox)
        // size 0: the box runs to the end
        #expect(EventMessageBox(parsing: bytes("00 00 00 00 65 6d 73 67") + fields) == Self.markerBox)
        var flagged = Self.markerBytes
        flagged[11] = 0x01
        #expect(EventMessageBox(parsing: flagged) == Self.markerBox)
    }

    @Test(
        "malformed boxes give nil",
        arguments: [
            ("empty", []),
            ("another box type", replacing(4, with: "6d 6f 6f 66")),  // "moof"
            ("version 0", replacing(8, with: "00")),
            ("version 2", replacing(8, with: "02")),
            ("a size larger than the bytes", replacing(0, with: "00 00 00 74")),
            ("a size smaller than the bytes", replacing(0, with: "00 00 00 72")),
            ("a zero timescale", replacing(12, with: "00 00 00 00")),
            (
                "a largesize that does not match",
                bytes("00 00 00 01 65 6d 73 67 00 00 00 00 00 00 00 7c") + markerBytes[8...]
            ),
            ("cut inside the fixed fields", bytes("00 00 00 1c" + fixedFields.dropLast(12))),  // 28 bytes, no id
            ("no terminator after value", bytes("00 00 00 24" + fixedFields + "61 00 62 62")),  // "a" 00 "bb"
            ("invalid UTF-8 in scheme_id_uri", bytes("00 00 00 24" + fixedFields + "c0 af 00 00")),  // overlong "/"
        ])
    func malformed(name: String, box: [UInt8]) {
        #expect(EventMessageBox(parsing: box) == nil, "\(name)")
    }

    @Test("the fixed fields of the malformed vectors make a valid box once completed")
    func malformedControl() {
        // "a" 00 "bb" 00: 37 bytes
        let box = EventMessageBox(parsing: bytes("00 00 00 25" + Self.fixedFields + "61 00 62 62 00"))
        #expect(
            box
                == EventMessageBox(
                    schemeIDURI: "a", value: "bb", timescale: 90000, presentationTime: 900_000, id: 7, messageData: []))
    }

    /// The marker box's fields after the size: "emsg", version 1, flags, timescale 90000,
    /// presentation_time 900000, event_duration unknown, id 7.
    private static let fixedFields =
        "65 6d 73 67 01 00 00 00 00 01 5f 90 00 00 00 00 00 0d bb a0 ff ff ff ff 00 00 00 07"

    /// The marker box with `hex` written over it at `offset`.
    private static func replacing(_ offset: Int, with hex: String) -> [UInt8] {
        var box = markerBytes
        let patch = bytes(hex)
        box.replaceSubrange(offset..<(offset + patch.count), with: patch)
        return box
    }

    @Test(
        "Python reads the box fields and mutagen the ID3 message",
        .enabled(if: Mutagen.isAvailable, "needs python3 with mutagen: python3 -m pip install mutagen"))
    func python() throws {
        // An independent reading: struct.unpack for the box, mutagen for the tag inside it.
        let script = #"""
            import io, json, struct, sys
            from mutagen.id3 import ID3
            data = open(sys.argv[1], "rb").read()
            size, kind, version, flags, timescale, time, duration, ident = struct.unpack(">I4sB3sIQII", data[:32])
            assert size == len(data) and kind == b"emsg"
            scheme, value, message = data[32:].split(b"\0", 2)
            tag = ID3(io.BytesIO(message))
            frame = tag.getall("TXXX")[0]
            print(json.dumps([version, flags.hex(), timescale, time, duration, ident, scheme.decode(), value.decode(),
                              list(tag.version), frame.desc, list(frame.text)]))
            """#
        let box = EventMessageBox(
            value: "https://cuepoint.dev/marker", timescale: 90000, presentationTime: 0x1_0000_0000_0001,
            id: 7, messageData: try ID3Tag(frames: [.userText(description: "id", value: "👩‍🍳")]).encoded())
        let output = try Mutagen.run(script, file: try box.encoded()).output
        #expect(
            output
                == #"[1, "000000", 90000, 281474976710657, 4294967295, 7, "https://aomedia.org/emsg/ID3", "#
                + #""https://cuepoint.dev/marker", [2, 4, 0], "id", ["\ud83d\udc69\u200d\ud83c\udf73"]]"#
                + "\n")
    }
}
