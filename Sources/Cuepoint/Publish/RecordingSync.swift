import CuepointObjectStorage
import CuepointTime
public import Foundation
public import Logging

/// Brings a publish target up to date with a local recording: what a run that resumes its
/// local directory, and `cuepoint publish`, do first, so that nothing a previous run could not
/// upload (its backlog when it ended, or the whole recording when it had no target) is missing
/// on the store.
///
/// Everything goes through the target's replicator, in the order the pipeline itself keeps:
///
/// 1. **Files**: every segment and init section in the renditions' folders that the store does
///    not hold with the same size (an S3 target is listed first; an HTTP origin cannot be
///    listed, so every file is handed over and the replicator's HEAD skips what is there). A
///    file the store holds with another size is reported as a conflict, never overwritten.
/// 2. **Documents**, after every file: each rendition's playlists, `master.m3u8`,
///    `markers.jsonl`, then `recording.json`.
///
/// Deletions are not replayed: a segment that left a live-only window while the store was out
/// of reach stays on the store (a lifecycle rule on the bucket cleans such leftovers).
public enum RecordingSync {
    /// What was handed over.
    struct Handed: Equatable {
        var files = 0
        var documents = 0
    }

    /// Hands `target` what `local` holds and the store lacks.
    ///
    /// - Throws: ``CuepointError`` when the local directory or the store's listing cannot be read.
    @discardableResult
    static func catchUp(local: DirectoryStore, target: Publication.Target) throws(CuepointError) -> Handed {
        let files = try OutputFiles.listing(local)
        var stored: [String: Int64] = [:]
        if target.lists {
            let remote = try OutputFiles.listing(target.remote)
            stored = remote.sizes
        }
        var handed = Handed()
        let media = (files.initSections + files.segments).sorted(by: Self.publishOrder)
        for path in media {
            guard let size = files.sizes[path], stored[path] != size, let localPath = local.localPath(of: path) else { continue }
            target.replicator.fileCommitted(key: path, path: localPath, byteCount: Int(size))
            handed.files += 1
        }
        var caching = DocumentCaching()
        for path in try documents(of: local) {
            guard let bytes = try? local.read(path) else { continue }
            let decision = caching.decide(path: path, bytes: bytes)
            target.replicator.documentReplaced(
                key: path, bytes: bytes, isFinal: decision.isFinal, targetDurationMilliseconds: decision.targetDurationMilliseconds)
            handed.documents += 1
        }
        return handed
    }

    /// The documents of a local recording in the order the pipeline publishes them.
    static func documents(of local: DirectoryStore) throws(CuepointError) -> [String] {
        let top: [StoreEntry]
        do {
            top = try local.list("")
        } catch {
            throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        }
        var paths: [String] = []
        for folder in top where folder.isFolder {
            for kind in PlaylistKind.allCases {
                let path = RecordingLayout.playlistPath(kind, in: folder.name)
                if local.exists(path) { paths.append(path) }
            }
        }
        for path in [RecordingLayout.multivariantPlaylist, RecordingLayout.markerLog, RecordingLayout.state]
        where local.exists(path) {
            paths.append(path)
        }
        return paths
    }

    /// Init sections before segments, each in number order within its rendition.
    private static func publishOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ path: String) -> (String, Int, Int64) {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let folder = String(path.dropLast(name.count))
            if let number = RecordingLayout.initNumber(name) { return (folder, 0, Int64(number)) }
            return (folder, 1, RecordingLayout.segmentNumber(name) ?? 0)
        }
        let (x, y) = (rank(a), rank(b))
        return (x.1, x.2, x.0) < (y.1, y.2, y.0)
    }
}

extension RecordingSync {
    /// `cuepoint publish`: copies the recording in `directory` to each target (what it lacks:
    /// files, then documents), waits for each backlog within its `finish_timeout`, and says what
    /// is left. Blocking: call it from a thread of your own.
    ///
    /// - Throws: ``CuepointError`` when the directory is not a recording or a target cannot be used.
    public static func publish(
        directory: URL, to targets: [PublishSpec], environment: [String: String], logger: Logger,
        warnings: WarningCollector
    ) throws(CuepointError) -> [Publication.Outcome] {
        let local = DirectoryStore(root: directory)
        guard local.exists(RecordingLayout.multivariantPlaylist) || local.exists(RecordingLayout.state) else {
            throw CuepointError(
                subject: directory.path, message: "not a recording (no master.m3u8 or recording.json)",
                fix: "pass the directory a pipeline recorded into")
        }
        var segmentDuration = OutputSpec.defaultSegmentDuration
        if case .state(let state) = RecordingState.load(from: local) {
            segmentDuration = .milliseconds(state.segmentDurationMilliseconds)
        }
        guard
            let publication = try Publication.open(
                targets, segmentDuration: segmentDuration, environment: environment, logger: logger, warnings: warnings,
                metrics: nil)
        else { return [] }
        var failure: CuepointError?
        for target in publication.targets {
            do {
                try catchUp(local: local, target: target)
            } catch {
                failure = error
                break
            }
        }
        let outcomes = publication.finish()
        if let failure { throw failure }
        return outcomes
    }
}
