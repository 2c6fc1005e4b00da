import CuepointObjectStorage
import Foundation

/// Decides how long a CDN may cache each version of a document the pipeline publishes, from the
/// document itself: its `Cache-Control` is fixed when it is uploaded (``CachePolicy``), so the
/// decision is made per version. Pure: the text in, the decision out; it remembers only what
/// the media playlists said, for the multivariant playlist that lists them.
///
/// | document | final when | live max-age from |
/// |---|---|---|
/// | a media playlist | it carries `#EXT-X-ENDLIST` (VOD, or an EVENT that ended) | its `#EXT-X-TARGETDURATION` |
/// | `master.m3u8` (`#EXT-X-STREAM-INF`) | every media playlist seen so far is final | the media playlists' target duration |
/// | `recording.json` | it says `"complete": true` | — (`no-cache` while live) |
/// | `markers.jsonl` | never (it grows while the recording can be resumed) | — (`no-cache`) |
/// | anything else (a replay's documents) | always | — |
///
/// The engine publishes the media playlists before `master.m3u8` (``RecordingPublisher``), so the
/// final multivariant playlist follows the final media playlists and is cached as final too.
struct DocumentCaching: Sendable {
    /// What to store a document version with.
    struct Decision: Sendable, Equatable {
        /// The document will not change again.
        var isFinal: Bool
        /// For a live playlist's max-age (half of it): the target duration, in milliseconds.
        var targetDurationMilliseconds: Int?
    }

    /// Whether each media playlist seen (by path) was final in its latest version.
    private var mediaPlaylistsFinal: [String: Bool] = [:]
    /// The latest target duration a media playlist declared, in milliseconds.
    private var targetDurationMilliseconds: Int?

    /// The decision for a new version of the document at `path` (relative to the recording).
    mutating func decide(path: String, bytes: [UInt8]) -> Decision {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".m3u8") {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("#EXT-X-STREAM-INF") {
                let isFinal = !mediaPlaylistsFinal.isEmpty && mediaPlaylistsFinal.values.allSatisfy { $0 }
                return Decision(isFinal: isFinal, targetDurationMilliseconds: targetDurationMilliseconds)
            }
            let isFinal = text.contains("#EXT-X-ENDLIST")
            let target = Self.targetDuration(in: text)
            mediaPlaylistsFinal[path] = isFinal
            if let target { targetDurationMilliseconds = target }
            return Decision(isFinal: isFinal, targetDurationMilliseconds: target ?? targetDurationMilliseconds)
        }
        if name == RecordingLayout.state {
            if case .state(let state) = RecordingState.decode(bytes) { return Decision(isFinal: state.complete) }
            return Decision(isFinal: false)
        }
        if name == RecordingLayout.markerLog { return Decision(isFinal: false) }
        return Decision(isFinal: true)
    }

    /// `#EXT-X-TARGETDURATION:N` in milliseconds; nil without one.
    static func targetDuration(in text: String) -> Int? {
        let tag = "#EXT-X-TARGETDURATION:"
        guard let range = text.range(of: tag) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let seconds = Int(digits), seconds > 0, seconds < 86_400 else { return nil }
        return seconds * 1000
    }
}
