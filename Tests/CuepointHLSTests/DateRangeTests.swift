import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Testing

@Suite("DateRange validation", .ownThreads)
struct DateRangeTests {
    static let start = date("2025-03-14T18:00:04.200Z")

    @Test("a typical product marker, opened and closed, is valid")
    func validMarkers() {
        #expect(product.validationProblems() == [])
        #expect(closedProduct.validationProblems() == [])
        let both = DateRange(
            id: "x", startDate: Self.start, endDate: date("2025-03-14T18:00:05.200Z"), durationMilliseconds: 1000)
        #expect(both.validationProblems() == [])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var range: DateRange
        var problems: [String]
        var testDescription: String { problems.joined(separator: "; ") }
    }

    static let cases: [Case] = [
        Case(range: DateRange(id: "", startDate: start), problems: ["ID is empty"]),
        Case(
            range: DateRange(id: "a\"b", startDate: start),
            problems: ["ID contains a double quote, which quoted strings cannot escape"]),
        Case(range: DateRange(id: "a\nb", startDate: start), problems: ["ID contains a line break"]),
        Case(range: DateRange(id: "a\r", startDate: start), problems: ["ID contains a line break"]),
        Case(range: DateRange(id: "a", classAttribute: "", startDate: start), problems: ["CLASS is empty"]),
        Case(
            range: DateRange(id: "a", classAttribute: "tab\there", startDate: start),
            problems: ["CLASS contains the control character U+0009"]),
        Case(range: DateRange(id: "a", startDate: start, endOnNext: true), problems: ["END-ON-NEXT needs a CLASS"]),
        Case(
            range: DateRange(
                id: "a", classAttribute: "c", startDate: start, endDate: start, durationMilliseconds: 0, endOnNext: true
            ),
            problems: ["END-ON-NEXT forbids DURATION", "END-ON-NEXT forbids END-DATE"]),
        Case(
            range: DateRange(id: "a", startDate: start, durationMilliseconds: -1, plannedDurationMilliseconds: -5),
            problems: ["DURATION is negative", "PLANNED-DURATION is negative"]),
        Case(
            range: DateRange(id: "a", startDate: start, endDate: date("2025-03-14T18:00:04.199Z")),
            problems: ["END-DATE 2025-03-14T18:00:04.199Z is before START-DATE 2025-03-14T18:00:04.200Z"]),
        Case(
            range: DateRange(
                id: "a", startDate: start, endDate: date("2025-03-14T18:00:06Z"), durationMilliseconds: 1000),
            problems: [
                "END-DATE 2025-03-14T18:00:06.000Z is not START-DATE + DURATION (2025-03-14T18:00:05.200Z)"
            ]),
        Case(
            range: DateRange(
                id: "a", startDate: start,
                clientAttributes: [
                    ClientAttribute(name: "COM-EXAMPLE", value: .number("1")),
                    ClientAttribute(name: "X-", value: .number("1")),
                    ClientAttribute(name: "X-lower", value: .number("1")),
                    ClientAttribute(name: "X-A B", value: .number("1")),
                ]),
            problems: [
                "client attribute name \"COM-EXAMPLE\" must be X- followed by A-Z, 0-9 and -",
                "client attribute name \"X-\" must be X- followed by A-Z, 0-9 and -",
                "client attribute name \"X-lower\" must be X- followed by A-Z, 0-9 and -",
                "client attribute name \"X-A B\" must be X- followed by A-Z, 0-9 and -",
            ]),
        Case(
            range: DateRange(
                id: "a", startDate: start,
                clientAttributes: [
                    ClientAttribute(name: "X-A", value: .string("ok")),
                    ClientAttribute(name: "X-A", value: .string("again")),
                ]),
            problems: ["client attribute X-A appears twice"]),
        Case(
            range: DateRange(
                id: "a", startDate: start,
                clientAttributes: [
                    ClientAttribute(name: "X-JSON", value: .string("{\"t\":1}")),
                    ClientAttribute(name: "X-EMPTY", value: .string("")),
                    ClientAttribute(name: "X-HEX", value: .hexadecimal([])),
                    ClientAttribute(name: "X-N1", value: .number("1.")),
                    ClientAttribute(name: "X-N2", value: .number("+1")),
                    ClientAttribute(name: "X-N3", value: .number("1e3")),
                    ClientAttribute(name: "X-N4", value: .number("-0.25")),
                ]),
            problems: [
                "client attribute X-JSON contains a double quote, which quoted strings cannot escape",
                "client attribute X-EMPTY is an empty quoted string",
                "client attribute X-HEX is an empty hexadecimal sequence",
                "client attribute X-N1 is not a decimal number: 1.",
                "client attribute X-N2 is not a decimal number: +1",
                "client attribute X-N3 is not a decimal number: 1e3",
            ]),
    ]

    @Test("each problem is reported", arguments: cases)
    func problems(_ testCase: Case) {
        #expect(testCase.range.validationProblems() == testCase.problems)
    }
}
