public import CuepointTime

/// A completed segment of one rendition, as the session reports it.
public struct SegmentRecord: Sendable, Equatable {
    /// The rendition it belongs to.
    public var rendition: String
    /// Its media sequence number.
    public var sequence: Int64
    /// Its file name, relative to the rendition directory.
    public var uri: String
    /// EXTINF in milliseconds.
    public var durationMilliseconds: Int64
    /// Its size in bytes, container overhead included.
    public var byteCount: Int64
    /// Whether an EXT-X-DISCONTINUITY precedes it.
    public var discontinuity: Bool
    /// Its EXT-X-PROGRAM-DATE-TIME.
    public var programDateTime: WallClockTime
    /// Media time of its first frame since the recording started, in milliseconds.
    public var mediaStartMilliseconds: Int64
}
