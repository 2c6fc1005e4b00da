public import CuepointTime

/// One media segment of a `MediaPlaylist`: its URI line and the tags that precede it.
///
/// The renderer writes a segment's tags in this order: EXT-X-DISCONTINUITY, EXT-X-MAP (only when
/// it differs from the previous segment's), EXT-X-PROGRAM-DATE-TIME, EXT-X-DATERANGE…,
/// EXT-X-PART…, EXT-X-BYTERANGE, EXTINF, then the URI.
public struct MediaSegment: Hashable, Sendable {
    /// The URI line: where the segment is, relative to the playlist. Must be non-empty, must not
    /// start with `#`, and must not contain CR or LF.
    public var uri: String

    /// The duration written as `#EXTINF:<seconds>,`, in milliseconds; rendered with exactly three
    /// decimals (6006 → `6.006`). Rounded to the nearest second it must not exceed the playlist's
    /// target duration.
    public var durationMilliseconds: Int64

    /// The optional title after the comma of EXTINF (`#EXTINF:6.006,<title>`). Must not contain
    /// CR, LF or other control characters.
    public var title: String

    /// Writes EXT-X-DISCONTINUITY before this segment: the file format, tracks, timestamp
    /// sequence or encoding parameters change here.
    public var discontinuity: Bool

    /// Writes EXT-X-PROGRAM-DATE-TIME: the wall-clock time of the segment's first sample.
    public var programDateTime: WallClockTime?

    /// The EXT-X-MAP in force for this segment. The renderer writes EXT-X-MAP only when this
    /// differs from the previous segment's value; the parser carries the last EXT-X-MAP forward,
    /// so once a segment has a map every later segment must have one too.
    public var map: MediaInitializationSection?

    /// Writes EXT-X-BYTERANGE: the segment is this sub-range of `uri`. Needs protocol version 4.
    public var byteRange: ByteRange?

    /// The EXT-X-DATERANGE tags rendered just before this segment's other tags, in order: the
    /// date ranges (product markers) that begin or are updated at this segment.
    public var dateRanges: [DateRange]

    /// The EXT-X-PART tags of a low-latency playlist, rendered after the date ranges and before
    /// EXTINF: the parts this segment was published as while it was being written. Empty for
    /// segments whose parts are no longer listed.
    public var parts: [PartialSegment] = []

    public init(
        uri: String,
        durationMilliseconds: Int64,
        title: String = "",
        discontinuity: Bool = false,
        programDateTime: WallClockTime? = nil,
        map: MediaInitializationSection? = nil,
        byteRange: ByteRange? = nil,
        dateRanges: [DateRange] = []
    ) {
        self.uri = uri
        self.durationMilliseconds = durationMilliseconds
        self.title = title
        self.discontinuity = discontinuity
        self.programDateTime = programDateTime
        self.map = map
        self.byteRange = byteRange
        self.dateRanges = dateRanges
    }
}
