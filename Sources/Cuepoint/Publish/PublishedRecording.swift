import CuepointObjectStorage

/// What a run does, before any input is read, with a recording that is already on a publish
/// target: the store's side of ``RecordingResume``.
///
/// - **A live job** resumes from whichever of its local directory and its first listable
///   target (``Publication/primary``) holds more of the show (the higher last media sequence
///   number; the local directory on a tie). A second machine, started on another (empty)
///   directory with the same target, therefore continues the show from the store: its
///   `recording.json`, playlists and `markers.jsonl` are copied into the new directory (the
///   marker log is appended to there, and replicated), and new segment files are numbered
///   after the highest on the store or on disk, so no segment already there is ever
///   overwritten. A resume from the local directory first hands every target what it lacks
///   (``RecordingSync``).
/// - **A file job** starts afresh, on the store as on disk: the segments and init sections
///   the local run removes are deleted on every target, and on an S3 target any other objects
///   of its renditions are deleted too, but only when the store's `recording.json` says they
///   are an earlier file recording. A live recording, or objects without a `recording.json`,
///   are never touched: the run is refused.
enum PublishedRecording {
    /// The live job's decision between the local directory and the store.
    static func resume(
        local: DirectoryStore, localResume: RecordingResume?, publication: Publication, spec: PipelineSpec,
        warnings: WarningCollector
    ) throws(CuepointError) -> RecordingResume? {
        var remoteResume: RecordingResume?
        if let primary = publication.primary {
            remoteResume = try RecordingResume.inspect(store: primary.remote, spec: spec, warnings: warnings)
        }
        if let remote = remoteResume, let primary = publication.primary,
            localResume.map({ $0.lastMediaSequence < remote.lastMediaSequence }) ?? true
        {
            return try adopt(remote, from: primary, local: local, warnings: warnings)
        }
        if localResume != nil {
            for target in publication.targets {
                let handed = try RecordingSync.catchUp(local: local, target: target)
                if handed.files > 0 {
                    warnings.add(
                        "\(target.url): \(handed.files) file(s) of the recording were not on the store yet; they are"
                            + " uploaded before the show goes on")
                }
            }
        }
        return localResume
    }

    /// Continues the show the store holds: copies its documents into the local directory and
    /// numbers new files after everything on the store and on disk.
    private static func adopt(
        _ remote: RecordingResume, from target: Publication.Target, local: DirectoryStore, warnings: WarningCollector
    ) throws(CuepointError) -> RecordingResume {
        var resume = remote
        let localFiles = try OutputFiles.listing(local)
        do throws(StorageError) {
            resume.nextSequence = max(resume.nextSequence, localFiles.highestSegmentNumber + 1)
            try local.prepare(folders: resume.renditions.map(\.name))
            var documents = [RecordingLayout.multivariantPlaylist, RecordingLayout.markerLog, RecordingLayout.state]
            for rendition in resume.renditions {
                documents += PlaylistKind.allCases.map { RecordingLayout.playlistPath($0, in: rendition.name) }
            }
            for path in documents {
                guard let bytes = try target.remote.read(path) else { continue }
                try local.replace(path, with: bytes)
            }
            for index in resume.renditions.indices {
                let name = resume.renditions[index].name
                resume.renditions[index].initNumber = max(
                    resume.renditions[index].initNumber, localFiles.highestInitNumber(in: name))
            }
        } catch {
            throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        }
        warnings.add(
            "\(target.url) holds more of this show than \(local.location): the recording continues from the store's"
                + " \(RecordingLayout.state) and playlists")
        return resume
    }

    /// The file job's fresh start on every target. `removedLocally`: the paths the local clear removed.
    static func clearForRerun(
        publication: Publication, renditions: [String], removedLocally: [String], warnings: WarningCollector
    ) throws(CuepointError) {
        for target in publication.targets {
            var doomed = Set(removedLocally.filter { !RecordingLayout.isTemporary($0) })
            if target.lists {
                let stored = try OutputFiles.listing(target.remote, only: Set(renditions))
                let objects = stored.segments + stored.initSections
                if !objects.isEmpty {
                    let stateKey = "\(target.url)/\(RecordingLayout.state)"
                    switch RecordingState.load(from: target.remote) {
                    case .state(let state) where !state.live:
                        doomed.formUnion(objects)
                    case .state:
                        throw CuepointError(
                            subject: stateKey,
                            message: "the target holds a live recording (\(objects.count) segment object(s)); a file job"
                                + " never replaces it",
                            fix: "give this job another target prefix, or move the live recording away")
                    case .missing, .unreadable:
                        throw CuepointError(
                            subject: target.url,
                            message: "the target holds \(objects.count) segment object(s) (\(objects.prefix(3).joined(separator: ", "))"
                                + "\(objects.count > 3 ? ", …" : "")) but no readable \(RecordingLayout.state); objects cuepoint"
                                + " did not record are never overwritten",
                            fix: "give this job another target prefix, or remove those objects")
                    }
                }
            }
            guard !doomed.isEmpty else { continue }
            do {
                try target.remote.remove(doomed.sorted())
            } catch {
                throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
            }
            warnings.add("\(target.url): removed \(doomed.count) object(s) of an earlier run of this job; it starts afresh")
        }
    }
}
