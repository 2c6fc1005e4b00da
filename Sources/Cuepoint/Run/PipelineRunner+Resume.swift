import Foundation

extension PipelineRunner {
    /// Before any input is read: a live job resumes the unfinished recording in its directory
    /// (or refuses one it must not touch); a file job clears what an earlier run left, to start
    /// afresh. See ``RecordingResume``.
    func resumeOrClear(store: any Store, warnings: WarningCollector) throws(CuepointError) -> RecordingResume? {
        guard spec.input.isLive else {
            RecordingResume.clearForRerun(store: store, renditions: spec.renditions.map(\.name))
            return nil
        }
        guard let resume = try RecordingResume.inspect(store: store, spec: spec, warnings: warnings) else {
            return nil
        }
        warnings.add(
            "resuming the unfinished recording in \(store.location) (\(RecordingLayout.state)) after media sequence number"
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
