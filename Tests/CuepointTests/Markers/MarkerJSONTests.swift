import CuepointTestSupport
import CuepointJSON
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The strict JSON reader and canonical writer behind markers.
@Suite(.ownThreads) struct MarkerJSONTests {
    @Test func parsesValuesKeepingNumberText() throws {
        let value = try Marker.parseJSON(
            #" {"a": [1, -0.50, 2E+3, true, false, null], "b": "x\u00e9\ud83d\ude00\n\"\\\/"} "#)
        #expect(
            value
                == .object([
                    JSONMember(
                        key: "a",
                        value: .array([
                            .number("1"), .number("-0.50"), .number("2E+3"), .bool(true), .bool(false), .null,
                        ])),
                    JSONMember(key: "b", value: .string("xé😀\n\"\\/")),
                ]))
    }

    @Test(arguments: [
        (#"{"a":1"#, 7, "expected `,` or `}`, found the end of the text"),
        (#"{"a":1,}"#, 8, "expected a field name in double quotes, found `}`"),
        (#"{'a':1}"#, 2, "expected a field name in double quotes, found `'`"),
        (#"{"a":'x'}"#, 6, "expected a value, found `'`; JSON strings use double quotes"),
        (#"{"a":1 "b":2}"#, 8, "expected `,` or `}`, found `\"`"),
        (#"{"a":"x}"#, 6, "a string is not closed"),
        (#"{"a":01}"#, 6, "a number must not start with 0 (write 7, not 07)"),
        (#"{"a":1.}"#, 8, "a number needs digits after `.`"),
        (#"{"a":tru}"#, 6, "expected a value, found `t`"),
        (#"{"a":"\x"}"#, 7, "`\\x` is not a JSON escape"),
        (#"{"a":"\ud800"}"#, 7, "`\\uD800` is a high surrogate without a low surrogate after it"),
        (#"{"a":"\u12"}"#, 9, "`\\u` needs four hexadecimal digits"),
        (#"{"a":1}}"#, 8, "unexpected text after the JSON value"),
        (#"{"é":1,"é":2}"#, 8, "\"é\" appears twice in the same object"),
        ("{\"a\":\"\t\"}", 7, "the control character U+0009 must be escaped in a string (\\n, \\t, \\u0000)"),
        ("", 1, "expected a value, found the end of the text"),
    ])
    func syntaxErrorsHaveColumns(text: String, column: Int, message: String) {
        #expect(throws: JSONSyntaxError(line: 1, column: column, message: message)) {
            try Marker.parseJSON(text)
        }
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: JSONSyntaxError(line: 1, column: 33, message: "arrays and objects are nested more than 32 levels deep")) {
            try Marker.parseJSON(deep)
        }
    }

    @Test func canonicalWriting() throws {
        let value = JSONValue.object([
            JSONMember(key: "title", value: .string("a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏")),
            JSONMember(key: "id", value: .string("p")),
            JSONMember(key: "price", value: .number("24.50")),
            JSONMember(key: "attributes", value: .object([JSONMember(key: "z", value: .untyped("1"))])),
        ])
        let text = JSONWriter.compact(value, sortedKeys: true)
        #expect(
            text
                == #"{"attributes":{"z":"1"},"id":"p","price":24.50,"title":"a\"b\\c\n\r\t\u0000\u001F<&>é👩‍🍳 ‏"}"#)
        // What the writer writes, the reader reads back, and so does Foundation.
        let parsed = try Marker.parseJSON(text)
        guard case .object(let members) = parsed.kind else { throw CancellationError() }
        #expect(members.first { $0.key == "title" }?.value == .string("a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏"))
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(foundation["title"] as? String == "a\"b\\c\n\r\t\u{0}\u{1F}<&>é👩‍🍳 ‏")
    }

    @Test(arguments: [
        ("0", Int64(0)), ("1.5", 1_500), ("7.25", 7_250), ("0.0005", 1), ("0.0004", 0), ("1.2345", 1_235),
        ("1e3", 1_000_000), ("1.5E-3", 2), ("12.000", 12_000), ("999999999999", 999_999_999_999_000),
    ])
    func secondsToMilliseconds(text: String, milliseconds: Int64) {
        #expect(Marker.milliseconds(fromSeconds: text) == milliseconds)
    }

    @Test(arguments: ["-1", "1e13", "x", "", "1.", "--1"])
    func notMilliseconds(text: String) {
        #expect(Marker.milliseconds(fromSeconds: text) == nil)
    }

    @Test func millisecondsToSeconds() {
        #expect(SecondsText.shortest(milliseconds: 1_500) == "1.5")
        #expect(SecondsText.shortest(milliseconds: 4_000) == "4")
        #expect(SecondsText.shortest(milliseconds: 7_250) == "7.25")
        #expect(SecondsText.shortest(milliseconds: 5) == "0.005")
        #expect(SecondsText.shortest(milliseconds: -1_500) == "-1.5")
    }

    @Test func foundationObjects() {
        #expect(
            JSONValue(foundationObject: ["a": 1, "b": true, "c": 2.5, "d": NSNull(), "e": ["x"]] as [String: Any])
                == .object([
                    JSONMember(key: "a", value: .number("1")),
                    JSONMember(key: "b", value: .bool(true)),
                    JSONMember(key: "c", value: .number("2.5")),
                    JSONMember(key: "d", value: .null),
                    JSONMember(key: "e", value: .array([.string("x")])),
                ]))
        #expect(JSONValue(foundationObject: Date()) == nil)
        #expect(JSONValue(foundationObject: Double.nan) == nil)
    }
}
