import CuepointJSON
import Foundation

/// The products a producer can pin during a live show: the catalogue the console
/// (`/console`) lists with "Pin now" and "Unpin" buttons.
///
/// It comes from a JSON file (`--products FILE`) or from `PUT /v1/products`, in one format: a
/// JSON array of product cards.
///
/// ```json
/// [
///   {"id": "SKU-KNF-8IN", "title": "Chef's Knife 8\"", "price": 89.0, "currency": "USD",
///    "image": "https://shop.example.com/i/knife.jpg", "url": "https://shop.example.com/p/knife"}
/// ]
/// ```
///
/// Each card is checked by the marker rules (``MarkerDecoder``), because pinning a card makes a
/// marker of it: `id` follows the rules of a marker's `product`, `title` of its `title`, and so
/// on. `id`, `title` and `url` are required; `price`, `currency` and `image` are optional; no
/// other field is taken (a misspelt one is named with the closest valid one). Ids are unique.
/// Every problem is reported at once, by line and field, in the form marker files use:
///
///     products.json:4: "price": expected a number ≥ 0, got "abc"
public struct ProductCatalogue: Sendable, Equatable {
    /// One product as the console shows it and a pin places it.
    public struct Card: Sendable, Equatable {
        /// The product's id (a SKU): the `product` of the markers that pin it.
        public var id: String
        public var title: String
        /// The Buy link (http or https).
        public var url: String
        /// A decimal text as written (`89.00`); nil when not given.
        public var price: String?
        /// An ISO 4217 code (`USD`); nil when not given.
        public var currency: String?
        /// An http or https image URL; nil when not given.
        public var image: String?

        public init(
            id: String, title: String, url: String, price: String? = nil, currency: String? = nil, image: String? = nil
        ) {
            self.id = id
            self.title = title
            self.url = url
            self.price = price
            self.currency = currency
            self.image = image
        }
    }

    /// The fields of a card, in documentation order.
    public static let fieldNames = ["id", "title", "price", "currency", "image", "url"]
    /// The most cards a catalogue holds.
    public static let maximumCards = 1000
    /// The largest catalogue taken (a file or a request body), in bytes.
    public static let maximumBytes = 1024 * 1024

    /// The cards, in the order given.
    public var cards: [Card]

    public init(cards: [Card] = []) {
        self.cards = cards
    }

    /// The card of product `id`; nil when the catalogue has none.
    public func card(_ id: String) -> Card? {
        cards.first { $0.id == id }
    }

    /// Reads a catalogue from its JSON text.
    ///
    /// - Parameters:
    ///   - text: A JSON array of card objects.
    ///   - source: What problems name as the source: the file as it was named, or `api`.
    /// - Returns: The catalogue, or every problem found, each with its line (of the card's
    ///   object) and its field.
    public static func parse(_ text: String, source: String) -> Result<ProductCatalogue, MarkerProblems> {
        func failure(_ line: Int?, _ field: String?, _ message: String) -> Result<ProductCatalogue, MarkerProblems> {
            .failure(MarkerProblems([MarkerProblem(source: source, line: line, field: field, message: message)]))
        }
        guard text.utf8.count <= maximumBytes else {
            return failure(nil, nil, "the catalogue is \(text.utf8.count) bytes; at most \(maximumBytes)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            return failure(error.line, nil, "malformed JSON at column \(error.column): \(error.message)")
        }
        guard case .array(let elements) = value.kind else {
            return failure(
                value.line, nil,
                #"expected a JSON array of products such as [{"id":"SKU-1","title":"Mug","url":"https://shop.example/mug"}], got \#(value.typeName)"#
            )
        }
        guard elements.count <= maximumCards else {
            return failure(value.line, nil, "the catalogue has \(elements.count) products; at most \(maximumCards)")
        }
        var cards: [Card] = []
        var problems: [MarkerProblem] = []
        var lines: [String: Int] = [:]
        for element in elements {
            let line = element.line > 0 ? element.line : nil
            switch card(from: element, source: source, line: line) {
            case .failure(let failure):
                problems += failure.problems
            case .success(let card):
                if let first = lines[card.id] {
                    problems.append(
                        MarkerProblem(
                            source: source, line: line, field: "id",
                            message: "\(MarkerDecoder.quote(card.id)) is already the id of the product on line \(first)"))
                } else {
                    lines[card.id] = line ?? 0
                    cards.append(card)
                }
            }
        }
        return problems.isEmpty ? .success(ProductCatalogue(cards: cards)) : .failure(MarkerProblems(problems))
    }

    /// Reads a catalogue file (`--products FILE`).
    ///
    /// - Returns: The catalogue, or its problems; a file that cannot be read or is not UTF-8 is
    ///   one problem naming the file.
    public static func load(path: String) -> Result<ProductCatalogue, MarkerProblems> {
        guard let data = FileContents.read(atPath: path) else {
            return .failure(
                MarkerProblems([
                    MarkerProblem(source: path, message: "cannot be read; give the path of a JSON array of products")
                ]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(MarkerProblems([MarkerProblem(source: path, message: "is not UTF-8 text; save it as UTF-8")]))
        }
        return parse(text, source: path)
    }

    /// One card from its object: the fields are checked by the marker rules, by decoding a
    /// stand-in marker whose `product` is the card's `id`.
    static func card(from value: JSONValue, source: String, line: Int?) -> Result<Card, MarkerProblems> {
        guard let members = value.members else {
            return .failure(
                MarkerProblems([
                    MarkerProblem(
                        source: source, line: line,
                        message: "expected a JSON object of product fields (\(fieldNames.joined(separator: ", "))), got \(value.typeName)"
                    )
                ]))
        }
        var problems: [MarkerProblem] = []
        var standIn: [JSONMember] = [JSONMember(key: "id", value: .string("card")), JSONMember(key: "start", value: .number("0"))]
        for member in members {
            if member.key == "id" {
                standIn.append(JSONMember(key: "product", value: member.value))
            } else if fieldNames.contains(member.key) {
                standIn.append(member)
            } else {
                let suggestion = KeySuggestion.closest(to: member.key, among: fieldNames)
                problems.append(
                    MarkerProblem(
                        source: source, line: line, field: member.key,
                        message: suggestion == nil
                            ? "unknown field; expected one of \(fieldNames.map { "\"\($0)\"" }.joined(separator: ", "))"
                            : "unknown field",
                        suggestion: suggestion))
            }
        }
        let productID = members.first { $0.key == "id" }?.value
        if productID == nil || productID == .null {
            problems.append(MarkerProblem(source: source, line: line, field: "id", message: "required field is missing"))
        }
        let decoded = MarkerDecoder.decode(.object(standIn), options: .init(), source: source, line: line)
        switch decoded {
        case .failure(let failure):
            // The stand-in's `product` is the card's `id`; the stand-in's own id is not the card's.
            problems += failure.problems.map { problem in
                var named = problem
                named.id = nil
                if named.field == "product" { named.field = "id" }
                return named
            }
            return .failure(MarkerProblems(problems))
        case .success(let marker):
            guard problems.isEmpty else { return .failure(MarkerProblems(problems)) }
            return .success(
                Card(
                    id: marker.product, title: marker.title, url: marker.url ?? "", price: marker.price,
                    currency: marker.currency, image: marker.image))
        }
    }

    /// The catalogue as the API answers it (`GET /v1/products`): a JSON array of cards.
    public var jsonText: String {
        JSONWriter.compact(
            .array(
                cards.map { card in
                    var members: [(String, JSONValue)] = [("id", .string(card.id)), ("title", .string(card.title))]
                    if let price = card.price { members.append(("price", .number(price))) }
                    if let currency = card.currency { members.append(("currency", .string(currency))) }
                    if let image = card.image { members.append(("image", .string(image))) }
                    members.append(("url", .string(card.url)))
                    return .object(pairs: members)
                }))
    }
}
