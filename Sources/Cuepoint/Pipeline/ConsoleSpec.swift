/// The producer console of a live job: the `console:` section of a pipeline file.
///
/// The console (`/console`, behind the marker token; docs/console.md) lists a product
/// catalogue with "Pin now" and "Unpin" per product. ``products`` names the catalogue's file
/// (the format of `--products FILE`); `PUT /v1/products` replaces it while the show runs, and
/// the catalogue last accepted is kept beside the recording
/// (``RecordingLayout/productCatalogue``), so a restart takes that one back.
public struct ConsoleSpec: Sendable, Equatable {
    /// The catalogue file (`products:`), read when the job starts; nil: an empty catalogue
    /// until `PUT /v1/products`.
    public var products: String?

    public init(products: String? = nil) {
        self.products = products
    }
}
