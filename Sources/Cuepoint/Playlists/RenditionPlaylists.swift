import CuepointHLS
import CuepointTime

/// The playlists of one rendition as values: `index.m3u8` (the whole recording: EVENT while
/// it grows, VOD or EVENT+ENDLIST when it ends) and `live.m3u8` (a sliding window of the
/// newest segments for live inputs). Pure: it returns playlists to publish and the segments
/// that left the window; the caller writes and deletes files.
struct RenditionPlaylists {
    /// Which playlists are written.
    let kinds: Set<PlaylistKind>
    /// Segments kept in `live.m3u8`.
    let windowSize: Int
    /// Whether the finished recording is published as VOD (file inputs) or as a closed EVENT (live).
    let finishAsVOD: Bool
    /// The configured target, in whole seconds, before any segment was longer.
    let configuredTargetSeconds: Int

    /// Every segment of the recording, in order.
    private(set) var segments: [MediaSegment] = []
    /// The media sequence number of `segments[0]`.
    let firstSequence: Int64
    /// How many leading segments have left the live window.
    private(set) var windowStart = 0
    /// Discontinuity tags that have left the live window (EXT-X-DISCONTINUITY-SEQUENCE).
    private(set) var removedDiscontinuities: Int64 = 0
    private(set) var longestMilliseconds: Int64 = 0

    /// - Parameter discontinuitySequence: discontinuities that already left the window (a resumed
    ///   recording that keeps only `live.m3u8`).
    init(
        kinds: Set<PlaylistKind>, windowSize: Int, finishAsVOD: Bool, targetMilliseconds: Int64, firstSequence: Int64,
        discontinuitySequence: Int64 = 0
    ) {
        self.removedDiscontinuities = discontinuitySequence
        self.kinds = kinds
        self.windowSize = max(windowSize, 1)
        self.finishAsVOD = finishAsVOD
        self.configuredTargetSeconds = MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: targetMilliseconds)
        self.firstSequence = firstSequence
    }

    /// EXT-X-TARGETDURATION: the configured target, raised when a segment rounds above it
    /// (copy mode can only cut at keyframes; the caller warns when that happens).
    var targetDuration: Int {
        max(configuredTargetSeconds, MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: longestMilliseconds))
    }

    /// Adds a completed segment.
    ///
    /// - Returns: the segments that left the live window (their files may be deleted after
    ///   the availability duration when nothing else lists them).
    mutating func append(_ segment: MediaSegment) -> [MediaSegment] {
        segments.append(segment)
        longestMilliseconds = max(longestMilliseconds, segment.durationMilliseconds)
        guard kinds.contains(.live) else { return [] }
        var removed: [MediaSegment] = []
        while segments.count - windowStart > windowSize {
            let leaving = segments[windowStart]
            if leaving.discontinuity { removedDiscontinuities += 1 }
            removed.append(leaving)
            windowStart += 1
        }
        return removed
    }

    /// Adds date ranges to the last segment (before the final publish).
    mutating func appendToLastSegment(_ dateRanges: [DateRange]) {
        guard !segments.isEmpty else { return }
        segments[segments.count - 1].dateRanges += dateRanges
    }

    /// `index.m3u8`: every segment; `finished` adds ENDLIST (and VOD for file inputs).
    func indexPlaylist(finished: Bool) -> MediaPlaylist {
        var playlist = MediaPlaylist(targetDuration: targetDuration, segments: segments)
        playlist.mediaSequence = firstSequence
        playlist.playlistType = finished && finishAsVOD ? .vod : .event
        playlist.endList = finished
        return playlist
    }

    /// `live.m3u8`: the newest `windowSize` segments, no playlist type.
    ///
    /// A date range stays while any of its dates maps to a segment still listed (RFC 8216
    /// §6.2.1): the tags of ranges that began in segments which left the window, and are
    /// still open or end inside the window, move to the window's first segment.
    func livePlaylist(finished: Bool) -> MediaPlaylist {
        var window = Array(segments[windowStart...])
        if windowStart > 0, let windowStartDate = window.first?.programDateTime {
            // Where each range ends, from whichever of its tags carries DURATION or END-DATE.
            var ends: [String: WallClockTime] = [:]
            for range in segments.flatMap(\.dateRanges) {
                if let end = range.endDate ?? range.durationMilliseconds.map({ range.startDate.advanced(by: .milliseconds($0)) }) {
                    ends[range.id] = end
                }
            }
            let carried = segments[..<windowStart].flatMap(\.dateRanges).filter { range in
                ends[range.id].map { $0 >= windowStartDate } ?? true
            }
            window[0].dateRanges = carried + window[0].dateRanges
        }
        var playlist = MediaPlaylist(targetDuration: targetDuration, segments: window)
        playlist.mediaSequence = firstSequence + Int64(windowStart)
        playlist.discontinuitySequence = removedDiscontinuities
        playlist.endList = finished
        return playlist
    }

    /// The playlists to publish now, by file name.
    func rendered(finished: Bool) -> [(name: String, text: String)] {
        var files: [(String, String)] = []
        if kinds.contains(.index) {
            files.append((RecordingLayout.playlist(.index), indexPlaylist(finished: finished).render()))
        }
        if kinds.contains(.live) { files.append((RecordingLayout.playlist(.live), livePlaylist(finished: finished).render())) }
        return files
    }

    /// The playlist that holds the whole recording when it is written (`index.m3u8`), else the
    /// window (`live.m3u8`): the one `master.m3u8` lists and a resumed run reads back.
    var mainKind: PlaylistKind { kinds.contains(.index) ? .index : .live }

    /// The total duration of the live window in milliseconds (for the availability rule).
    var windowMilliseconds: Int64 { segments[windowStart...].reduce(0) { $0 + $1.durationMilliseconds } }
}
