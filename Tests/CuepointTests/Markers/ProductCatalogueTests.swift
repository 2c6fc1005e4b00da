import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// The console's product catalogue: a JSON array of cards, checked by the marker rules, every
/// problem reported by line and field.
@Suite(.ownThreads) struct ProductCatalogueTests {
    @Test("a catalogue decodes in order, with optional fields left out, and writes back as JSON")
    func decodes() throws {
        let text = """
            [
              {"id": "SKU-KNF-8IN", "title": "Chef's Knife 8\\"", "price": 89.00, "currency": "USD",
               "image": "https://shop.example/i/knife.jpg", "url": "https://shop.example/p/knife"},
              {"id": "SKU-MUG", "title": "Mug", "url": "https://shop.example/p/mug"}
            ]
            """
        let catalogue = try ProductCatalogue.parse(text, source: "products.json").get()
        #expect(catalogue.cards.map(\.id) == ["SKU-KNF-8IN", "SKU-MUG"])
        #expect(catalogue.card("SKU-KNF-8IN")?.title == "Chef's Knife 8\"")
        #expect(catalogue.card("SKU-KNF-8IN")?.price == "89.00" && catalogue.card("SKU-KNF-8IN")?.currency == "USD")
        #expect(catalogue.card("SKU-MUG")?.price == nil && catalogue.card("SKU-MUG")?.image == nil)
        #expect(catalogue.card("SKU-NONE") == nil)
        #expect(
            catalogue.jsonText
                == #"[{"id":"SKU-KNF-8IN","title":"Chef's Knife 8\"","price":89.00,"currency":"USD","image":"https://shop.example/i/knife.jpg","url":"https://shop.example/p/knife"},{"id":"SKU-MUG","title":"Mug","url":"https://shop.example/p/mug"}]"#
        )
        #expect(try ProductCatalogue.parse(catalogue.jsonText, source: "again").get() == catalogue)
    }

    @Test("bad fields are reported by line and field, all at once; a misspelt field names the right one")
    func badFields() {
        let text = """
            [
              {"id": "SKU-1", "title": "One", "url": "https://shop.example/1"},
              {"id": "SKU-2", "tilte": "Two", "url": "https://shop.example/2"},
              {"id": "SKU-3", "title": "Three", "url": "ftp://shop.example/3", "price": "abc"},
              {"title": "Four", "url": "https://shop.example/4", "start": 3},
              {"id": "SKU-1", "title": "Again", "url": "https://shop.example/1b"},
              "SKU-6"
            ]
            """
        guard case .failure(let problems) = ProductCatalogue.parse(text, source: "products.json") else {
            Issue.record("a bad catalogue was taken")
            return
        }
        #expect(
            problems.problems.map(\.description) == [
                "products.json:3: \"tilte\": unknown field; did you mean `title`?",
                "products.json:3: \"title\": required field is missing",
                "products.json:4: \"url\": expected an http or https URL such as \"https://shop.example/p/1\", got \"ftp://shop.example/3\"",
                "products.json:4: \"price\": expected a number ≥ 0, got \"abc\"",
                "products.json:5: \"start\": unknown field; expected one of \"id\", \"title\", \"price\", \"currency\", \"image\", \"url\"",
                "products.json:5: \"id\": required field is missing",
                "products.json:6: \"id\": \"SKU-1\" is already the id of the product on line 2",
                "products.json:7: expected a JSON object of product fields (id, title, price, currency, image, url), got a string",
            ], "\(problems.problems.map(\.description))")
        #expect(problems.problems.map(\.line) == [3, 3, 4, 4, 5, 5, 6, 7])
    }

    @Test("not JSON, not an array, an unreadable file: one problem that says what to give")
    func notACatalogue() {
        let malformed = ProductCatalogue.parse("[{\"id\": \"a\",\n}]", source: "p.json")
        #expect(
            failureText(malformed) == "p.json:2: malformed JSON at column 1: expected a field name in double quotes, found `}`")
        let object = ProductCatalogue.parse(#"{"id": "a"}"#, source: "p.json")
        #expect(failureText(object)?.hasPrefix("p.json:1: expected a JSON array of products") == true)
        let missing = ProductCatalogue.load(path: "/nonexistent/products.json")
        #expect(
            failureText(missing) == "/nonexistent/products.json: cannot be read; give the path of a JSON array of products")
    }
}

private func failureText(_ result: Result<ProductCatalogue, MarkerProblems>) -> String? {
    if case .failure(let problems) = result { return problems.description }
    return nil
}
