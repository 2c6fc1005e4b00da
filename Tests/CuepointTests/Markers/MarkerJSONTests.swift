import Foundation
import Testing

#if canImport(CuepointPipeline)
    @testable import CuepointPipeline
#else
    @testable import Cuepoint
#endif

/// The strict JSON reader and canonical writer behind markers.
@Suite struct MarkerJSONTests {
    @Test func parsesValuesKeepingNumberText() throws {
        let value = try MarkerJSON.parse(
            #" {"a": [1, -0.50, 2E+3, true, false, null], "b": "x\u00e9\ud83d\ude00\n\"\\\/"} "#)
        #expect(
            value
                == .object([
                    MarkerJSON.Member(
                        key: "a",
                        value: .array([
                            .number("1"), .number("-0.50"), .number("2E+3"), .bool(true), .bool(false), .null,
                        ])),
                    MarkerJSON.Member(key: "b", value: .string("xé😀\n\"\\/")),
                ]))
    }

    @Test(arguments: [
        (#"{"a":1"#, 7, "expected `,` or `}`, found the end of the line"),
        (#"{"a":1,}"#, 8, "expected a field name in double quotes, found `}`"),
        (#"{'a':1}"#, 2, "expected a field name in double quotes, found `'`"),
        (#"{"a":'x'}"#, 6, "expected a value, found `'`; JSON strings use double quotes"),
        (#"{"a":1 "b":2}"#, 8, "expected `,` or `}`, found `\"`"),
        (#"{"a":"x}"#, 6, "a string is not closed"),
        (#"{"a":01}"#, 6, "a number must not start with 0 (write 7, not 07)"),
        (#"{"a":1.}"#, 8, "a number needs digits after `.`"),
        (#"{"a":tru}"#, 6, "expected a value, found `t`"),
        (#"{"a":"\x"}"#, 7, "`\\x` is not a JSON escape"),
        (#"{"a":"\ud800"}"#, 7, "`\\u` escape of an unpaired surrogate"),
        (#"{"a":"\u12"}"#, 9, "`\\u` needs four hexadecimal digits"),
        (#"{"a":1}}"#, 8, "unexpected text after the JSON value"),
        (#"{"é":1,"é":2}"#, 8, "\"é\" appears twice in the same object"),
        ("{\"a\":\"\t\"}", 7, "the control character U+0009 must be escaped in a string (\\n, \\t, \\u0000)"),
        ("", 1, "expected a value, found the end of the line"),
    ])
    func syntaxErrorsHaveColumns(text: String, column: Int, message: String) {
        #expect(throws: MarkerJSON.SyntaxError(column: column, message: message)) {
            try MarkerJSON.parse(text)
        }
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: MarkerJSON.SyntaxError(column: 33, message: "nested more than 32 levels deep")) {
            try MarkerJSON.parse(deep)
        }
    }

    @Test func canonicalWriting() throws {
        let value = MarkerJSON.Value.object([
            MarkerJSON.Member(key: "title", value: .string("a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏")),
            MarkerJSON.Member(key: "id", value: .string("p")),
            MarkerJSON.Member(key: "price", value: .number("24.50")),
            MarkerJSON.Member(key: "attributes", value: .object([MarkerJSON.Member(key: "z", value: .untyped("1"))])),
        ])
        let text = MarkerJSON.encode(value, sortedKeys: true)
        #expect(
            text
                == #"{"attributes":{"z":"1"},"id":"p","price":24.50,"title":"a\"b\\c\n\r\t\u0000\u001f<&>é👩‍🍳 ‏"}"#)
        // What the writer writes, the reader reads back, and so does Foundation.
        let parsed = try MarkerJSON.parse(text)
        guard case .object(let members) = parsed else { throw CancellationError() }
        #expect(members.first { $0.key == "title" }?.value == .string("a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏"))
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(foundation["title"] as? String == "a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏")
    }

    @Test(arguments: [
        ("0", Int64(0)), ("1.5", 1_500), ("7.25", 7_250), ("0.0005", 1), ("0.0004", 0), ("1.2345", 1_235),
        ("1e3", 1_000_000), ("1.5E-3", 2), ("12.000", 12_000), ("999999999999", 999_999_999_999_000),
    ])
    func secondsToMilliseconds(text: String, milliseconds: Int64) {
        #expect(MarkerJSON.milliseconds(fromSeconds: text) == milliseconds)
    }

    @Test(arguments: ["-1", "1e13", "x", "", "1.", "--1"])
    func notMilliseconds(text: String) {
        #expect(MarkerJSON.milliseconds(fromSeconds: text) == nil)
    }

    @Test func millisecondsToSeconds() {
        #expect(MarkerJSON.seconds(fromMilliseconds: 1_500) == "1.5")
        #expect(MarkerJSON.seconds(fromMilliseconds: 4_000) == "4")
        #expect(MarkerJSON.seconds(fromMilliseconds: 7_250) == "7.25")
        #expect(MarkerJSON.seconds(fromMilliseconds: 5) == "0.005")
        #expect(MarkerJSON.seconds(fromMilliseconds: -1_500) == "-1.5")
    }

    @Test func foundationObjects() {
        #expect(
            MarkerJSON.value(from: ["a": 1, "b": true, "c": 2.5, "d": NSNull(), "e": ["x"]] as [String: Any])
                == .object([
                    MarkerJSON.Member(key: "a", value: .number("1")),
                    MarkerJSON.Member(key: "b", value: .bool(true)),
                    MarkerJSON.Member(key: "c", value: .number("2.5")),
                    MarkerJSON.Member(key: "d", value: .null),
                    MarkerJSON.Member(key: "e", value: .array([.string("x")])),
                ]))
        #expect(MarkerJSON.value(from: Date()) == nil)
        #expect(MarkerJSON.value(from: Double.nan) == nil)
    }
}
