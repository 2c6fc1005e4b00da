/// Why a playlist's text was rejected by `MediaPlaylist(parsing:)` or `MultivariantPlaylist(parsing:)`.
///
/// Its description reads `line 7: EXTINF duration 6.5 rounds to 7, above EXT-X-TARGETDURATION 6`.
/// Problems of the playlist as a whole (a missing EXT-X-TARGETDURATION, say) are reported on line 1.
public struct PlaylistParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number of the offending line.
    public var line: Int
    /// What is wrong, naming the tag or attribute involved.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
