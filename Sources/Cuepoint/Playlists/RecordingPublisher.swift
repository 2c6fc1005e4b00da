import CuepointHLS
import CuepointTime
import Foundation

/// Publishes a recording's playlists after every segment: each rendition's `index.m3u8`
/// and/or `live.m3u8`, the multivariant `master.m3u8`, and `recording.json`. Every file is
/// replaced atomically (temporary file, then rename).
///
/// With captions (``subtitles``), each segment also gets a WebVTT segment per language, written
/// before any playlist lists it (through the same ``Store``, so a publish target receives it before
/// the playlists too), and the subtitle playlists follow the main rendition's.
///
/// When only `live.m3u8` is written (no recording), a segment that left the window is deleted
/// once its availability duration has passed: the time it left, plus its own duration, plus
/// the duration of the longest playlist that listed it (hls-reference §2).
final class RecordingPublisher {
    struct Rendition {
        var name: String
        var playlists: RenditionPlaylists
        var description: VariantDescription
        var segmentSizes: [(bytes: Int64, durationMilliseconds: Int64)] = []
        /// What the rendition is (`copy`, `preset 720p`, `video+audio`…), kept in `recording.json`
        /// so a resumed run can tell whether its renditions are the same.
        var kind: String? = nil
    }

    let store: any Store
    let recordingName: String
    let container: Container
    let segmentDuration: MediaTime
    let isLive: Bool
    private(set) var renditions: [Rendition]
    private var pendingDeletions: [(due: WallClockTime, path: String)] = []
    private var lastMaster: MultivariantPlaylist?
    /// The first segment's PROGRAM-DATE-TIME (`recording.json`); a resumed recording keeps its own.
    var startDate: WallClockTime?
    let warnings: WarningCollector
    private var warnedTargetDuration = false
    /// The subtitle renditions of the caption files; nil without captions.
    var subtitles: SubtitleRenditions?
    var warnedSubtitleTimestamps = false

    init(
        store: any Store, recordingName: String, container: Container, segmentDuration: MediaTime, isLive: Bool,
        renditions: [Rendition], warnings: WarningCollector
    ) {
        self.store = store
        self.recordingName = recordingName
        self.container = container
        self.segmentDuration = segmentDuration
        self.isLive = isLive
        self.renditions = renditions
        self.warnings = warnings
    }

    /// Adds one completed segment per rendition and publishes.
    func add(_ records: [SegmentRecord], initURIs: [String?], dateRanges: [DateRange] = [], now: WallClockTime)
        throws(StorageError)
    {
        if startDate == nil { startDate = records.first?.programDateTime }
        for (index, record) in records.enumerated() {
            var segment = MediaSegment(uri: record.uri, durationMilliseconds: record.durationMilliseconds)
            segment.discontinuity = record.discontinuity
            segment.programDateTime = record.programDateTime
            segment.dateRanges = dateRanges
            if let initURI = initURIs[index] { segment.map = MediaInitializationSection(uri: initURI) }
            let before = renditions[index].playlists.targetDuration
            let removed = renditions[index].playlists.append(segment)
            renditions[index].segmentSizes.append((record.byteCount, record.durationMilliseconds))
            if renditions[index].playlists.targetDuration > before && !warnedTargetDuration {
                warnedTargetDuration = true
                warnings.add(
                    "segment \(record.uri) of \(record.rendition) lasts \(SecondsText.format(milliseconds: record.durationMilliseconds))"
                        + ", longer than the target; EXT-X-TARGETDURATION rises to \(renditions[index].playlists.targetDuration)"
                        + " (the input's keyframes are too far apart for the segment length)")
            }
            scheduleDeletions(of: removed, in: renditions[index].name, playlists: renditions[index].playlists, now: now)
        }
        if let main = records.first { try addSubtitles(following: main, initURI: initURIs.first ?? nil, now: now) }
        try publishAll(finished: false)
        try deleteExpired(now: now)
        // Live recordings keep recording.json current for a restart to resume from; a file job
        // writes it when it ends.
        if isLive { try writeRecordingState(complete: false, onlyWhenChanged: true) }
    }

    /// Segments that left a live window are deleted once their availability duration has passed,
    /// unless `index.m3u8` still lists them.
    func scheduleDeletions(
        of removed: [MediaSegment], in folder: String, playlists: RenditionPlaylists, now: WallClockTime
    ) {
        guard !playlists.kinds.contains(.index) else { return }
        let windowMilliseconds = playlists.windowMilliseconds
        for segment in removed {
            // Its own duration, plus the longest playlist that listed it: the window
            // just before it left (the current window plus the segment itself).
            let longestPlaylist = windowMilliseconds + segment.durationMilliseconds
            let availability = segment.durationMilliseconds + longestPlaylist
            pendingDeletions.append((now.advanced(by: .milliseconds(availability)), RecordingLayout.path(segment.uri, in: folder)))
        }
    }

    /// Replaces a rendition's CODECS, RESOLUTION and FRAME-RATE (a transcoded rendition knows
    /// them once its encoder has produced a keyframe).
    func setDescription(_ description: VariantDescription, rendition index: Int) {
        renditions[index].description = description
    }
    /// Each rendition's playlists, for the LL-HLS part store (which renders them with parts).
    var lowLatencyState: [(name: String, playlists: RenditionPlaylists)] { renditions.map { ($0.name, $0.playlists) } }

    /// Adds date ranges (closing tags at the end of a recording) to every rendition's last segment.
    func appendToLastSegment(_ dateRanges: [DateRange]) {
        guard !dateRanges.isEmpty else { return }
        for index in renditions.indices { renditions[index].playlists.appendToLastSegment(dateRanges) }
    }

    /// Publishes every playlist (and the multivariant playlist when it changed).
    func publishAll(finished: Bool) throws(StorageError) {
        for rendition in renditions where !rendition.playlists.segments.isEmpty {
            for file in rendition.playlists.rendered(finished: finished) {
                try store.replace(RecordingLayout.path(file.name, in: rendition.name), text: file.text)
            }
        }
        // Subtitle playlists after the media playlists and before master.m3u8, which lists them.
        if let subtitles, renditions.contains(where: { !$0.playlists.segments.isEmpty }) {
            for file in subtitles.rendered(finished: finished) { try store.replace(file.path, text: file.text) }
        }
        // The multivariant playlist is fetched once by players: publish it with the first segment,
        // again when a variant's measured peak outgrows the published one by 10 %, and at the end.
        let playlist = multivariantPlaylist()
        guard !playlist.variants.isEmpty else { return }
        let outgrown = zip(playlist.variants, lastMaster?.variants ?? []).contains { $0.bandwidth * 10 > $1.bandwidth * 11 }
        if lastMaster == nil || outgrown || (finished && playlist != lastMaster) {
            try store.replace(RecordingLayout.multivariantPlaylist, text: playlist.render())
            lastMaster = playlist
        }
    }

    /// The multivariant playlist, with BANDWIDTH (peak) and AVERAGE-BANDWIDTH measured from
    /// the segments written so far (hls-reference §3).
    func multivariantPlaylist() -> MultivariantPlaylist {
        var variants: [VariantStream] = []
        for rendition in renditions where !rendition.segmentSizes.isEmpty {
            var variant = VariantStream(
                uri: RecordingLayout.playlistPath(rendition.playlists.mainKind, in: rendition.name),
                bandwidth: BitrateMeasurement.peak(
                    segments: rendition.segmentSizes, targetDuration: rendition.playlists.targetDuration))
            variant.averageBandwidth = BitrateMeasurement.average(segments: rendition.segmentSizes)
            variant.codecs = rendition.description.unknownCodecs.isEmpty ? rendition.description.codecs : []
            variant.resolution = rendition.description.resolution
            variant.frameRate = rendition.description.frameRate
            variants.append(variant)
        }
        var playlist = MultivariantPlaylist(variants: variants)
        playlist.independentSegments = true
        if let subtitles, !subtitles.renditions.isEmpty {
            playlist.renditions = subtitles.mediaRenditions(kind: mainKind)
            for index in playlist.variants.indices { playlist.variants[index].subtitles = CaptionTrack.groupID }
        }
        return playlist
    }

    /// The kind of playlist `master.m3u8` lists (every rendition has the same kinds).
    private var mainKind: PlaylistKind { renditions.first?.playlists.mainKind ?? .index }

    /// Writes `recording.json`: what a later run needs to resume or replay the recording.
    ///
    /// - Parameter onlyWhenChanged: after a segment of a live recording: skip the write when only
    ///   the segment counts would change and every rendition keeps its `index.m3u8`, which a resume
    ///   reads them from. Writing a file costs a new inode (a temporary file renamed over the old
    ///   one); with hundreds of shows on one disk, one less per segment is measurable. A recording
    ///   that keeps only `live.m3u8` needs the counts (the window forgets segments), so it still
    ///   writes after every segment; the final write at the end always happens.
    func writeRecordingState(complete: Bool, onlyWhenChanged: Bool = false) throws(StorageError) {
        let state = RecordingState(
            version: 1, name: recordingName, container: container.rawValue,
            segmentDurationMilliseconds: segmentDuration.milliseconds, live: isLive, complete: complete,
            startDate: startDate?.iso8601,
            renditions: renditions.map { rendition in
                RecordingState.Rendition(
                    name: rendition.name, segments: rendition.playlists.segments.count,
                    lastSequence: rendition.playlists.segments.isEmpty
                        ? nil : rendition.playlists.firstSequence + Int64(rendition.playlists.segments.count - 1),
                    durationMilliseconds: rendition.playlists.segments.reduce(0) { $0 + $1.durationMilliseconds },
                    codecs: rendition.description.codecs, kind: rendition.kind)
            },
            subtitles: subtitles.flatMap { $0.renditions.isEmpty ? nil : $0.stateEntries(kind: mainKind) })
        var settings = state
        for index in settings.renditions.indices {
            settings.renditions[index].segments = 0
            settings.renditions[index].lastSequence = nil
            settings.renditions[index].durationMilliseconds = 0
        }
        let countsInPlaylists = renditions.allSatisfy { $0.playlists.kinds.contains(.index) }
        if onlyWhenChanged, countsInPlaylists, settings == writtenSettings { return }
        try store.replace(RecordingLayout.state, with: state.encoded())
        writtenSettings = settings
    }

    /// The last `recording.json` written, with its segment counts left out.
    private var writtenSettings: RecordingState?

    private func deleteExpired(now: WallClockTime) throws(StorageError) {
        while let first = pendingDeletions.first, first.due <= now {
            try store.remove([first.path])
            pendingDeletions.removeFirst()
        }
    }
}
