public import Cuepoint
public import Foundation
import NIOConcurrencyHelpers

/// The product catalogue of one live show, shared by the requests that read and replace it
/// (`GET`/`PUT /v1/products`) and the marker API, which refuses a marker for a product the
/// catalogue does not list once the catalogue has products.
///
/// Replacing is all or nothing: a catalogue with any problem is refused as a whole and the one
/// in place stays. With a ``file``, a new catalogue is written there (atomically) before it
/// takes effect, so a catalogue the API acknowledged outlives a crash or a restart:
/// ``restoring(configured:file:)`` takes it back on the next start, ahead of the configured one.
public final class ProductCatalogueStore: Sendable {
    private let state: NIOLockedValueBox<ProductCatalogue>
    /// Where an accepted catalogue is kept (``RecordingLayout/productCatalogue`` in the
    /// recording's folder); nil keeps it in memory only.
    public let file: URL?

    public init(_ catalogue: ProductCatalogue = ProductCatalogue(), file: URL? = nil) {
        state = NIOLockedValueBox(catalogue)
        self.file = file
    }

    /// The store of a show that may have run before: the catalogue kept in `file` when there is
    /// one (the producer's last accepted catalogue), else `configured` (`--products`,
    /// `console.products`).
    ///
    /// - Returns: The store, and a note when the kept catalogue was taken or could not be read
    ///   (then `configured` is used and the note names the file).
    public static func restoring(configured: ProductCatalogue, file: URL) -> (ProductCatalogueStore, note: String?) {
        guard FileManager.default.fileExists(atPath: file.path) else {
            return (ProductCatalogueStore(configured, file: file), nil)
        }
        switch ProductCatalogue.load(path: file.path) {
        case .success(let kept):
            return (
                ProductCatalogueStore(kept, file: file),
                "\(file.path): the console's catalogue as last accepted (\(kept.cards.count) products) is taken back; it replaces the configured one"
            )
        case .failure(let problems):
            return (
                ProductCatalogueStore(configured, file: file),
                "\(file.path): the kept catalogue cannot be read (\(problems.description)); the configured one is used"
            )
        }
    }

    /// The catalogue now.
    public var catalogue: ProductCatalogue { state.withLockedValue { $0 } }

    /// Puts `catalogue` in place of the current one, after keeping it in ``file``.
    ///
    /// - Throws: ``KeepFailure`` when the file cannot be written; the catalogue in place stays.
    public func replace(with catalogue: ProductCatalogue) throws(KeepFailure) {
        // NIOLockedValueBox's closure throws untyped errors: the failure comes back as a value.
        let kept: Result<Void, KeepFailure> = state.withLockedValue { current in
            if let file {
                do throws(KeepFailure) { try Self.keep(catalogue, in: file) } catch { return .failure(error) }
            }
            current = catalogue
            return .success(())
        }
        try kept.get()
    }

    /// A catalogue that could not be written to its file.
    public struct KeepFailure: Error, CustomStringConvertible {
        public var file: URL
        public var reason: String
        public var description: String {
            "the catalogue cannot be kept in \(file.path) (\(reason)); the one in place stays: free space or fix the "
                + "folder's permissions, then send it again"
        }
    }

    /// Writes the catalogue beside `file` and renames it over, so the file is always a whole one.
    private static func keep(_ catalogue: ProductCatalogue, in file: URL) throws(KeepFailure) {
        let temporary = URL(fileURLWithPath: RecordingLayout.temporary(file.path))
        do {
            // A show waiting for its publisher may not have its folder yet.
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((catalogue.jsonText + "\n").utf8).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KeepFailure(file: file, reason: error.localizedDescription)
        }
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw KeepFailure(file: file, reason: reason)
        }
    }
}
