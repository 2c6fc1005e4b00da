import Foundation

extension PipelineRunner {
    /// Before any input is read: a live job resumes the unfinished recording in its directory or
    /// on its first listable publish target, whichever holds more of the show (or refuses one it
    /// must not touch); a file job clears what an earlier run left, locally and on its targets,
    /// to start afresh. See ``RecordingResume`` and ``PublishedRecording``.
    func resumeOrClear(local: DirectoryStore, publication: Publication?, warnings: WarningCollector) throws(CuepointError)
        -> RecordingResume?
    {
        guard spec.input.isLive else {
            let renditions = spec.renditions.map(\.name)
            let removed = RecordingResume.clearedForRerun(store: local, renditions: renditions)
            if let publication {
                try PublishedRecording.clearForRerun(
                    publication: publication, renditions: renditions, removedLocally: removed, warnings: warnings)
            }
            return nil
        }
        var resume = try RecordingResume.inspect(store: local, spec: spec, warnings: warnings)
        if let publication {
            resume = try PublishedRecording.resume(
                local: local, localResume: resume, publication: publication, spec: spec, warnings: warnings)
        }
        guard let resume else { return nil }
        warnings.add(
            "resuming the unfinished recording in \(resume.location) (\(RecordingLayout.state)) after media sequence number"
                + " \(resume.lastMediaSequence); it continues after EXT-X-DISCONTINUITY")
        if !resume.unlistedFiles.isEmpty {
            warnings.add(
                "\(resume.unlistedFiles.count) file(s) that no playlist lists are kept and never reused:"
                    + " \(resume.unlistedFiles.joined(separator: ", ")); new segment files are numbered from"
                    + " \(resume.nextSequence)")
        }
        return resume
    }

    /// What `recording.json` keeps as the kind of rendition `name` (see ``RecordingResume/kind(of:)``).
    func renditionKind(_ name: String) -> String? {
        spec.renditions.first { $0.name == name }.map(RecordingResume.kind(of:))
    }
}
