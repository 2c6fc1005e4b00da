import Cuepoint
import Hummingbird

/// The console's product catalogue on the marker API: `GET /v1/products` (the catalogue, a JSON
/// array of cards) and `PUT /v1/products` (a new catalogue, in the format of `--products FILE`),
/// behind the same checks as the markers (token, rate, body size).
extension MarkerRoutes {
    /// `GET /v1/products`: the catalogue; `[]` when it has no products.
    func listProducts(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        Self.json(.ok, api.products.catalogue.jsonText)
    }

    /// `PUT /v1/products`: replaces the catalogue as a whole; 200 with the new one. A body that
    /// is not JSON is 400; a catalogue with any bad card is 422 naming each problem by line and
    /// field, and the catalogue in place stays. The new catalogue is kept on disk before the
    /// answer (``ProductCatalogueStore/file``); when it cannot be, 503 and the old one stays.
    func replaceProducts(_ request: Request, _ context: ServerRequestContext, _ api: MarkerAPI) async -> Response {
        let text: String
        switch await readBody(request, limit: ProductCatalogue.maximumBytes) {
        case .refused(let refusal):
            rejected(api)
            return refusal
        case .text(let body):
            text = body
        }
        switch ProductCatalogue.parse(text, source: "api") {
        case .failure(let problems):
            rejected(api)
            let malformed = problems.problems.count == 1 && problems.problems[0].message.hasPrefix("malformed JSON")
            if malformed {
                return Self.error(.badRequest, problems.description, fix: Self.productsFix)
            }
            let field = problems.problems.first { $0.field != nil }?.field
            let suggestion = problems.problems.lazy.compactMap(\.suggestion).first
            return Self.error(
                .unprocessableContent, problems.description, field: field,
                fix: suggestion.map { "did you mean `\($0)`?" } ?? Self.productsFix, problems: problems.problems)
        case .success(let catalogue):
            do {
                try api.products.replace(with: catalogue)
            } catch {
                // Not acknowledged: the producer sends it again once the disk is fixed.
                return Self.error(.serviceUnavailable, error.description, fix: "send the catalogue again once the disk is fixed")
            }
            return Self.json(.ok, catalogue.jsonText)
        }
    }

    static let productsFix =
        #"send a JSON array of products such as [{"id":"SKU-1","title":"Mug","price":9.5,"currency":"EUR","url":"https://shop.example/mug"}]; docs/console.md gives the rules"#

    /// 422 for a marker whose product the catalogue does not list.
    static func unknownProduct(_ marker: Marker, _ catalogue: ProductCatalogue) -> Response {
        let known = catalogue.cards.prefix(10).map { "\"\($0.id)\"" }.joined(separator: ", ")
        let more = catalogue.cards.count > 10 ? ", …" : ""
        let problem = MarkerProblem(
            source: "api", id: marker.id, field: "product",
            message: "unknown product \"\(EchoedText.value(marker.product, limit: 64))\"; the catalogue has \(known)\(more)")
        return error(
            .unprocessableContent, problem.description, field: "product",
            fix: "pin a product of the catalogue (GET /v1/products), or add it with PUT /v1/products",
            problems: [problem])
    }
}
