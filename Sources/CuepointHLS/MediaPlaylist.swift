/// A media playlist: the list of segments of one rendition, as a value.
///
/// The segmenter appends `MediaSegment`s and calls `render()` after every change; the text is
/// deterministic, so the same value always produces the same bytes. `init(parsing:)` reads such
/// text back (see `MediaPlaylist+Parsing.swift`).
///
/// ```swift
/// var playlist = MediaPlaylist(targetDuration: 6, playlistType: .event)
/// playlist.segments.append(MediaSegment(uri: "seg00000.ts", durationMilliseconds: 6006))
/// let text = playlist.render()
/// ```
public struct MediaPlaylist: Hashable, Sendable {
    /// EXT-X-TARGETDURATION, in whole seconds: every EXTINF rounded to the nearest second must be
    /// at most this, and it must not change during a live presentation. See
    /// `targetDuration(forLongestSegmentMilliseconds:)`.
    public var targetDuration: Int
    /// EXT-X-MEDIA-SEQUENCE: the sequence number of the first segment; increases by one for every
    /// segment removed from the head of a live window. Always written.
    public var mediaSequence: Int64
    /// EXT-X-DISCONTINUITY-SEQUENCE: increases by one for every EXT-X-DISCONTINUITY removed from
    /// the head of a live window. Written only when nonzero.
    public var discontinuitySequence: Int64
    /// EXT-X-PLAYLIST-TYPE; nil for a sliding-window live playlist.
    public var playlistType: PlaylistType?
    /// Writes EXT-X-INDEPENDENT-SEGMENTS. Usually declared in the multivariant playlist instead.
    public var independentSegments: Bool
    /// Writes EXT-X-I-FRAMES-ONLY: an I-frame (trick-play) playlist, referenced from the multivariant
    /// playlist by an `IFrameStream`. Each segment is one I-frame, usually an EXT-X-BYTERANGE into a
    /// file shared by all segments (`MediaSegment.byteRange` with explicit offsets), and its EXTINF
    /// is the time until the next I-frame. When the frames need a Media Initialization Section,
    /// `MediaSegment.map` points at it (its byte range excludes the frames). Needs protocol
    /// version 4, or 5 with EXT-X-MAP.
    public var iFramesOnly: Bool
    /// Writes EXT-X-ENDLIST: no segment will be added.
    public var endList: Bool
    /// The segments, in playback order.
    public var segments: [MediaSegment]

    // Low-latency HLS (RFC 8216bis §4.4.3.7–4.4.5.4); see `MediaPlaylist+LowLatency.swift`.

    /// EXT-X-SERVER-CONTROL: what the publishing server can do (blocking reload, delta updates).
    public var serverControl: ServerControl? = nil
    /// EXT-X-PART-INF:PART-TARGET, in milliseconds: the longest a part may last. Required when any
    /// segment (or `openSegment`) has parts.
    public var partTargetMilliseconds: Int64? = nil
    /// EXT-X-SKIP: this is a delta update, and the first `skip.skippedSegments` segments (counted
    /// from `mediaSequence`) are left out; `segments[0]` has sequence `mediaSequence + skippedSegments`.
    public var skip: PlaylistSkip? = nil
    /// The segment still being written: its parts so far, after the last complete segment.
    public var openSegment: OpenSegment? = nil
    /// EXT-X-PRELOAD-HINT tags: what a client may request before it exists. None with `endList`.
    public var preloadHints: [PreloadHint] = []
    /// EXT-X-RENDITION-REPORT tags: the live edge of the other renditions.
    public var renditionReports: [PlaylistRenditionReport] = []

    public init(
        targetDuration: Int,
        mediaSequence: Int64 = 0,
        discontinuitySequence: Int64 = 0,
        playlistType: PlaylistType? = nil,
        independentSegments: Bool = false,
        iFramesOnly: Bool = false,
        endList: Bool = false,
        segments: [MediaSegment] = []
    ) {
        self.targetDuration = targetDuration
        self.mediaSequence = mediaSequence
        self.discontinuitySequence = discontinuitySequence
        self.playlistType = playlistType
        self.independentSegments = independentSegments
        self.iFramesOnly = iFramesOnly
        self.endList = endList
        self.segments = segments
    }

    /// The lowest protocol version the content needs, written as EXT-X-VERSION (RFC 8216 §7, bis §8):
    /// 3 for the floating-point EXTINF durations this module always writes; 4 for EXT-X-BYTERANGE or
    /// EXT-X-I-FRAMES-ONLY; 6 for EXT-X-MAP, except 5 for EXT-X-MAP in an I-frames-only playlist.
    public var version: Int { versionRequirement.version }

    /// The version together with the feature that needs it, for error messages.
    var versionRequirement: (version: Int, reason: String) {
        if let skip {
            if !skip.recentlyRemovedDateRanges.isEmpty {
                return (10, "EXT-X-SKIP with RECENTLY-REMOVED-DATERANGES needs version 10")
            }
            return (9, "EXT-X-SKIP needs version 9")
        }
        if segments.contains(where: { $0.map != nil }) {
            // RFC 8216 §7 asks for version 5 for EXT-X-MAP and 6 only for EXT-X-MAP "in a Media
            // Playlist that does not contain EXT-X-I-FRAMES-ONLY".
            if iFramesOnly { return (5, "EXT-X-MAP in an I-frames-only playlist needs version 5") }
            return (6, "EXT-X-MAP needs version 6")
        }
        if iFramesOnly { return (4, "EXT-X-I-FRAMES-ONLY needs version 4") }
        if segments.contains(where: { $0.byteRange != nil }) { return (4, "EXT-X-BYTERANGE needs version 4") }
        return (3, "floating-point EXTINF durations need version 3")
    }

    /// The EXT-X-TARGETDURATION for a playlist whose longest segment lasts the given time: the
    /// duration rounded to the nearest whole second, halves up (6.499 s → 6, 6.5 s → 7), and at
    /// least 1. This is the inverse of the RFC's rule that every EXTINF rounded to the nearest
    /// integer must not exceed the target duration.
    ///
    /// - Parameter milliseconds: the longest EXTINF, in milliseconds.
    public static func targetDuration(forLongestSegmentMilliseconds milliseconds: Int64) -> Int {
        max(1, Int(roundedSeconds(milliseconds)))
    }

    /// Milliseconds rounded to the nearest second, halves up.
    static func roundedSeconds(_ milliseconds: Int64) -> Int64 {
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let floor = remainder < 0 ? quotient - 1 : quotient
        let positiveRemainder = remainder < 0 ? remainder + 1000 : remainder
        return positiveRemainder >= 500 ? floor + 1 : floor
    }
}
