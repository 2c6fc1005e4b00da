internal import Yams

extension PipelineDecoder {
    /// The keys of `console:`.
    static let consoleKeys = ["products"]

    /// The `console:` section. The catalogue file is read when the job starts (as marker files
    /// are), where every problem of it is reported by line and field.
    mutating func decodeConsole(_ node: Node, key: Node) -> ConsoleSpec? {
        if isNull(node) {
            report(key, "console", "expected a mapping such as `{ products: products.json }`, got nothing")
            return nil
        }
        guard let fields = fields(of: node, path: "console", known: Self.consoleKeys) else { return nil }
        var console = ConsoleSpec()
        if let node = optional("products", in: fields) {
            console.products = nonEmptyText(node, "console.products")
        }
        return console
    }
}
