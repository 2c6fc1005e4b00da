import ArgumentParser
import Cuepoint

/// `--products FILE`: the console's catalogue, or every problem of the file, one per line
/// (`products.json:4: "price": expected a number ≥ 0, got "abc"`).
enum ConsoleProducts {
    ///
    /// - Parameter key: What named the file in messages: `--products`, or the pipeline file and
    ///   its `console.products`.
    static func load(_ path: String, key: String = "--products") throws -> ProductCatalogue {
        switch ProductCatalogue.load(path: path) {
        case .success(let catalogue):
            return catalogue
        case .failure(let problems):
            throw ValidationError("\(key): \(path) is not a list of products:\n" + problems.description)
        }
    }
}