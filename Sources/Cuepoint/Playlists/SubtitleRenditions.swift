import CuepointHLS
import CuepointTime

/// The recording's subtitle renditions (`captions:`): one per caption language, segmented like the
/// main media rendition while the show runs. Pure: the publisher (``RecordingPublisher``) measures
/// timestamps, writes the files it is handed and deletes the segments that left the window.
///
/// For every media segment the publisher adds, each language gets
///
/// - a WebVTT segment with the same number (`subtitles/en/seg_000042.vtt` beside
///   `source/seg_000042.ts`), holding the cues that show during the segment (a cue spanning a
///   boundary is in both, RFC 8216 §3.5), under
///   `X-TIMESTAMP-MAP=MPEGTS:<the media's own 90 kHz timestamp at the segment's start>,LOCAL:<the
///   segment's start on the recording's timeline>`;
/// - an entry in its playlists (``RenditionPlaylists``, the same type the media renditions use):
///   the same media sequence number, EXTINF, EXT-X-DISCONTINUITY and PROGRAM-DATE-TIME, the same
///   live window, playlist type and EXT-X-ENDLIST. Date ranges stay in the media playlists.
///
/// `MPEGTS` is 90 kHz for TS and fMP4 alike (RFC 8216 §3.5; bis: "even when non-WebVTT Media
/// Segments use a different timescale"): for TS the PES timestamp, 33-bit wrapped; for fMP4 the
/// presentation time the init section's edit list gives. It is measured once per epoch (one muxer,
/// so one constant offset between the input's timestamps and the output's): the publisher reads
/// the first video timestamp of the epoch's first segment back (``SegmentProbe``) and anchors it
/// to that segment's recording time; later segments of the epoch follow by their recording time.
struct SubtitleRenditions {
    /// One language.
    struct Rendition {
        var track: CaptionTrack
        var playlists: RenditionPlaylists
        /// `subtitles/<lang>`.
        var folder: String { RecordingLayout.subtitleFolder(language: track.language) }
    }

    /// A file to create: a subtitle segment, new and never replaced.
    struct File: Equatable {
        var path: String
        var text: String
    }

    private(set) var renditions: [Rendition]
    /// Whether MPEGTS wraps at 33 bits (MPEG-TS segments).
    let wraps: Bool
    /// The current epoch's anchor: a media timestamp (90 kHz ticks) and the recording time it shows at (ms).
    private var anchor: (mpegts: Int64, recordingMilliseconds: Int64)?

    /// - Parameter playlists: the playlists of a language, configured as the media renditions' are.
    init(tracks: [CaptionTrack], container: Container, playlists: () -> RenditionPlaylists) {
        renditions = tracks.map { Rendition(track: $0, playlists: playlists()) }
        wraps = container == .ts
    }

    /// Whether the segment of `record` starts an epoch whose timestamps the publisher must read back
    /// (the first segment, or one after EXT-X-DISCONTINUITY) before ``add(following:)``.
    func needsAnchor(_ record: SegmentRecord) -> Bool { anchor == nil || record.discontinuity }

    /// Anchors the epoch that `record` starts: its first video frame has media timestamp `start`.
    /// Without one (the segment could not be read back), cue time is taken as media time.
    mutating func anchor(start: MediaTime?, at record: SegmentRecord) {
        let ticks = start?.rescaled(to: .mpegTS).ticks ?? record.mediaStartMilliseconds * 90
        anchor = (ticks, record.mediaStartMilliseconds)
    }

    /// Forgets the anchor: the next segment is measured again (after seeding a resumed recording).
    mutating func dropAnchor() { anchor = nil }

    /// The `MPEGTS` of the segment that starts at `recordingMilliseconds` in the current epoch.
    func mpegts(atRecordingMilliseconds recordingMilliseconds: Int64) -> Int64 {
        let anchor = anchor ?? (recordingMilliseconds * 90, recordingMilliseconds)
        let ticks = anchor.mpegts + (recordingMilliseconds - anchor.recordingMilliseconds) * 90
        guard wraps else { return max(0, ticks) }
        let period: Int64 = 1 << 33
        return (ticks % period + period) % period
    }

    /// The WebVTT segment of each language that goes with media segment `record`.
    func files(following record: SegmentRecord) -> [File] {
        let uri = RecordingLayout.subtitleSegment(forMedia: record.uri)
        let start = record.mediaStartMilliseconds
        let mpegts = mpegts(atRecordingMilliseconds: start)
        return renditions.map { rendition in
            let segment = CaptionTrack.subtitleSegment(
                of: rendition.track.document, from: start, to: start + record.durationMilliseconds, mpegts: mpegts,
                local: start)
            return File(path: "\(rendition.folder)/\(uri)", text: segment.render())
        }
    }

    /// Adds the segment that follows media segment `record` to every language's playlists (call
    /// once its files exist).
    ///
    /// - Returns: per language, its folder and the segments that left its live window.
    mutating func add(following record: SegmentRecord) -> [(folder: String, removed: [MediaSegment])] {
        var segment = MediaSegment(
            uri: RecordingLayout.subtitleSegment(forMedia: record.uri), durationMilliseconds: record.durationMilliseconds)
        segment.discontinuity = record.discontinuity
        segment.programDateTime = record.programDateTime
        var removed: [(folder: String, removed: [MediaSegment])] = []
        for index in renditions.indices {
            removed.append((renditions[index].folder, renditions[index].playlists.append(segment)))
        }
        return removed
    }

    /// The playlists to publish now, by path.
    func rendered(finished: Bool) -> [File] {
        renditions.flatMap { rendition in
            rendition.playlists.rendered(finished: finished).map { File(path: "\(rendition.folder)/\($0.name)", text: $0.text) }
        }
    }

    /// The `EXT-X-MEDIA` tags of `master.m3u8` (the first language the default), each pointing at
    /// its playlist of `kind` (the kind the variants point at).
    func mediaRenditions(kind: PlaylistKind) -> [MediaRendition] {
        renditions.enumerated().map { number, rendition in
            CaptionTrack.rendition(
                language: rendition.track.language, name: rendition.track.name,
                uri: "\(rendition.folder)/\(RecordingLayout.playlist(kind))", isDefault: number == 0)
        }
    }

    /// What `recording.json` keeps of them.
    func stateEntries(kind: PlaylistKind) -> [RecordingState.Subtitles] {
        renditions.map {
            RecordingState.Subtitles(
                language: $0.track.language, name: $0.track.name, uri: "\($0.folder)/\(RecordingLayout.playlist(kind))")
        }
    }
}
