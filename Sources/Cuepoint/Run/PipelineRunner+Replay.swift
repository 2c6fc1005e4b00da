import CuepointObjectStorage
import Foundation

// MARK: - The pipeline's `replay:` section
//
// After the recording is finalised, the replay is exported: from the local recording, or, when
// the recording is published, from the store (the first target that took everything), so the
// replay is made from what viewers see; into `replay.directory`, which may be a store too
// (`s3://shows/spring-sale-replay`, with the settings and keys of a publish target on the same
// store).

extension PipelineRunner {
    /// Fails before recording, rather than after it, when the replay would be refused.
    func checkReplayDestination(_ replay: ReplaySpec, publication: Publication?) throws(CuepointError) {
        let destination = replayDirectory(replay)
        if StoredReplay.isStore(destination) {
            let remote = try StoredReplay.store(destination, publish: spec.output.publish, environment: options.environment)
            try RecordingTransfer.checkPackageDestination(remote, force: replay.options.force)
        } else {
            try ReplayStaging.check(destination: destination, recording: directory, force: replay.options.force)
        }
    }

    /// Exports the `replay:` package of a finished recording; nil without a `replay:` section or
    /// when nothing was recorded.
    func exportReplay(
        summary: RunSummary, publication: Publication?, published: [Publication.Outcome], warnings: WarningCollector
    ) throws(CuepointError) -> ReplayResult? {
        guard let replay = spec.replay, !summary.renditions.isEmpty else { return nil }
        let destinationText = replayDirectory(replay)
        let destination: StoredReplay.Location =
            StoredReplay.isStore(destinationText)
            ? .store(try StoredReplay.store(destinationText, publish: spec.output.publish, environment: options.environment))
            : .directory(destinationText)
        var source = StoredReplay.Location.directory(directory.path)
        if let publication {
            let complete = zip(publication.targets, published).filter { $0.1.summary.isComplete }.map(\.0)
            if let target = complete.first(where: \.lists) ?? complete.first {
                source = .store(target.remote)
            } else {
                warnings.add(
                    "no publish target took the whole recording; the replay is made from the local recording in"
                        + " \(directory.path)")
            }
        }
        return try StoredReplay.export(source: source, destination: destination, options: replay.options)
    }
}
