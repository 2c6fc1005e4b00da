public import CuepointHLS
import CuepointTime
public import Foundation

/// A finished (or interrupted) recording as the replay exporter reads it: each rendition's
/// event playlist with the segments that are whole on disk, the markers of `markers.jsonl`,
/// and what had to be dropped or repaired on the way.
///
/// Read with ``load(directory:)``; nothing in the recording is changed.
public struct ReplaySource: Sendable {
    /// One rendition of the recording.
    public struct Rendition: Sendable {
        public var name: String
        /// The rendition's folder.
        public var directory: URL
        /// Its `index.m3u8`, as parsed.
        public var playlist: MediaPlaylist
        /// The variant the recording's `master.m3u8` declared for it, when there was one.
        public var variant: VariantStream?
        /// Whether its variant declares a video resolution (audio-only renditions get no I-frame playlist).
        public var hasVideo: Bool { variant?.resolution != nil }
    }

    /// One position of the segment grid, shared by every rendition.
    public struct Slot: Sendable, Equatable {
        /// Index into each rendition's `playlist.segments`.
        public var index: Int
        /// Start on the recording's timeline (the sum of the EXTINF before it), in milliseconds.
        public var recordingStartMilliseconds: Int64
        public var durationMilliseconds: Int64
        /// Whether every rendition has this segment whole on disk.
        public var usable: Bool
    }

    /// The recording's name (`recording.json`, or the folder name).
    public var name: String
    public var directory: URL
    public var container: Container
    public var renditions: [Rendition]
    /// The segment grid, in playlist order, usable or not.
    public var slots: [Slot]
    /// Markers of the log, closes folded in, on the recording's timeline.
    public var markers: [PlacedMarker]
    /// The CLASS of the recording's date ranges (`com.cuepoint.product` when it had none).
    public var markerClass: String
    /// What was dropped, repaired or skipped, one sentence each, naming the file.
    public var notes: [String]
}

extension ReplaySource {
    /// Reads the recording in `directory`.
    ///
    /// - Throws: ``CuepointError`` when it is not a recording (no rendition playlists), when a
    ///   playlist cannot be parsed, or when not one segment is usable.
    public static func load(directory path: String) throws(CuepointError) -> ReplaySource {
        let directory = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw CuepointError(
                subject: path, message: "no such recording directory",
                fix: "pass the folder a recording wrote (it holds master.m3u8 and markers.jsonl)")
        }
        let store = DirectoryStore(root: directory)
        var notes: [String] = []
        var state: RecordingState?
        switch RecordingState.load(from: store) {
        case .missing: break
        case .unreadable(let reason):
            notes.append("\(path)/\(RecordingLayout.state) cannot be read (\(reason)); the folder's name names the replay")
        case .state(let loaded): state = loaded
        }
        var renditions = try readRenditions(store, notes: &notes)
        guard !renditions.isEmpty else {
            throw CuepointError(
                subject: path, message: "not a recording: no <rendition>/index.m3u8 found",
                fix: "pass the folder a recording wrote (it holds master.m3u8 and one folder per rendition)")
        }
        let container: Container =
            state.flatMap { Container(rawValue: $0.container) }
            ?? (renditions[0].playlist.segments.first?.map != nil ? .fmp4 : .ts)
        for index in renditions.indices where !renditions[index].playlist.endList {
            notes.append(
                "\(RecordingLayout.playlistPath(.index, in: renditions[index].name)) has no EXT-X-ENDLIST: the recording did not finish; the replay uses the \(renditions[index].playlist.segments.count) segments it published")
            renditions[index].playlist.endList = true
        }
        let slots = checkSegments(renditions, container: container, notes: &notes)
        guard slots.contains(where: \.usable) else {
            throw CuepointError(
                subject: path, message: "the recording has no whole segment to replay",
                fix: "record again; see the notes above for what was damaged")
        }
        let log = MarkerLog.read(path: store.absolute(RecordingLayout.markerLog))
        for problem in log.problems { notes.append("\(problem.description); the line is skipped") }
        if !store.exists(RecordingLayout.markerLog) {
            notes.append("\(path)/\(RecordingLayout.markerLog) is missing: the replay has no product chapters")
        }
        let markerClass =
            renditions.lazy.flatMap(\.playlist.segments).flatMap(\.dateRanges).compactMap(\.classAttribute).first
            ?? "com.cuepoint.product"
        return ReplaySource(
            name: state?.name ?? directory.lastPathComponent, directory: directory, container: container,
            renditions: renditions, slots: slots, markers: log.markers, markerClass: markerClass, notes: notes)
    }

    /// The renditions in `master.m3u8` order, or every subfolder with an `index.m3u8`.
    private static func readRenditions(_ store: DirectoryStore, notes: inout [String]) throws(CuepointError)
        -> [Rendition]
    {
        var entries: [(name: String, variant: VariantStream?)] = []
        let masterPath = store.absolute(RecordingLayout.multivariantPlaylist)
        if let data = try? store.read(RecordingLayout.multivariantPlaylist) {
            do {
                let master = try MultivariantPlaylist(parsing: String(decoding: data, as: UTF8.self))
                for variant in master.variants {
                    let parts = variant.uri.split(separator: "/")
                    guard parts.count == 2 else { continue }
                    entries.append((String(parts[0]), variant))
                }
            } catch {
                notes.append("\(masterPath) cannot be read (\(error)); renditions are taken from the folders")
            }
        }
        if entries.isEmpty {
            let folders = ((try? store.list("")) ?? []).filter(\.isFolder)
            for folder in folders where store.exists(RecordingLayout.playlistPath(.index, in: folder.name)) {
                entries.append((folder.name, nil))
            }
        }
        var renditions: [Rendition] = []
        for entry in entries {
            let folder = store.root.appendingPathComponent(entry.name)
            let playlistPath = store.absolute(RecordingLayout.playlistPath(.index, in: entry.name))
            guard let data = try? store.read(RecordingLayout.playlistPath(.index, in: entry.name)) else {
                notes.append("\(playlistPath) is missing; rendition \(entry.name) is left out")
                continue
            }
            let playlist: MediaPlaylist
            do {
                playlist = try MediaPlaylist(parsing: String(decoding: data, as: UTF8.self))
            } catch {
                throw CuepointError(
                    subject: playlistPath, message: "cannot be parsed: \(error)",
                    fix: "restore the playlist the recording wrote, or remove the rendition folder")
            }
            renditions.append(Rendition(name: entry.name, directory: folder, playlist: playlist, variant: entry.variant))
        }
        return renditions
    }

    /// The segment grid: a slot is usable when every rendition's segment (and init section) is
    /// whole. Damaged or missing segments are reported.
    private static func checkSegments(_ renditions: [Rendition], container: Container, notes: inout [String]) -> [Slot] {
        let count = renditions.map(\.playlist.segments.count).min() ?? 0
        if renditions.contains(where: { $0.playlist.segments.count != count }) {
            notes.append(
                "the renditions list different numbers of segments (\(renditions.map { "\($0.name): \($0.playlist.segments.count)" }.joined(separator: ", "))); the replay keeps the first \(count)")
        }
        var slots: [Slot] = []
        var recordingTime: Int64 = 0
        var checkedInits: [String: String?] = [:]
        for index in 0..<count {
            let reference = renditions[0].playlist.segments[index]
            var usable = true
            for rendition in renditions {
                let segment = rendition.playlist.segments[index]
                let path = rendition.directory.appendingPathComponent(segment.uri).path
                var problem = SegmentCheck.problem(path: path, container: container)
                if problem == nil, let map = segment.map {
                    let initPath = rendition.directory.appendingPathComponent(map.uri).path
                    if checkedInits[initPath] == nil {
                        checkedInits[initPath] = SegmentCheck.initProblem(path: initPath)
                    }
                    if let initProblem = checkedInits[initPath] ?? nil { problem = initProblem }
                }
                if let problem {
                    usable = false
                    notes.append("\(rendition.name)/\(segment.uri) \(problem); segment \(index + 1) is dropped from the replay")
                }
            }
            slots.append(
                Slot(
                    index: index, recordingStartMilliseconds: recordingTime,
                    durationMilliseconds: reference.durationMilliseconds, usable: usable))
            recordingTime += reference.durationMilliseconds
        }
        for rendition in renditions {
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: rendition.directory.path)) ?? [])
                .filter(RecordingLayout.isTemporary).sorted()
            for leftover in leftovers {
                notes.append(
                    "\(rendition.name)/\(leftover) is a segment an interrupted recording never finished; it is not part of the replay")
            }
        }
        return slots
    }
}
