import CuepointJSON
import CuepointTime

/// A marker written as JSON: the input format (for the log and for re-checking a marker built in
/// code) and the card (what players receive).
extension Marker {
    /// The marker as a JSON-lines object: every field it has, `product` always, `attributes` when
    /// not empty, and its times as given (`start` in seconds, a date, or `"now"`; `duration` in
    /// seconds or `end`).
    func jsonValue() -> JSONValue {
        var members = cardMembers()
        members.append(JSONMember(key: "start", value: Self.jsonValue(start)))
        switch end {
        case nil: break
        case .duration(let milliseconds):
            members.append(
                JSONMember(
                    key: "duration", value: .number(SecondsText.shortest(milliseconds: milliseconds))))
        case .time(let time):
            members.append(JSONMember(key: "end", value: Self.jsonValue(time)))
        }
        return .object(members)
    }

    /// The card: `id`, `product`, `title` (exactly as given), and `url`, `price` (a number),
    /// `currency`, `image` and `attributes` when present, in documentation order.
    func cardMembers() -> [JSONMember] {
        var members: [JSONMember] = [
            JSONMember(key: "id", value: .string(id)),
            JSONMember(key: "product", value: .string(product)),
            JSONMember(key: "title", value: .string(title)),
        ]
        if let url { members.append(JSONMember(key: "url", value: .string(url))) }
        if let price { members.append(JSONMember(key: "price", value: .number(price))) }
        if let currency { members.append(JSONMember(key: "currency", value: .string(currency))) }
        if let image { members.append(JSONMember(key: "image", value: .string(image))) }
        if !attributes.isEmpty {
            let sorted = attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            members.append(
                JSONMember(
                    key: "attributes",
                    value: .object(sorted.map { JSONMember(key: $0, value: .string(attributes[$0] ?? "")) })))
        }
        return members
    }

    /// The card as canonical JSON (keys sorted by their UTF-8 bytes, no white space, only `"`,
    /// `\` and control characters escaped), in UTF-8: the payload of the DATERANGE card
    /// attribute (base64url) and of the ID3 TXXX frame.
    public var cardJSON: [UInt8] {
        Array(JSONWriter.compact(.object(cardMembers()), sortedKeys: true).utf8)
    }

    static func jsonValue(_ time: MarkerTime) -> JSONValue {
        switch time {
        case .offset(let milliseconds): return .number(SecondsText.shortest(milliseconds: milliseconds))
        case .date(let date): return .string(date.iso8601)
        case .now: return .string("now")
        }
    }
}
