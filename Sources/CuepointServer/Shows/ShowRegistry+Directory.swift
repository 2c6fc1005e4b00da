import Cuepoint
import Foundation
import Logging

// MARK: - Shows from a directory of pipeline files
//
// With `shows_directory`, every `.yaml`, `.yml` or `.json` file there is a show, created when
// the file appears (its `name` is the id). A file that changes while its show still waits for
// its publisher replaces the show's document (same stream key and marker token); a change
// after that is reported and waits for the next show. A file that cannot be decoded is
// reported once per change with every problem, and created when it is corrected. Files are
// looked at every poll interval: polling works on every file system, network ones included.

extension ShowRegistry {
    func readShowsDirectory() {
        guard let folder = configuration.showsDirectory else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let known = knownFiles()
        for name in names.sorted() where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
            let path = folder.appendingPathComponent(name).path
            guard let date = Self.modificationDate(path), known[path] != date else { continue }
            noteFile(path, date)
            guard let data = FileContents.read(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                logger.warning("\(path): cannot read the pipeline file as UTF-8 text")
                continue
            }
            let existing = everyShow.first { $0.record.file == path }
            if let existing {
                update(existing, from: text, path: path)
                continue
            }
            do throws(ShowError) {
                try create(document: text, json: name.hasSuffix(".json"), file: path)
            } catch {
                logger.warning("\(path): the show cannot be created: \(error); \(error.fix)")
            }
        }
    }

    /// A changed file of show `show`: replaces its document while it waits for its publisher.
    private func update(_ show: Show, from text: String, path: String) {
        guard text != show.document else { return }
        guard show.current == .waitingForPublisher else {
            logger.warning(
                "\(path) changed while show \(show.id) is \(show.current.name); the change is not applied to it")
            return
        }
        let record = show.record
        let spec: PipelineSpec
        do throws(ShowError) {
            spec = try decodeKept(text, streamKey: record.streamKey, fileName: path)
        } catch {
            logger.warning("\(path): the change cannot be applied: \(error)")
            return
        }
        guard spec.name == show.id else {
            logger.warning("\(path): the file now names show \(spec.name), not \(show.id); add a new file for a new show")
            return
        }
        do {
            try layout.saveDocument(text, named: record.document, of: record.id)
        } catch {
            logger.warning("cannot keep the new document of show \(show.id): \(error)")
            return
        }
        let configured: ProductCatalogue
        do throws(ShowError) {
            configured = try configuredCatalogue(spec, fileName: path)
        } catch {
            logger.warning("\(path): the change cannot be applied: \(error)")
            return
        }
        // A catalogue the producer set through the API stays ahead of the file's.
        let (products, _) = ProductCatalogueStore.restoring(configured: configured, file: catalogueFile(spec))
        replace(show, with: Show(record: record, spec: spec, document: text, products: products))
        logger.info("show \(show.id): \(path) changed; the show takes the new document")
    }
}
