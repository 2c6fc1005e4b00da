import CuepointHLS
import CuepointTime

// MARK: - Subtitle renditions of the caption files, published with the media

extension RecordingPublisher {
    /// Starts the subtitle renditions of `tracks` (call before the first segment), configured as
    /// the media renditions' playlists are. A resumed recording's subtitle playlists continue from
    /// the main rendition's published segments: each WebVTT segment already written is kept (media
    /// is never replaced), and one a crash left unwritten is written now.
    func startSubtitles(_ tracks: [CaptionTrack], resumed: RecordingResume?) throws(StorageError) {
        guard let main = renditions.first?.playlists else { return }
        let old = resumed?.renditions.first
        var subtitles = SubtitleRenditions(tracks: tracks, container: container) {
            RenditionPlaylists(
                kinds: main.kinds, windowSize: main.windowSize, finishAsVOD: main.finishAsVOD,
                targetMilliseconds: segmentDuration.milliseconds, firstSequence: old?.firstSequence ?? main.firstSequence,
                discontinuitySequence: old?.discontinuitySequence ?? 0)
        }
        if let resumed, let old {
            var start = resumed.recordedMilliseconds - old.segments.reduce(0) { $0 + $1.durationMilliseconds }
            for (offset, segment) in old.segments.enumerated() {
                let record = SegmentRecord(
                    rendition: old.name, sequence: old.firstSequence + Int64(offset), uri: segment.uri,
                    durationMilliseconds: segment.durationMilliseconds, byteCount: 0, discontinuity: segment.discontinuity,
                    programDateTime: segment.programDateTime ?? WallClockTime(millisecondsSince1970: 0),
                    mediaStartMilliseconds: start)
                start += segment.durationMilliseconds
                let missing = subtitles.files(following: record).filter { !store.exists($0.path) }
                if missing.isEmpty {
                    if record.discontinuity { subtitles.dropAnchor() }
                } else {
                    if subtitles.needsAnchor(record) { anchor(&subtitles, at: record, initURI: segment.map?.uri) }
                    for file in subtitles.files(following: record) where !store.exists(file.path) {
                        try store.create(file.path, with: Array(file.text.utf8))
                    }
                }
                _ = subtitles.add(following: record)
            }
            // The next segment starts a new epoch (EXT-X-DISCONTINUITY): it is measured again.
            subtitles.dropAnchor()
        }
        self.subtitles = subtitles
    }


    /// Writes each language's WebVTT segment for media segment `main` (of the first rendition),
    /// then adds it to the subtitle playlists (published with the media playlists).
    ///
    /// At the start of an epoch the media segment is read back for its first video timestamp
    /// (``SubtitleRenditions``); when it cannot be read, cue time is taken as media time, with a
    /// warning.
    func addSubtitles(following main: SegmentRecord, initURI: String?, now: WallClockTime) throws(StorageError) {
        guard var subtitles else { return }
        if subtitles.needsAnchor(main) { anchor(&subtitles, at: main, initURI: initURI) }
        for file in subtitles.files(following: main) { try store.create(file.path, with: Array(file.text.utf8)) }
        for (folder, removed) in subtitles.add(following: main) {
            if let playlists = subtitles.renditions.first(where: { $0.folder == folder })?.playlists {
                scheduleDeletions(of: removed, in: folder, playlists: playlists, now: now)
            }
        }
        self.subtitles = subtitles
    }

    /// Reads media segment `record` of the first rendition back for its first video timestamp and
    /// anchors the subtitles' epoch there (``SubtitleRenditions``).
    private func anchor(_ subtitles: inout SubtitleRenditions, at record: SegmentRecord, initURI: String?) {
        let folder = renditions[0].name
        let start = SegmentProbe.times(
            of: RecordingLayout.path(record.uri, in: folder), initSection: initURI.map { RecordingLayout.path($0, in: folder) },
            in: store, wholeFile: false)?.start
        if start == nil && !warnedSubtitleTimestamps {
            warnedSubtitleTimestamps = true
            warnings.add(
                "\(folder)/\(record.uri): its timestamps could not be read back for the subtitles' X-TIMESTAMP-MAP;"
                    + " cue times are taken as media times, so captions may show early or late")
        }
        subtitles.anchor(start: start, at: record)
    }
}
