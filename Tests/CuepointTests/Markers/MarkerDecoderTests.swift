import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Every field rule of the marker format, with the exact line `cuepoint` prints for each mistake.
@Suite(.ownThreads) struct MarkerDecoderTests {
    typealias Support = MarkerTestSupport

    @Test func aCompleteMarker() throws {
        let text =
            #"{"id":"p-1","product":"SKU-1","title":"Mug","url":"https://shop.example/mug","price":24.50,"#
            + #""currency":"USD","image":"https://shop.example/mug.jpg","attributes":{"color":"blue","size-cm":"12"},"#
            + #""start":4.2,"duration":"10s"}"#
        let marker = try #require(Support.marker(text))
        #expect(
            marker
                == Marker(
                    id: "p-1", product: "SKU-1", title: "Mug", url: "https://shop.example/mug", price: "24.50",
                    currency: "USD", image: "https://shop.example/mug.jpg",
                    attributes: ["color": "blue", "size-cm": "12"], start: .offset(milliseconds: 4_200),
                    end: .duration(milliseconds: 10_000)))
    }

    @Test func minimalMarkerTakesDefaults() throws {
        let marker = try #require(Support.marker(#"{"id":"p-1","title":"Mug","url":"http://s.example","start":0}"#))
        #expect(marker.product == "p-1")
        #expect(marker.price == nil && marker.currency == nil && marker.image == nil && marker.attributes.isEmpty)
        #expect(marker.end == nil)
        #expect(marker.start == .offset(milliseconds: 0))
    }

    @Test func nullCountsAsNotGiven() throws {
        let marker = try #require(
            Support.marker(#"{"id":"p-1","title":"Mug","url":"http://s.example","start":1,"price":null,"end":null}"#))
        #expect(marker.price == nil && marker.end == nil)
        #expect(
            Support.problems(#"{"id":"p-1","title":null,"url":"http://s.example","start":1}"#) == [
                #"m.jsonl:1: "title": required field is missing"#
            ])
    }

    // MARK: Time forms

    @Test(arguments: [
        ("12.5", MarkerTime.offset(milliseconds: 12_500)),
        ("0", .offset(milliseconds: 0)),
        ("7.25", .offset(milliseconds: 7_250)),
        ("1.2345", .offset(milliseconds: 1_235)),
        ("1.5e2", .offset(milliseconds: 150_000)),
        (#""12.5s""#, .offset(milliseconds: 12_500)),
        (#""1m30s""#, .offset(milliseconds: 90_000)),
        (#""500ms""#, .offset(milliseconds: 500)),
        (#""90""#, .offset(milliseconds: 90_000)),
        (#""2025-03-14T18:00:04.200Z""#, .date(WallClockTime(millisecondsSince1970: 1_741_975_204_200))),
        (#""2025-03-14T20:00:04+02:00""#, .date(WallClockTime(millisecondsSince1970: 1_741_975_204_000))),
    ])
    func startForms(json: String, expected: MarkerTime) throws {
        let marker = try #require(Support.marker(#"{"id":"a","title":"t","url":"https://s.example","start":\#(json)}"#))
        #expect(marker.start == expected)
    }

    @Test func durationAndEndForms() throws {
        let head = #"{"id":"a","title":"t","url":"https://s.example","start":1,"#
        #expect(Support.marker(head + #""duration":30}"#)?.end == .duration(milliseconds: 30_000))
        #expect(Support.marker(head + #""duration":"2.5s"}"#)?.end == .duration(milliseconds: 2_500))
        #expect(Support.marker(head + #""duration":0}"#)?.end == .duration(milliseconds: 0))
        #expect(Support.marker(head + #""end":"4s"}"#)?.end == .time(.offset(milliseconds: 4_000)))
        #expect(
            Support.marker(head + #""end":"2025-03-14T18:00:30Z"}"#)?.end
                == .time(.date(WallClockTime(millisecondsSince1970: 1_741_975_230_000))))
    }

    @Test func nowOnlyWhereAllowed() throws {
        let line = #"{"id":"a","title":"t","url":"https://s.example","start":"now"}"#
        #expect(Support.marker(line, allowNow: true)?.start == .now)
        #expect(
            Support.problems(line) == [
                #"m.jsonl:1: "start": "now" is only accepted by the live API; expected seconds from the recording "#
                    + #"start (12.5 or "12.5s") or an ISO 8601 date-time with a time zone ("2025-03-14T18:00:04Z")"#
            ])
        let withoutStart = #"{"id":"a","title":"t","url":"https://s.example"}"#
        #expect(Support.marker(withoutStart, allowNow: true)?.start == .now)
        #expect(Support.problems(withoutStart) == [#"m.jsonl:1: "start": required field is missing"#])
        #expect(
            Support.marker(#"{"id":"a","title":"t","url":"https://s.example","end":"now"}"#, allowNow: true)?.end
                == .time(.now))
    }

    @Test func badTimes() {
        let head = #"{"id":"a","title":"t","url":"https://s.example","#
        let expected =
            #"expected seconds from the recording start (12.5 or "12.5s") or an ISO 8601 date-time with a time "#
            + #"zone ("2025-03-14T18:00:04Z")"#
        #expect(
            Support.problems(head + #""start":-1}"#) == [
                #"m.jsonl:1: "start": expected a number of seconds ≥ 0, got -1"#
            ])
        #expect(Support.problems(head + #""start":"soon"}"#) == [#"m.jsonl:1: "start": \#(expected), got "soon""#])
        #expect(Support.problems(head + #""start":"-5s"}"#) == [#"m.jsonl:1: "start": \#(expected), got "-5s""#])
        #expect(Support.problems(head + #""start":true}"#) == [#"m.jsonl:1: "start": \#(expected), got true"#])
        #expect(
            Support.problems(head + #""start":"2025-03-14T18:00:04"}"#) == [
                #"m.jsonl:1: "start": \#(expected), got "2025-03-14T18:00:04""#
            ])
        #expect(
            Support.problems(head + #""start":1e13}"#) == [
                #"m.jsonl:1: "start": expected a number of seconds below 10^12, got 1e13"#
            ])
        #expect(
            Support.problems(head + #""start":1,"duration":-2}"#) == [
                #"m.jsonl:1: "duration": expected a number of seconds ≥ 0, got -2"#
            ])
        #expect(
            Support.problems(head + #""start":1,"duration":"2025-03-14T18:00:04Z"}"#) == [
                #"m.jsonl:1: "duration": expected a duration in seconds (30 or "30s"), got the date "#
                    + #""2025-03-14T18:00:04Z"; use "end" for a date"#
            ])
        #expect(
            Support.problems(head + #""start":1,"duration":"long"}"#) == [
                #"m.jsonl:1: "duration": expected a duration in seconds (30 or "30s"), got "long""#
            ])
    }

    @Test func durationAndEndExcludeEachOther() {
        #expect(
            Support.problems(#"{"id":"a","title":"t","url":"https://s.example","start":1,"duration":2,"end":3}"#) == [
                #"m.jsonl:1: "end": give either "duration" or "end", not both"#
            ])
    }

    @Test func endBeforeStartInTheSameForm() {
        let head = #"{"id":"a","title":"t","url":"https://s.example","#
        #expect(
            Support.problems(head + #""start":"4s","end":3.5}"#) == [
                #"m.jsonl:1: "end": 3.5 s is before the start (4 s)"#
            ])
        #expect(
            Support.problems(head + #""start":"2025-03-14T18:00:04Z","end":"2025-03-14T18:00:03Z"}"#) == [
                #"m.jsonl:1: "end": 2025-03-14T18:00:03.000Z is before the start (2025-03-14T18:00:04.000Z)"#
            ])
    }

    // MARK: Required fields and unknown fields

    @Test func missingTitleAndURL() {
        #expect(
            Support.problems(#"{"id":"p-9","start":1}"#) == [
                #"m.jsonl:1: "title": required field is missing"#,
                #"m.jsonl:1: "url": required field is missing"#,
            ])
    }

    @Test func titleMustHaveText() {
        let head = #"{"id":"a","url":"https://s.example","start":1,"title":"#
        #expect(Support.problems(head + #""""# + "}") == [#"m.jsonl:1: "title": must not be empty"#])
        #expect(Support.problems(head + #"" \t\n""# + "}") == [#"m.jsonl:1: "title": must not be only white space"#])
        #expect(Support.problems(head + "42}") == [#"m.jsonl:1: "title": expected a string, got 42"#])
        let long = String(repeating: "é", count: 201)
        #expect(
            Support.problems(head + "\"\(long)\"}") == [#"m.jsonl:1: "title": is 201 characters long; at most 200"#])
        // 200 characters, however many bytes, is fine: an emoji ZWJ sequence is one character.
        #expect(Support.marker(head + "\"" + String(repeating: "👩‍🍳", count: 200) + "\"}")?.title.count == 200)
    }

    @Test func unknownFieldsNameTheClosestField() {
        #expect(
            Support.problems(
                #"{"id":"a","tilte":"t","title":"t","url":"https://s.example","strat":1,"start":1,"Price":2}"#)
                == [
                    #"m.jsonl:1: "tilte": unknown field; did you mean `title`?"#,
                    #"m.jsonl:1: "strat": unknown field; did you mean `start`?"#,
                    #"m.jsonl:1: "Price": unknown field; did you mean `price`?"#,
                ])
        #expect(
            Support.problems(#"{"id":"a","title":"t","url":"https://s.example","start":1,"zz":0}"#) == [
                #"m.jsonl:1: "zz": unknown field; expected one of "id", "product", "title", "url", "price", "#
                    + #""currency", "image", "attributes", "start", "duration", "end""#
            ])
    }

    // MARK: Values

    @Test func ids() {
        let tail = #","title":"t","url":"https://s.example","start":1}"#
        #expect(Support.marker(#"{"id":"SKU:1.2_3-x"# + "\"" + tail)?.id == "SKU:1.2_3-x")
        for bad in ["p 1", "p/1", "", "é", String(repeating: "x", count: 65), #"a\"b"#] {
            #expect(
                Support.problems(#"{"id":"\#(bad)"\#(tail)"#) == [
                    #"m.jsonl:1: "id": expected 1 to 64 letters, digits, ".", "_", ":" or "-", got "#
                        + MarkerDecoder.quote(bad.replacingOccurrences(of: "\\\"", with: "\""))
                ])
        }
        #expect(
            Support.problems(#"{"id":"m-0123abcd"\#(tail)"#) == [
                #"m.jsonl:1: "id": "m-0123abcd" has the form of a generated id ("m-" and 8 hexadecimal digits); "#
                    + #"choose another, or leave "id" out to have one generated"#
            ])
        #expect(Support.problems(#"{"id":7\#(tail)"#) == [#"m.jsonl:1: "id": expected a string, got 7"#])
    }

    @Test func generatedIDsAreDeterministic() throws {
        let line = #"{"title":"Mug","url":"https://s.example","start":1}"#
        let first = try #require(Support.marker(line))
        #expect(Marker.isGeneratedID(first.id))
        #expect(first.product == first.id)
        #expect(Support.marker(line)?.id == first.id)
        // The hash is of the canonical form: key order and white space do not matter.
        #expect(Support.marker(#"{ "start": 1, "url": "https://s.example", "title": "Mug" }"#)?.id == first.id)
        #expect(Support.marker(#"{"title":"Mug","url":"https://s.example","start":2}"#)?.id != first.id)
        #expect(first.id == "m-" + first.id.dropFirst(2))
        #expect(first.id.count == 10)
    }

    @Test func problemsNameTheGeneratedID() throws {
        let problem = try #require(
            MarkerFile.parse(#"{"title":"Mug","url":"x","start":1}"#, source: "m.jsonl").problems.first)
        #expect(problem.id.map(Marker.isGeneratedID) == true)
        #expect(problem.field == "url")
    }

    @Test func prices() {
        let head = #"{"id":"a","title":"t","url":"https://s.example","start":1,"price":"#
        #expect(Support.marker(head + "89.0}")?.price == "89.0")
        #expect(Support.marker(head + "29}")?.price == "29")
        #expect(Support.marker(head + #""24.50"}"#)?.price == "24.50")
        #expect(Support.marker(head + "0.1234}")?.price == "0.1234")
        #expect(Support.problems(head + #""abc"}"#) == [#"m.jsonl:1: "price": expected a number ≥ 0, got "abc""#])
        #expect(Support.problems(head + "-1}") == [#"m.jsonl:1: "price": expected a number ≥ 0, got -1"#])
        #expect(Support.problems(head + "true}") == [#"m.jsonl:1: "price": expected a number ≥ 0, got true"#])
        #expect(
            Support.problems(head + "0.12345}") == [#"m.jsonl:1: "price": expected at most 4 decimals, got 0.12345"#])
        #expect(
            Support.problems(head + "1e2}") == [
                #"m.jsonl:1: "price": write the price as a plain decimal such as 24.99, got 1e2"#
            ])
        #expect(
            Support.problems(head + "1234567890123}") == [
                #"m.jsonl:1: "price": expected at most 12 digits before the point, got 1234567890123"#
            ])
    }

    @Test func currencies() {
        let head = #"{"id":"a","title":"t","url":"https://s.example","start":1,"currency":"#
        #expect(Support.marker(head + #""ILS"}"#)?.currency == "ILS")
        #expect(
            Support.problems(head + #""usd"}"#) == [
                #"m.jsonl:1: "currency": expected an ISO 4217 code, three uppercase letters such as "USD", "#
                    + #"got "usd"; did you mean `USD`?"#
            ])
        #expect(
            Support.problems(head + #""EURO"}"#) == [
                #"m.jsonl:1: "currency": expected an ISO 4217 code, three uppercase letters such as "USD", "#
                    + #"got "EURO""#
            ])
    }

    @Test func urls() {
        let head = #"{"id":"a","title":"t","start":1,"url":"#
        #expect(Support.marker(head + #""HTTPS://shop.example/p?a=1&b=2"}"#)?.url == "HTTPS://shop.example/p?a=1&b=2")
        #expect(
            Support.problems(head + #""https://s.example/<b>"}"#) == [
                #"m.jsonl:1: "url": the URL contains `<`; percent-encode it (a space is %20, `"` is %22)"#
            ])
        #expect(Support.marker(head + #""https://shop.example.co.il/p/קרש?ref=video&utm=1#x"}"#) != nil)
        #expect(
            Support.problems(head + #""ftp://shop.example/x"}"#) == [
                #"m.jsonl:1: "url": expected an http or https URL such as "https://shop.example/p/1", got "#
                    + #""ftp://shop.example/x""#
            ])
        #expect(Support.problems(head + #""https:///p"}"#) == [#"m.jsonl:1: "url": the URL "https:///p" has no host"#])
        #expect(
            Support.problems(head + #""https://s.example/a b"}"#) == [
                #"m.jsonl:1: "url": the URL contains a space; percent-encode it (a space is %20, `"` is %22)"#
            ])
        #expect(
            Support.problems(head + #""https://s.example/a\"b"}"#) == [
                #"m.jsonl:1: "url": the URL contains `"`; percent-encode it (a space is %20, `"` is %22)"#
            ])
        #expect(
            Support.problems(head + #""https://s.example/a\nb"}"#) == [
                #"m.jsonl:1: "url": the URL contains U+000A; percent-encode it (a space is %20, `"` is %22)"#
            ])
        let long = "https://s.example/" + String(repeating: "a", count: 2040)
        #expect(Support.problems(head + "\"\(long)\"}") == [#"m.jsonl:1: "url": the URL is 2058 bytes; at most 2048"#])
        #expect(
            Support.problems(#"{"id":"a","title":"t","start":1,"url":"https://s.example","image":"data:x"}"#) == [
                #"m.jsonl:1: "image": expected an http or https URL such as "https://shop.example/p/1", got "data:x""#
            ])
    }

    @Test func attributes() throws {
        let head = #"{"id":"a","title":"t","url":"https://s.example","start":1,"attributes":"#
        #expect(Support.marker(head + #"{"color":"blue","a_b-9":""}}"#)?.attributes == ["color": "blue", "a_b-9": ""])
        #expect(
            Support.problems(head + #"{"Color":"blue","size":12,"x y":"z"}}"#) == [
                #"m.jsonl:1: "attributes.Color": expected a key of 1 to 32 lowercase letters, digits, "_" and "-"; "#
                    + "did you mean `color`?",
                #"m.jsonl:1: "attributes.size": expected a string, got 12"#,
                #"m.jsonl:1: "attributes.x y": expected a key of 1 to 32 lowercase letters, digits, "_" and "-""#,
            ])
        #expect(
            Support.problems(head + #"["a"]}"#) == [
                #"m.jsonl:1: "attributes": expected an object of string values, got a list"#
            ])
    }

    @Test func productAndStringTypes() {
        let head = #"{"id":"a","title":"t","url":"https://s.example","start":1,"product":"#
        #expect(Support.problems(head + #""  "}"#) == [#"m.jsonl:1: "product": must not be only white space"#])
        #expect(Support.problems(head + "{}}") == [#"m.jsonl:1: "product": expected a string, got an object"#])
        #expect(
            Support.problems(head + "\"\(String(repeating: "x", count: 129))\"}") == [
                #"m.jsonl:1: "product": is 129 characters long; at most 128"#
            ])
    }

    @Test func oversizeMarkerObject() {
        let attributes = (0..<40).map { #""k\#($0)":"\#(String(repeating: "v", count: 100))""# }.joined(separator: ",")
        let text = #"{"id":"a","title":"t","url":"https://s.example","start":1,"attributes":{\#(attributes)}}"#
        #expect(text.utf8.count > 4096)
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let result = MarkerDecoder.decode(jsonObject: object ?? [:], allowNow: true)
        guard case .failure(let failure) = result else {
            Issue.record("an oversize marker was accepted")
            return
        }
        #expect(
            failure.problems.map(\.description) == [
                #"api: marker "a": the marker is 4423 bytes as compact JSON; at most 4096"#
            ])
    }

    // MARK: JSONSerialization objects (the API)

    @Test func jsonSerializationObjectsDecodeTheSame() throws {
        let text =
            #"{"id":"p-1","title":"Chef's \"Knife\"","url":"https://s.example","price":89.0,"start":1.5,"duration":4,"#
            + #""attributes":{"a":"b"}}"#
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let fromAPI = try MarkerDecoder.decode(jsonObject: object, allowNow: true).get()
        #expect(fromAPI == Support.marker(text))
        #expect(fromAPI.price == "89.0")
        // Booleans are told apart from numbers.
        let flag = try #require(
            try JSONSerialization.jsonObject(with: Data(#"{"title":"t","url":"https://s.example","price":true}"#.utf8))
                as? [String: Any])
        guard case .failure(let failure) = MarkerDecoder.decode(jsonObject: flag, allowNow: true) else {
            Issue.record("a boolean price was accepted")
            return
        }
        #expect(failure.problems.map(\.message) == ["expected a number ≥ 0, got true"])
        #expect(failure.problems.first?.source == "api")
        #expect(failure.problems.first?.line == nil)
        // Swift values built by hand work too.
        let built: [String: Any] = ["title": "t", "url": "https://s.example", "start": 2, "duration": 1.5]
        let marker = try MarkerDecoder.decode(jsonObject: built, allowNow: false).get()
        #expect(marker.start == .offset(milliseconds: 2_000))
        #expect(marker.end == .duration(milliseconds: 1_500))
    }

    @Test func notAnObject() {
        #expect(Support.problems("[1,2]") == ["m.jsonl:1: expected a JSON object of marker fields, got a list"])
        #expect(Support.problems("\"x\"") == [#"m.jsonl:1: expected a JSON object of marker fields, got "x""#])
    }
}
