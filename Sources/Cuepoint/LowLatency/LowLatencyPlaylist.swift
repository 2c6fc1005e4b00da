import CuepointHLS
import CuepointTime

/// Renders the low-latency form of a rendition's playlist from ``PartStore``'s state: the
/// playlist the recording publishes on disk (`index.m3u8` or `live.m3u8`), plus
/// EXT-X-SERVER-CONTROL, EXT-X-PART-INF, the parts of the last three target durations, the open
/// segment's parts, a preload hint for the next part, a rendition report per other rendition, and
/// for delta updates EXT-X-SKIP. Pure.
///
/// Delta updates and product markers (date ranges): with `_HLS_skip=YES` every EXT-X-DATERANGE of
/// a skipped segment moves to the first segment listed, so the update keeps every date range the
/// full playlist has (a client merges tags by ID). With `_HLS_skip=v2` (CAN-SKIP-DATERANGES=YES)
/// the date ranges of skipped segments are left out: the client already has them from an earlier
/// reload, and a range closed later is closed by a tag on a later, listed segment.
/// RECENTLY-REMOVED-DATERANGES lists nothing: the EVENT `index.m3u8` never removes a range, and
/// `live.m3u8` offers no delta updates unless its window is long (see ``serverControl``).
enum LowLatencyPlaylist {
    /// Parts are listed for the segments ending within this many target durations of the live edge
    /// (bis §6.2.2: remove EXT-X-PART tags more than three target durations from the end).
    static let listedTargetDurations: Int64 = 3

    /// The EXT-X-SERVER-CONTROL of every rendition's `kind` playlist: blocking reload,
    /// PART-HOLD-BACK of three part targets (Apple 14.3), and for `index.m3u8` (and a `live.m3u8`
    /// window of at least twelve segments, twice the Skip Boundary) delta updates with a Skip
    /// Boundary of six target durations, date ranges included.
    static func serverControl(
        kind: PlaylistKind, rendition: PartStore.RenditionState, targetSeconds: Int, partTargetMilliseconds: Int64
    ) -> ServerControl {
        let offersSkip = kind == .index || rendition.playlists.windowSize >= 12
        return ServerControl(
            canBlockReload: true, canSkipUntilMilliseconds: offersSkip ? 6 * Int64(targetSeconds) * 1000 : nil,
            canSkipDateRanges: offersSkip, partHoldBackMilliseconds: 3 * partTargetMilliseconds)
    }

    static func playlist(
        kind: PlaylistKind, index: Int, renditions: [PartStore.RenditionState], finished: Bool, targetSeconds: Int,
        partTargetMilliseconds: Int64, skip: DeliveryDirectives.Skip?
    ) -> MediaPlaylist {
        let rendition = renditions[index]
        var playlist =
            kind == .live
            ? rendition.playlists.livePlaylist(finished: finished)
            : rendition.playlists.indexPlaylist(finished: finished)
        // The recording ended: the final playlist, as on disk (no parts, no hints, ENDLIST).
        guard !finished else { return playlist }
        let control = serverControl(
            kind: kind, rendition: rendition, targetSeconds: targetSeconds,
            partTargetMilliseconds: partTargetMilliseconds)
        playlist.serverControl = control
        playlist.partTargetMilliseconds = partTargetMilliseconds

        // Parts of the segments near the live edge.
        let openParts = rendition.openParts
        let horizon = listedTargetDurations * Int64(targetSeconds) * 1000
        var fromEnd = openParts.reduce(0) { $0 + $1.durationMilliseconds }
        for position in playlist.segments.indices.reversed() {
            if fromEnd >= horizon { break }
            fromEnd += playlist.segments[position].durationMilliseconds
            let sequence = playlist.mediaSequence + Int64(position)
            playlist.segments[position].parts = (rendition.parts[sequence] ?? []).map(partialSegment)
        }
        if let open = rendition.open, !openParts.isEmpty {
            playlist.openSegment = OpenSegment(
                discontinuity: open.discontinuity, map: open.map, programDateTime: open.programDateTime,
                parts: openParts.map(partialSegment))
        }
        playlist.preloadHints = [PreloadHint(type: .part, uri: RecordingLayout.part(number: rendition.nextPartNumber))]
        playlist.renditionReports = renditions.indices.filter { $0 != index }.compactMap { other in
            report(renditions[other], kind: kind)
        }

        if let skip, let boundary = control.canSkipUntilMilliseconds {
            applySkip(
                skip, boundary: boundary, openMilliseconds: openParts.reduce(0) { $0 + $1.durationMilliseconds },
                to: &playlist)
        }
        return playlist
    }

    /// Replaces the leading segments that end at least `boundary` before the end of the playlist
    /// with EXT-X-SKIP (bis §6.2.5.1).
    static func applySkip(
        _ skip: DeliveryDirectives.Skip, boundary: Int64, openMilliseconds: Int64, to playlist: inout MediaPlaylist
    ) {
        var fromEnd = openMilliseconds
        var kept = 0
        for segment in playlist.segments.reversed() {
            if fromEnd >= boundary { break }
            fromEnd += segment.durationMilliseconds
            kept += 1
        }
        let skipped = playlist.segments.count - kept
        guard skipped > 0 else { return }
        let leaving = playlist.segments[..<skipped]
        var remaining = Array(playlist.segments[skipped...])
        if skip == .segments {
            remaining[0].dateRanges = leaving.flatMap(\.dateRanges) + remaining[0].dateRanges
        }
        // The first listed segment states its init section (the renderer writes MAP when it
        // differs from the previous one, which is now none).
        playlist.segments = remaining
        playlist.skip = PlaylistSkip(skippedSegments: Int64(skipped))
    }

    /// The EXT-X-RENDITION-REPORT for `rendition` as seen from a sibling's `kind` playlist.
    static func report(_ rendition: PartStore.RenditionState, kind: PlaylistKind) -> PlaylistRenditionReport? {
        let uri = "../" + RecordingLayout.playlistPath(kind, in: rendition.name)
        let openParts = rendition.openParts
        if let open = rendition.open, !openParts.isEmpty {
            return PlaylistRenditionReport(uri: uri, lastSequence: open.sequence, lastPart: Int64(openParts.count - 1))
        }
        guard rendition.lastComplete >= rendition.playlists.firstSequence else { return nil }
        let parts = rendition.parts[rendition.lastComplete]
        return PlaylistRenditionReport(
            uri: uri, lastSequence: rendition.lastComplete, lastPart: parts.map { Int64($0.count - 1) })
    }

    static func partialSegment(_ part: PartStore.Part) -> PartialSegment {
        PartialSegment(uri: part.uri, durationMilliseconds: part.durationMilliseconds, independent: part.independent)
    }
}
