import CuepointFFmpeg
import CuepointHLS
import CuepointTime

/// Collects where the keyframes of a rendition sit in its segments, for its I-frame playlist
/// (EXT-X-I-FRAMES-ONLY with byte ranges into the segments the VOD playlist uses).
///
/// - MPEG-TS: every keyframe; its byte range runs from the TS packet starting its PES to the
///   next video PES (or the end of the segment), and an EXT-X-MAP byte range points at the
///   segment's PAT and PMT (the bytes before its first PES), so every range decodes on its own.
/// - Fragmented MP4: the keyframe that starts each segment; its range runs from the start of
///   the segment (so it includes the `moof` a player needs) to the end of the keyframe's data.
struct IFrameIndex {
    struct Entry: Equatable {
        var entryIndex: Int
        var offset: Int64
        var length: Int64
        var time: MediaTime
        /// Bytes at the start of the segment before its first PES (TS only).
        var headerLength: Int64?
    }

    let container: Container
    private(set) var entries: [Entry] = []
    private var open: Entry?
    private var firstOffset: [Int: Int64] = [:]
    private var lastVideoEntry = -1

    init(container: Container) { self.container = container }

    mutating func record(_ item: ReplayPacket, segmentSize: (Int) -> Int64) {
        guard let offset = item.offsetInSegment else { return }
        let entry = item.entryIndex
        firstOffset[entry] = min(firstOffset[entry] ?? offset, offset)
        guard item.kind == .video else { return }
        let startsSegment = entry != lastVideoEntry
        lastVideoEntry = entry
        if var pending = open {
            pending.length = pending.entryIndex == entry ? offset - pending.offset : segmentSize(pending.entryIndex) - pending.offset
            if pending.length > 0 { entries.append(pending) }
            open = nil
        }
        guard item.packet.isKeyframe, let time = item.replayTime else { return }
        switch container {
        case .ts:
            open = Entry(entryIndex: entry, offset: offset, length: 0, time: time, headerLength: firstOffset[entry])
        case .fmp4:
            guard startsSegment else { return }
            entries.append(Entry(entryIndex: entry, offset: 0, length: offset + Int64(item.packet.size), time: time))
        }
    }

    mutating func finish(segmentSize: (Int) -> Int64) {
        if var pending = open {
            pending.length = segmentSize(pending.entryIndex) - pending.offset
            if pending.length > 0 { entries.append(pending) }
            open = nil
        }
    }

    /// The I-frame playlist, with the URIs of the VOD playlist's segments.
    func playlist(
        segments: [MediaSegment], timeline: ReplayTimeline, replayEnd: MediaTime, mediaSequence: Int64 = 1
    ) -> MediaPlaylist {
        var result: [MediaSegment] = []
        for (position, entry) in entries.enumerated() {
            let next = position + 1 < entries.count ? entries[position + 1].time : replayEnd
            let duration = max(1, (next - entry.time).milliseconds)
            let source = segments[entry.entryIndex]
            var segment = MediaSegment(uri: source.uri, durationMilliseconds: duration)
            segment.byteRange = ByteRange(length: entry.length, offset: entry.offset)
            segment.discontinuity = source.discontinuity && (position == 0 || entries[position - 1].entryIndex != entry.entryIndex)
            if container == .ts, let header = entry.headerLength, header > 0 {
                segment.map = MediaInitializationSection(uri: source.uri, byteRange: ByteRange(length: header, offset: 0))
            } else {
                segment.map = source.map
            }
            result.append(segment)
        }
        let longest = result.map(\.durationMilliseconds).max() ?? 0
        var playlist = MediaPlaylist(
            targetDuration: MediaPlaylist.targetDuration(forLongestSegmentMilliseconds: longest),
            mediaSequence: mediaSequence, segments: result)
        playlist.playlistType = .vod
        playlist.iFramesOnly = true
        playlist.independentSegments = true
        playlist.endList = true
        return playlist
    }

    /// BANDWIDTH and AVERAGE-BANDWIDTH of the I-frame playlist, measured as for media playlists.
    func bandwidth(of playlist: MediaPlaylist) -> (peak: Int, average: Int) {
        let sizes = playlist.segments.map { (bytes: $0.byteRange?.length ?? 0, durationMilliseconds: $0.durationMilliseconds) }
        return (
            BitrateMeasurement.peak(segments: sizes, targetDuration: playlist.targetDuration),
            BitrateMeasurement.average(segments: sizes)
        )
    }
}
