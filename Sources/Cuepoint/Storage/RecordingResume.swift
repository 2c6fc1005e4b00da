import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

// MARK: - Resuming a live recording in a restarted process
//
// A live job that starts on an output directory which already holds a recording decides,
// before it reads any input:
//
//     directory ──no segment files──► start fresh (leftover `.tmp` files removed and reported)
//         │
//         ├─ segment files, recording.json missing or unreadable ──► refuse (never overwrite)
//         ├─ recording.json: a file job, complete, or other settings ──► refuse, saying what differs
//         └─ recording.json: live, not complete, same settings ──► resume
//
// Resuming works like a publisher reconnect: the published playlists are read back (they,
// not recording.json, are the truth: recording.json is written after them), their segments
// and date ranges stay, the next segment carries EXT-X-DISCONTINUITY and a fresh
// PROGRAM-DATE-TIME, media sequence numbers continue, and `markers.jsonl` is appended to.
// A crash can leave a damaged tail: `.tmp` files (removed and reported), and segment files or
// init sections that no playlist lists (kept; the new files are numbered after the highest
// number on disk, so nothing is ever overwritten). Segment *file* numbers then run ahead of
// media sequence numbers by the files skipped; the playlists stay contiguous.
//
// File jobs do not resume: a re-run of a file job starts afresh, and removes the segments,
// init sections and temporary files a previous run left in its renditions' folders.

/// What a restarted live job continues from: the published segments of every rendition and
/// where numbering and recording time go on. Made by ``inspect(store:spec:warnings:)``.
struct RecordingResume {
    /// One rendition as published before the restart.
    struct Rendition {
        var name: String
        /// The segments of `index.m3u8` (or of `live.m3u8` when the recording keeps only the window).
        var segments: [MediaSegment]
        /// EXT-X-MEDIA-SEQUENCE of `segments[0]`.
        var firstSequence: Int64
        /// EXT-X-DISCONTINUITY-SEQUENCE of `live.m3u8` when only the window is kept, else 0.
        var discontinuitySequence: Int64
        /// Each segment's size on disk and duration (for BANDWIDTH over old and new segments).
        var sizes: [(bytes: Int64, durationMilliseconds: Int64)]
        /// The highest init section number on disk (`init.mp4` is 1, `init_N.mp4` N), 0 without.
        var initNumber: Int
    }

    /// Where the recording is (for messages).
    var location: String
    var renditions: [Rendition]
    /// `recording.json`'s `startDate`: the first segment's PROGRAM-DATE-TIME.
    var startDate: WallClockTime?
    /// The number of the next segment file: after every segment file on disk, listed or not.
    var nextSequence: Int64
    /// The recording's length so far (EXTINF sum), in milliseconds of recording time.
    var recordedMilliseconds: Int64
    /// The last published segment's PROGRAM-DATE-TIME and its recording time, in milliseconds.
    var lastSegment: (programDateTime: WallClockTime, recordingOffsetMilliseconds: Int64)
    /// The latest presentation end in the last published segment, in ms of media time (the
    /// new input's timestamps continue after it); nil when it could not be read.
    var mediaEndMilliseconds: Int64?
    /// Temporary files a crash left, removed (paths relative to the store).
    var removedTemporaryFiles: [String] = []
    /// Segment files and init sections that no playlist lists (kept, never reused).
    var unlistedFiles: [String] = []
    /// The date ranges the playlists published before the restart (every rendition has the same).
    var publishedDateRanges: [DateRange] { renditions.first?.segments.flatMap(\.dateRanges) ?? [] }
    /// The media sequence number of the last published segment.
    var lastMediaSequence: Int64 { (renditions.first.map { $0.firstSequence + Int64($0.segments.count) } ?? 1) - 1 }

    /// What a rendition is, as `recording.json` keeps it: `copy`, `preset 720p`, `video+audio`, `video`, `audio`.
    static func kind(of rendition: RenditionSpec) -> String {
        if rendition.copy { return "copy" }
        if let preset = rendition.preset { return "preset \(preset)" }
        return [rendition.video != nil ? "video" : nil, rendition.audio != nil ? "audio" : nil].compactMap { $0 }
            .joined(separator: "+")
    }

    // MARK: Deciding

    /// Decides how a live job starts on `directory`: nil to start fresh (after removing leftover
    /// temporary files, reported through `warnings`), or the recording to resume.
    ///
    /// - Throws: `CuepointError` naming `recording.json` (or the directory), what prevents the
    ///   resume, and the fix, when the directory holds a recording this job must not touch.
    static func inspect(store: any Store, spec: PipelineSpec, warnings: WarningCollector) throws(CuepointError)
        -> RecordingResume?
    {
        let files = try OutputFiles.listing(store)
        let location = store.location
        let statePath = "\(location)/\(RecordingLayout.state)"
        let otherJob = "give this job another `name` or `-o`, or move the old recording away"
        func refuse(_ message: String, fix: String = otherJob) -> CuepointError {
            CuepointError(subject: statePath, message: message, fix: fix)
        }
        // No segment file: nothing to keep or overwrite (a new directory, or a run that ended
        // before its first segment, whose recording.json lists none).
        guard !files.segments.isEmpty else {
            report(files.removeTemporaryFiles(), warnings: warnings)
            return nil
        }
        let state: RecordingState
        switch RecordingState.load(from: store) {
        case .missing:
            throw refuse(
                "missing, but \(location) holds \(files.segments.count) segment file(s) of an earlier recording;"
                    + " a live recording is resumed only from its recording.json, and segments are never overwritten")
        case .unreadable:
            throw refuse(
                "unreadable (not the JSON cuepoint writes), and \(location) holds \(files.segments.count) segment"
                    + " file(s); the recording cannot be resumed and segments are never overwritten")
        case .state(let loaded):
            state = loaded
        }
        guard state.live else {
            throw refuse(
                "the recording in \(location) was made from a file (\"live\": false); only an unfinished live"
                    + " recording is resumed")
        }
        guard !state.complete else {
            throw refuse(
                "the live recording in \(location) is complete (\"complete\": true); cuepoint does not append to"
                    + " a finished event", fix: "give the new show another `name` or `-o`, or move the old recording away")
        }
        var differences: [String] = []
        if state.container != spec.output.container.rawValue {
            differences.append("container \(state.container), this job \(spec.output.container.rawValue)")
        }
        if state.segmentDurationMilliseconds != spec.output.segmentDuration.milliseconds {
            differences.append(
                "segment \(DurationText.format(.milliseconds(state.segmentDurationMilliseconds))), this job"
                    + " \(DurationText.format(spec.output.segmentDuration))")
        }
        let names = spec.renditions.map(\.name)
        if state.renditions.map(\.name) != names {
            differences.append(
                "renditions \(state.renditions.map(\.name).joined(separator: ", ")), this job \(names.joined(separator: ", "))")
        } else {
            for (old, new) in zip(state.renditions, spec.renditions) {
                if let kind = old.kind, kind != Self.kind(of: new) {
                    differences.append("rendition \(old.name) is \(kind), this job makes it \(Self.kind(of: new))")
                }
            }
        }
        guard differences.isEmpty else {
            throw refuse(
                "the unfinished recording in \(location) has other settings (\(differences.joined(separator: "; ")));"
                    + " it can be resumed only with the same container, segment duration and renditions",
                fix: "run it with its own settings to resume it, or \(otherJob)")
        }
        var resume = try read(state: state, store: store, files: files, kinds: spec.playlists, refuse: refuse)
        resume.removedTemporaryFiles = files.removeTemporaryFiles()
        report(resume.removedTemporaryFiles, warnings: warnings)
        return resume
    }

    /// Reads the published playlists back and works out where the recording continues.
    private static func read(
        state: RecordingState, store: any Store, files: OutputFiles, kinds: Set<PlaylistKind>,
        refuse: (String, String) -> CuepointError
    ) throws(CuepointError) -> RecordingResume {
        let fix = "move the damaged recording away and start a new one"
        let playlistName = RecordingLayout.playlist(kinds.contains(.index) ? .index : .live)
        var renditions: [Rendition] = []
        for rendition in state.renditions {
            let path = RecordingLayout.path(playlistName, in: rendition.name)
            guard let bytes = try? store.read(path), let text = String(validating: bytes, as: UTF8.self) else {
                throw refuse("the unfinished recording has no readable \(rendition.name)/\(playlistName)", fix)
            }
            let playlist: MediaPlaylist
            do {
                playlist = try MediaPlaylist(parsing: text)
            } catch {
                throw refuse("\(rendition.name)/\(playlistName) cannot be read back (\(error))", fix)
            }
            guard !playlist.endList else {
                throw refuse(
                    "\(rendition.name)/\(playlistName) is finished (EXT-X-ENDLIST): the recording ended, so it is not"
                        + " resumed", "give the new show another `name` or `-o`, or move the old recording away")
            }
            renditions.append(
                Rendition(
                    name: rendition.name, segments: playlist.segments, firstSequence: playlist.mediaSequence,
                    discontinuitySequence: kinds.contains(.index) ? 0 : playlist.discontinuitySequence,
                    sizes: playlist.segments.map { segment in
                        (files.sizes[RecordingLayout.path(segment.uri, in: rendition.name)] ?? 0, segment.durationMilliseconds)
                    },
                    initNumber: files.highestInitNumber(in: rendition.name)))
        }
        // A crash between two renditions' playlist writes: every rendition keeps the segments all
        // of them published (the others' files stay on disk, unlisted).
        let common = renditions.map(\.segments.count).min() ?? 0
        for index in renditions.indices where renditions[index].segments.count > common {
            renditions[index].segments.removeLast(renditions[index].segments.count - common)
            renditions[index].sizes.removeLast(renditions[index].sizes.count - common)
        }
        guard common > 0, let reference = renditions.first, let last = reference.segments.last else {
            throw refuse("the unfinished recording's playlists list no segment", fix)
        }
        // Recording time so far: the whole EXTINF sum of index.m3u8; with only the window kept,
        // recording.json's length plus the window's segments it does not count yet.
        var recorded = reference.segments.reduce(0) { $0 + $1.durationMilliseconds }
        if !kinds.contains(.index), let kept = state.renditions.first {
            let counted = kept.lastSequence ?? 0
            recorded = kept.durationMilliseconds
                + zip(Int64(reference.firstSequence)..., reference.segments).filter { $0.0 > counted }
                .reduce(0) { $0 + $1.1.durationMilliseconds }
        }
        let listed = Set(renditions.flatMap { rendition in rendition.segments.map { "\(rendition.name)/\($0.uri)" } })
        let offset = recorded - last.durationMilliseconds
        let startDate = state.startDate.flatMap(WallClockTime.init(iso8601:))
        let lastDate = last.programDateTime ?? startDate?.advanced(by: .milliseconds(offset)) ?? WallClockTime(millisecondsSince1970: 0)
        let lastFile = RecordingLayout.path(last.uri, in: reference.name)
        let initFile = last.map.map { RecordingLayout.path($0.uri, in: reference.name) }
        var resume = RecordingResume(
            location: store.location, renditions: renditions, startDate: startDate,
            nextSequence: max(files.highestSegmentNumber, reference.firstSequence + Int64(common) - 1) + 1,
            recordedMilliseconds: recorded, lastSegment: (lastDate, offset),
            mediaEndMilliseconds: mediaEnd(of: lastFile, initSection: initFile, in: store))
        resume.unlistedFiles = files.segments.filter { !listed.contains($0) }.sorted()
        return resume
    }

    private static func report(_ removed: [String], warnings: WarningCollector) {
        guard !removed.isEmpty else { return }
        warnings.add(
            "removed \(removed.count) temporary file(s) an earlier run left unfinished: \(removed.joined(separator: ", "))")
    }

    /// The latest presentation end (pts + duration) of any packet in a segment, in ms of media
    /// time, read with libavformat (``SegmentProbe``); nil when the segment cannot be read.
    static func mediaEnd(of segment: String, initSection: String?, in store: any Store) -> Int64? {
        SegmentProbe.times(of: segment, initSection: initSection, in: store, wholeFile: true)?.endMilliseconds
    }

    /// Prepares the output of a file job, which never resumes: removes the segments, init
    /// sections and temporary files an earlier run left in the renditions' folders, so the new
    /// run starts afresh (segment files are never overwritten in place).
    ///
    /// - Returns: how many files were removed.
    @discardableResult
    static func clearForRerun(store: any Store, renditions: [String]) -> Int {
        clearedForRerun(store: store, renditions: renditions).count
    }

    /// ``clearForRerun(store:renditions:)``, returning the paths of the segments and init
    /// sections removed (their copies on a publish target go too).
    static func clearedForRerun(store: any Store, renditions: [String]) -> [String] {
        guard let files = try? OutputFiles.listing(store, only: Set(renditions)) else { return [] }
        var removed = files.removeTemporaryFiles()
        let media = files.segments + files.initSections + subtitleFiles(in: store)
        if (try? store.remove(media)) != nil { removed += media }
        return removed
    }

    /// The subtitle segments and temporary files in `subtitles/<lang>/` folders (a file job's
    /// captions, made again by the next run).
    private static func subtitleFiles(in store: any Store) -> [String] {
        let languages = ((try? store.list(RecordingLayout.subtitlesFolder)) ?? []).filter(\.isFolder)
        return languages.flatMap { language -> [String] in
            let folder = RecordingLayout.subtitleFolder(language: language.name)
            return ((try? store.list(folder)) ?? []).filter {
                !$0.isFolder && (RecordingLayout.isSubtitleSegment($0.name) || RecordingLayout.isTemporary($0.name))
            }.map { "\(folder)/\($0.name)" }
        }
    }
}

/// The files of a recording that resuming cares about, by path relative to its store: segment
/// files and init sections in rendition folders, and temporary files at the top and in the
/// folders.
struct OutputFiles {
    let store: any Store
    private(set) var segments: [String] = []
    private(set) var initSections: [String] = []
    private(set) var temporary: [String] = []
    /// The size of every segment file and init section, by path.
    private(set) var sizes: [String: Int64] = [:]

    /// Lists `store`.
    ///
    /// - Parameter only: the rendition folders to look at; nil for every folder.
    static func listing(_ store: any Store, only: Set<String>? = nil) throws(CuepointError) -> OutputFiles {
        var files = OutputFiles(store: store)
        do {
            let top = try store.list("")
            files.temporary = top.filter { !$0.isFolder && RecordingLayout.isTemporary($0.name) }.map(\.name)
            for folder in top where folder.isFolder && (only?.contains(folder.name) ?? true) {
                for entry in try store.list(folder.name) where !entry.isFolder {
                    let relative = RecordingLayout.path(entry.name, in: folder.name)
                    if RecordingLayout.isTemporary(entry.name) {
                        files.temporary.append(relative)
                    } else if RecordingLayout.segmentNumber(entry.name) != nil {
                        files.segments.append(relative)
                        files.sizes[relative] = entry.byteCount
                    } else if RecordingLayout.initNumber(entry.name) != nil {
                        files.initSections.append(relative)
                        files.sizes[relative] = entry.byteCount
                    }
                }
            }
        } catch {
            throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        }
        return files
    }

    private init(store: any Store) { self.store = store }

    /// The highest segment number of any segment file, temporary ones included (0 without).
    var highestSegmentNumber: Int64 {
        (segments + temporary).compactMap { RecordingLayout.segmentNumber(($0 as NSString).lastPathComponent) }.max() ?? 0
    }

    /// The highest init section number in a rendition folder (0 without).
    func highestInitNumber(in rendition: String) -> Int {
        initSections.filter { $0.hasPrefix("\(rendition)/") }
            .compactMap { RecordingLayout.initNumber(($0 as NSString).lastPathComponent) }.max() ?? 0
    }

    /// Removes the temporary files; returns their paths.
    func removeTemporaryFiles() -> [String] {
        temporary.filter { (try? store.remove([$0])) != nil }
    }
}

extension RecordingResume {
    /// `rendition` with the segments it published before the restart: its playlists continue
    /// from them (media sequence, discontinuity sequence, date ranges, target duration) and its
    /// BANDWIDTH is measured over their sizes on disk and the new segments.
    func seed(_ rendition: RecordingPublisher.Rendition, targetMilliseconds: Int64) -> RecordingPublisher.Rendition {
        guard let old = renditions.first(where: { $0.name == rendition.name }) else { return rendition }
        var seeded = rendition
        seeded.playlists = RenditionPlaylists(
            kinds: rendition.playlists.kinds, windowSize: rendition.playlists.windowSize,
            finishAsVOD: rendition.playlists.finishAsVOD, targetMilliseconds: targetMilliseconds,
            firstSequence: old.firstSequence, discontinuitySequence: old.discontinuitySequence)
        for segment in old.segments { _ = seeded.playlists.append(segment) }
        seeded.segmentSizes = old.sizes.filter { $0.bytes > 0 }
        return seeded
    }

    /// The highest init section number on disk for `rendition` (0 without).
    func initNumber(of rendition: String) -> Int {
        renditions.first { $0.name == rendition }?.initNumber ?? 0
    }
}
