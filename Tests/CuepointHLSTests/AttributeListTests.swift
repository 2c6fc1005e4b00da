import CuepointTestSupport
import Testing

@testable import CuepointHLS

@Suite("AttributeList", .ownThreads)
struct AttributeListTests {
    @Test("quoted strings may hold commas and equals signs; order is kept")
    func readsQuotedCommas() throws {
        let list = try AttributeList(
            parsing: "CODECS=\"avc1.64001f,mp4a.40.2\",BANDWIDTH=1,X-A=\"k=v,w\",X-B=0x0A", tag: "T", line: 9)
        #expect(
            list.attributes == [
                .init(name: "CODECS", value: .quoted("avc1.64001f,mp4a.40.2")),
                .init(name: "BANDWIDTH", value: .plain("1")),
                .init(name: "X-A", value: .quoted("k=v,w")),
                .init(name: "X-B", value: .plain("0x0A")),
            ])
    }

    @Test("writing produces NAME=value pairs joined by commas, quoting only quoted values")
    func writes() {
        var list = AttributeList()
        list.append("URI", quoted: "init.mp4")
        list.append("BYTERANGE", quoted: "720@0")
        list.append("N", plain: "1.500")
        #expect(list.text == "URI=\"init.mp4\",BYTERANGE=\"720@0\",N=1.500")
        #expect(AttributeList().text == "")
    }

    @Test("what is written reads back")
    func roundTrip() throws {
        var list = AttributeList()
        list.append("A", quoted: "x,y=z")
        list.append("B-2", plain: "0xFF")
        let read = try AttributeList(parsing: Substring(list.text), tag: "T", line: 1)
        #expect(read.attributes == list.attributes)
    }

    @Test(
        "syntax errors name the tag and carry the line",
        arguments: [
            ("A", "T attribute \"A\" has no value"),
            ("A=1,B,C=2", "T attribute \"B\" has no value"),
            ("=1", "T has an attribute with an empty name"),
            ("a=1", "T attribute name \"a\" may only contain A-Z, 0-9 and -"),
            ("A_B=1", "T attribute name \"A_B\" may only contain A-Z, 0-9 and -"),
            ("A=1,A=2", "T has attribute A twice"),
            ("A=\"x", "T attribute A has an unterminated quoted string"),
            ("A=\"\"", "T attribute A is an empty quoted string"),
            ("A=\"x\"y", "T attribute A has text after its closing quote"),
            ("A=,B=1", "T attribute A has an empty value"),
            ("A=x y", "T attribute A has whitespace or a quote in an unquoted value"),
            ("A=x\"", "T attribute A has whitespace or a quote in an unquoted value"),
            ("A=1,", "T attribute list ends with a comma"),
        ])
    func syntaxErrors(text: String, message: String) {
        #expect(throws: PlaylistParseError(line: 42, message: message)) {
            try AttributeList(parsing: Substring(text), tag: "T", line: 42)
        }
    }

    @Test("typed readers check the value type, and finish() rejects what nobody read")
    func typedReaders() throws {
        var list = try AttributeList(parsing: "Q=\"q\",N=12,D=1.5,E=YES,Z=1", tag: "T", line: 3)
        #expect(try list.quotedString("Q") == "q")
        #expect(try list.decimalInteger("N") == 12)
        #expect(try list.thousandths("D") == 1500)
        #expect(try list.plain("E") == "YES")
        #expect(try list.quotedString("MISSING") == nil)
        #expect(throws: PlaylistParseError(line: 3, message: "T has an unsupported attribute Z")) { try list.finish() }
        _ = list.take("Z")
        try list.finish()

        var wrong = try AttributeList(parsing: "Q=1,N=\"1\"", tag: "T", line: 3)
        #expect(throws: PlaylistParseError(line: 3, message: "T attribute Q must be a quoted string")) {
            try wrong.quotedString("Q")
        }
        #expect(throws: PlaylistParseError(line: 3, message: "T attribute N must not be quoted")) {
            try wrong.decimalInteger("N")
        }
    }
}

@Suite("DecimalText", .ownThreads)
struct DecimalTextTests {
    @Test("thousandths parse exactly, with at most three decimals")
    func thousandths() {
        #expect(DecimalText.thousandths("6") == 6000)
        #expect(DecimalText.thousandths("6.0") == 6000)
        #expect(DecimalText.thousandths("6.006") == 6006)
        #expect(DecimalText.thousandths("0.05") == 50)
        #expect(DecimalText.thousandths("6.0060") == nil)
        #expect(DecimalText.thousandths("6.") == nil)
        #expect(DecimalText.thousandths(".5") == nil)
        #expect(DecimalText.thousandths("-1") == nil)
        #expect(DecimalText.thousandths("9223372036854775.807") == Int64.max)
        #expect(DecimalText.thousandths("9223372036854775.808") == nil)
    }

    @Test("integers are digits only and fit in Int64")
    func integers() {
        #expect(DecimalText.integer("0") == 0)
        #expect(DecimalText.integer("9223372036854775807") == Int64.max)
        #expect(DecimalText.integer("9223372036854775808") == nil)
        #expect(DecimalText.integer("+1") == nil)
        #expect(DecimalText.integer("") == nil)
        #expect(DecimalText.integer("1 ") == nil)
    }

    @Test("three decimals, including negatives")
    func fixedThree() {
        #expect(DecimalText.fixedThree(-1500) == "-1.500")
        #expect(DecimalText.fixedThree(-5) == "-0.005")
        #expect(DecimalText.fixedThree(Int64.min) == "-9223372036854775.808")
    }
}
