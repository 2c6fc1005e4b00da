/// The value of EXT-X-PLAYLIST-TYPE.
///
/// A sliding-window live playlist carries no type at all (`MediaPlaylist.playlistType == nil`).
public enum PlaylistType: String, Hashable, Sendable, CaseIterable {
    /// `EVENT`: segments are only ever appended; used while a recording is live.
    case event = "EVENT"
    /// `VOD`: the playlist never changes; used for replays.
    case vod = "VOD"
}
