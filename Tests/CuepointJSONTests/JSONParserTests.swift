import CuepointTestSupport
import CuepointJSON
import Testing

/// The one strict JSON reader and writer: tables of text, the value or the exact problem, and
/// the text written back.
@Suite(.ownThreads) struct JSONParserTests {
    @Test(arguments: [
        ("24.50", JSONValue.number("24.50")),
        ("-1.5e3", .number("-1.5e3")),
        ("0", .number("0")),
        (" true ", .bool(true)),
        ("null", .null),
        ("\"a\\u00e9\\ud83d\\ude00\\n\"", .string("aé😀\n")),
        ("[1, [2], {}]", .array([.number("1"), .array([.number("2")]), .object([])])),
        ("{\"b\": 1, \"a\": \"x\"}", .object(pairs: [("b", .number("1")), ("a", .string("x"))])),
    ])
    func valuesKeepTheirTextAndOrder(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("", 1, 1, "expected a value, found the end of the text"),
        ("{\"a\": 1,}", 1, 9, "expected a field name in double quotes, found `}`"),
        ("[1 2]", 1, 4, "expected `,` or `]`, found `2`"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "\"a\" appears twice in the same object"),
        ("07", 1, 1, "a number must not start with 0 (write 7, not 07)"),
        ("'x'", 1, 1, "expected a value, found `'`; JSON strings use double quotes"),
        ("NaN", 1, 1, "expected a value, found `N`"),
        ("\"\\x\"", 1, 2, "`\\x` is not a JSON escape"),
        ("\"\\ud800\"", 1, 2, "`\\uD800` is a high surrogate without a low surrogate after it"),
        ("\"\\udc00\"", 1, 2, "`\\uDC00` is a low surrogate without a high surrogate before it"),
        ("\"a\tb\"", 1, 3, "the control character U+0009 must be escaped in a string (\\n, \\t, \\u0000)"),
        ("\"open", 1, 1, "a string is not closed"),
        ("1 2", 1, 3, "unexpected text after the JSON value"),
        ("[\n  1,\n  x]", 3, 3, "expected a value, found `x`"),
        ("\u{FEFF}[]", 1, 1, "the text starts with a byte order mark; JSON must not have one"),
        ("{\"é\": tru}", 1, 7, "expected a value, found `t`"),
    ])
    func mistakesAreReportedWithLineAndColumn(text: String, line: Int, column: Int, message: String) {
        #expect(throws: JSONSyntaxError(line: line, column: column, message: message)) { try JSONParser.parse(text) }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep, maximumDepth: 32) }
        _ = try JSONParser.parse(deep)  // 64 by default
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(tooDeep) }
    }

    @Test func parsedValuesRememberTheirLines() throws {
        let value = try JSONParser.parse("[\n  {\n    \"a\": 1\n  }\n]")
        guard case .array(let elements) = value.kind, let members = elements.first?.members else {
            Issue.record("not an array of objects: \(value)")
            return
        }
        #expect(elements[0].line == 2)
        #expect(members[0].line == 3)
        #expect(members[0].value.line == 3)
    }

    @Test func theWriterEscapesOnceForEveryReader() throws {
        let value = JSONValue.object(pairs: [
            ("z", .string("\"\\\n\r\t\u{08}\u{0C}\u{01}\u{7F}\u{85}\u{2028}é/😀")), ("a", .untyped("4.2")),
            ("n", .number("24.50")),
        ])
        #expect(
            JSONWriter.compact(value)
                == #"{"z":"\"\\\n\r\t\b\f\u0001\u007F\u0085\u2028é/😀","a":"4.2","n":24.50}"#)
        #expect(JSONWriter.compact(value, sortedKeys: true).hasPrefix(#"{"a":"4.2","n":24.50,"z":"#))
        #expect(JSONWriter.prettyPrinted(.array([.object([]), .array([]), .object(pairs: [("k", .bool(false))])])) == """
            [
              {},
              [],
              {
                "k": false
              }
            ]

            """)
        // What the writer writes, the reader reads back equal.
        #expect(
            try JSONParser.parse(JSONWriter.compact(value))
                == .object(pairs: [
                    ("z", .string("\"\\\n\r\t\u{08}\u{0C}\u{01}\u{7F}\u{85}\u{2028}é/😀")), ("a", .string("4.2")),
                    ("n", .number("24.50")),
                ]))
    }

    @Test(arguments: [
        ("4.2", 3, Int64(4_200)), ("4.2000000000000002", 3, 4_200), ("0.0005", 3, 1), ("0.0004", 3, 0),
        ("1.5e2", 3, 150_000), ("-1.5", 3, -1_500), ("24.50", 2, 2_450), ("1e-7", 3, 0),
    ])
    func numbersScaleExactly(text: String, places: Int, expected: Int64) {
        #expect(JSONNumber(text)?.scaled(by: places) == expected)
    }

    @Test func numbersOutsideTheGrammarOrRangeAreNotNumbers() {
        #expect(JSONNumber("1.") == nil)
        #expect(JSONNumber("+1") == nil)
        #expect(JSONNumber("1e1000")?.scaled(by: 3) == nil)
        #expect(JSONNumber("0e99999")?.scaled(by: 3) == 0)
        #expect(JSONNumber("1e-10000000000")?.scaled(by: 3) == 0)
        #expect(JSONNumber("99999999999999999999")?.scaled(by: 0) == nil)
        #expect(JSONNumber("-0.00")?.negative == false)
        #expect(JSONNumber("24.50").map { "\($0.digits)/\($0.fractionDigits)" } == "245/1")
    }
}
