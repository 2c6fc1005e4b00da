import CuepointTestSupport
import CuepointRTMP
import Foundation
import NIOCore
import Testing

@Suite("AMF0", .ownThreads)
struct AMF0Tests {
    /// One value of each type, as the AMF0 specification lays them out.
    static let table: [(hex: String, value: AMF0Value)] = [
        ("00 3FF0000000000000", .number(1)),
        ("00 C059000000000000", .number(-100)),
        ("01 01", .boolean(true)),
        ("01 00", .boolean(false)),
        ("02 0004 \(Hex.of("live"))", .string("live")),
        ("02 0000", .string("")),
        ("03 0003 \(Hex.of("app")) 02 0004 \(Hex.of("live")) 0000 09", .object([AMF0Property("app", .string("live"))])),
        ("03 0000 09", .object([])),
        ("05", .null),
        ("06", .undefined),
        (
            "08 00000002 0005 \(Hex.of("width")) 00 4094000000000000 0006 \(Hex.of("stereo")) 01 01 0000 09",
            .ecmaArray([AMF0Property("width", .number(1280)), AMF0Property("stereo", .boolean(true))])
        ),
        ("0A 00000002 01 01 05", .strictArray([.boolean(true), .null])),
        ("0B 4272C1E631A00000 0000", .date(milliseconds: 1_289_000_000_000, timeZoneMinutes: 0)),
    ]

    @Test("each type decodes from its bytes and encodes back to them")
    func table() throws {
        for (hex, value) in Self.table {
            let decoded = try AMF0Decoder().decodeAll(Hex.buffer(hex))
            #expect(decoded == [value], "\(hex)")
            #expect(AMF0Encoder.encode([value]).bytes == Hex.bytes(hex), "\(value)")
        }
    }

    @Test("a long string (marker 0x0C) decodes to a string; strings over 65535 bytes are written long")
    func longString() throws {
        #expect(try AMF0Decoder().decodeAll(Hex.buffer("0C 00000003 616263")) == [.string("abc")])
        let long = String(repeating: "x", count: 70_000)
        let bytes = AMF0Encoder.encode([.string(long)]).bytes
        #expect(Array(bytes.prefix(5)) == [0x0C, 0x00, 0x01, 0x11, 0x70])
        #expect(try AMF0Decoder().decodeAll(ByteBuffer(bytes: bytes)) == [.string(long)])
    }

    /// FFmpeg's `connect` command (rtmpproto.c `gen_connect`) for rtmp://127.0.0.1/live/KEY, cut short.
    static let connect: [AMF0Value] = [
        .string("connect"), .number(1),
        .object([
            AMF0Property("app", .string("live")),
            AMF0Property("type", .string("nonprivate")),
            AMF0Property("flashVer", .string("FMLE/3.0 (compatible; Lavf59.27.100)")),
            AMF0Property("tcUrl", .string("rtmp://127.0.0.1:1935/live")),
        ]),
    ]

    @Test("every truncation of a command fails with an offset inside it or decodes a prefix of its values")
    func truncations() {
        let whole = AMF0Encoder.encode(Self.connect).bytes
        for length in 0..<whole.count {
            do {
                let values = try AMF0Decoder().decodeAll(ByteBuffer(bytes: whole.prefix(length)))
                #expect(Array(Self.connect.prefix(values.count)) == values, "length \(length)")
                #expect(values.count < Self.connect.count)
            } catch {
                #expect(error.offset <= length, "length \(length): \(error)")
            }
        }
    }

    @Test("values that nest deeper than the limit are refused")
    func depth() throws {
        var value = AMF0Value.null
        for _ in 0..<16 { value = .object([AMF0Property("a", value)]) }
        let deep = AMF0Encoder.encode([value])
        #expect(throws: AMF0Error.self) { try AMF0Decoder(maximumDepth: 16).decodeAll(deep) }
        #expect(try AMF0Decoder(maximumDepth: 17).decodeAll(deep) == [value])
        let error = try #require(throws: AMF0Error.self) { try AMF0Decoder().decodeAll(deep) }
        #expect(error.description.contains("nested deeper than 16 levels"))
    }

    @Test("too many values in one message are refused")
    func valueCount() {
        let many = AMF0Encoder.encode([.strictArray(Array(repeating: .null, count: 100))])
        #expect(throws: AMF0Error.self) { try AMF0Decoder(maximumValues: 50).decodeAll(many) }
    }

    @Test("declared lengths and counts beyond the bytes are refused before anything is allocated")
    func lies() throws {
        let cases: [(String, String)] = [
            ("0A FFFFFFFF 05", "a strict array of 4294967295 values in 1 bytes"),
            ("02 FFFF 61", "a string of 65535 bytes runs past the end (1 bytes left)"),
            ("0C FFFFFFFF 61", "a string of 4294967295 bytes runs past the end"),
            ("00 3FF0", "a number needs 8 bytes"),
            ("03 0003 617070", "expected a type marker, the bytes ended"),
        ]
        for (hex, problem) in cases {
            let error = try #require(throws: AMF0Error.self) { try AMF0Decoder().decodeAll(Hex.buffer(hex)) }
            #expect(error.problem.contains(problem), "\(hex): \(error)")
        }
    }

    @Test("unknown and unsupported markers are named with their offset")
    func markers() throws {
        let unknown = try #require(throws: AMF0Error.self) { try AMF0Decoder().decodeAll(Hex.buffer("05 42")) }
        #expect(unknown == AMF0Error(offset: 1, problem: "unknown type marker 0x42"))
        let typed = try #require(throws: AMF0Error.self) { try AMF0Decoder().decodeAll(Hex.buffer("10 0001 41 0000 09")) }
        #expect(typed.description == "AMF0 at byte 0: type marker 0x10 (typedObject) is not supported")
        let end = try #require(throws: AMF0Error.self) { try AMF0Decoder().decodeAll(Hex.buffer("09")) }
        #expect(end.problem == "an object-end marker outside an object")
    }

    @Test("properties keep their order; lookups find them by name")
    func lookup() {
        let object = Self.connect[2]
        #expect(object["tcUrl"]?.stringValue == "rtmp://127.0.0.1:1935/live")
        #expect(object["missing"] == nil)
        #expect(AMF0Value.number(3)["app"] == nil)
    }
}
