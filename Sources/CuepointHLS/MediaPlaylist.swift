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
    /// Writes EXT-X-ENDLIST: no segment will be added.
    public var endList: Bool
    /// The segments, in playback order.
    public var segments: [MediaSegment]

    public init(
        targetDuration: Int,
        mediaSequence: Int64 = 0,
        discontinuitySequence: Int64 = 0,
        playlistType: PlaylistType? = nil,
        independentSegments: Bool = false,
        endList: Bool = false,
        segments: [MediaSegment] = []
    ) {
        self.targetDuration = targetDuration
        self.mediaSequence = mediaSequence
        self.discontinuitySequence = discontinuitySequence
        self.playlistType = playlistType
        self.independentSegments = independentSegments
        self.endList = endList
        self.segments = segments
    }

    /// The lowest protocol version the content needs, written as EXT-X-VERSION (bis §8):
    /// 3 for the floating-point EXTINF durations this module always writes, 4 when a segment has
    /// EXT-X-BYTERANGE, 6 when a segment has EXT-X-MAP.
    public var version: Int { versionRequirement.version }

    /// The version together with the feature that needs it, for error messages.
    var versionRequirement: (version: Int, reason: String) {
        if segments.contains(where: { $0.map != nil }) { return (6, "EXT-X-MAP needs version 6") }
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
