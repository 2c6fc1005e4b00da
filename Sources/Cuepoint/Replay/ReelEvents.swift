import Foundation

/// Viewer events for choosing the reel's moments: a JSON-lines file, one event per line.
///
/// ```json
/// {"type": "click", "marker": "p-0003", "time": "2025-03-14T18:05:00Z"}
/// {"type": "pin", "product": "SKU-BRD-OAK-40"}
/// ```
///
/// An event names a marker by `marker` (its id) or a product by `product` (its product id; it
/// counts for every marker of that product). `type` is any non-empty text (`click`, `pin`,
/// `add_to_cart`); other fields are ignored. Lines that are not such an object, or that name no
/// product of the replay, are reported by line and skipped.
enum ReelEvents {
    /// The number of events per product index, and the notes.
    static func count(path: String, products: [ChapterPlan.Product]) -> (counts: [Int: Int], notes: [String]) {
        guard let data = FileContents.read(atPath: path) else {
            return ([:], ["\(path): the reel's events file cannot be read; the reel is made in show order"])
        }
        var counts: [Int: Int] = [:]
        var notes: [String] = []
        var byMarker: [String: Int] = [:]
        var byProduct: [String: [Int]] = [:]
        for (index, product) in products.enumerated() {
            byMarker[product.marker.id] = index
            byProduct[product.marker.marker.product, default: []].append(index)
        }
        let text = String(decoding: data, as: UTF8.self)
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            let place = "\(path):\(offset + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                notes.append("\(place): not a JSON object; the line is skipped")
                continue
            }
            guard let type = object["type"] as? String, !type.isEmpty else {
                notes.append("\(place): an event needs a \"type\" (click, pin, …); the line is skipped")
                continue
            }
            var matched: [Int] = []
            if let marker = object["marker"] as? String {
                matched = byMarker[marker].map { [$0] } ?? []
            } else if let product = object["product"] as? String {
                matched = byProduct[product] ?? []
            } else {
                notes.append("\(place): an event needs a \"marker\" or a \"product\"; the line is skipped")
                continue
            }
            if matched.isEmpty {
                notes.append("\(place): the event names no product of the replay; the line is skipped")
            }
            for index in matched { counts[index, default: 0] += 1 }
        }
        return (counts, notes)
    }
}
