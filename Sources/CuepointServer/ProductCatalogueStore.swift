import Cuepoint
import Synchronization

/// The product catalogue of one live show, shared by the requests that read and replace it
/// (`GET`/`PUT /v1/products`) and the marker API, which refuses a marker for a product the
/// catalogue does not list once the catalogue has products.
///
/// Replacing is all or nothing: a catalogue with any problem is refused as a whole and the one
/// in place stays.
public final class ProductCatalogueStore: Sendable {
    private let state: Mutex<ProductCatalogue>

    public init(_ catalogue: ProductCatalogue = ProductCatalogue()) {
        state = Mutex(catalogue)
    }

    /// The catalogue now.
    public var catalogue: ProductCatalogue { state.withLock { $0 } }

    /// Puts `catalogue` in place of the current one.
    public func replace(with catalogue: ProductCatalogue) {
        state.withLock { $0 = catalogue }
    }
}
