/// A media playlist a recording can write (`output.playlists:`).
public enum PlaylistKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `index.m3u8`: every segment of the recording; a VOD playlist for recorded inputs and an
    /// EVENT playlist (ended with `#EXT-X-ENDLIST` when the input ends) for live ones.
    case index
    /// `live.m3u8`: a sliding window of the last `live_window` segments.
    case live
}
