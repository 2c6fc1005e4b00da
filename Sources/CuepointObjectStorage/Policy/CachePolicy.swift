/// The `Content-Type` and `Cache-Control` every object is stored with. Headers are fixed at
/// upload, so they are decided here, once, for what a CDN in front of the store should do:
///
/// | object | Content-Type | Cache-Control |
/// |---|---|---|
/// | segment `.ts` | `video/mp2t` | `max-age=1209600, immutable` (14 days) |
/// | segment `.m4s` | `video/iso.segment` | `max-age=1209600, immutable` |
/// | init section `.mp4` | `video/mp4` | `max-age=1209600, immutable` |
/// | audio segment `.aac` | `audio/aac` | `max-age=1209600, immutable` |
/// | subtitle segment `seg_NNNNNN.vtt` | `text/vtt` | `max-age=1209600, immutable` |
/// | live playlist `.m3u8` (media or multivariant) | `application/vnd.apple.mpegurl` | `max-age=T/2` (half the target duration, at least 1 s) |
/// | finished playlist `.m3u8` (VOD, ended EVENT) | `application/vnd.apple.mpegurl` | `max-age=86400` |
/// | `recording.json`, `markers.jsonl`, other documents of a live show | by extension | `no-cache` (stored, revalidated on every request) |
/// | finished documents: `.json`, `.vtt`, `.jsonl` | `application/json`, `text/vtt`, `application/x-ndjson` | `max-age=86400` |
/// | replay files: `replay.mp4`, `clips/*.mp4`, `thumbnails/*.jpg`, `index.html` | `video/mp4`, `image/jpeg`, `text/html; charset=utf-8` | `max-age=86400` |
/// | anything else | `application/octet-stream` | as a document of its kind |
///
/// Segments (subtitle segments too) and init sections never change under their name (new content gets a new name), so
/// a CDN may keep them for weeks and players need not revalidate them. A live playlist changes
/// every segment: caching it for half a target duration (MediaPackage's guidance) keeps the CDN
/// in front of the store while a player still sees each new segment in time. A finished
/// playlist or replay document does not change again, but a re-export may replace it: a day.
public enum CachePolicy {
    /// `Cache-Control` of segments and init sections: 14 days, never revalidated.
    public static let immutable = "max-age=1209600, immutable"
    /// `Cache-Control` of finished playlists and documents: one day.
    public static let finished = "max-age=86400"
    /// `Cache-Control` of documents that change during a live show (state, marker log).
    public static let revalidate = "no-cache"

    /// The headers of an immutable file: a segment, an init section (or a replay media file
    /// uploaded as a file).
    public static func headersForFile(key: String) -> ObjectHeaders {
        let type = contentType(forKey: key)
        let isMedia =
            ["video/mp2t", "video/iso.segment", "audio/aac"].contains(type) || isInitSection(key) || isSubtitleSegment(key)
        return ObjectHeaders(contentType: type, cacheControl: isMedia ? immutable : finished)
    }

    /// The headers of a document that is replaced in place (a playlist, `recording.json`, …).
    ///
    /// - Parameters:
    ///   - isFinal: the document will not change again (VOD or ended playlist, replay documents).
    ///   - targetDurationMilliseconds: the playlist's target duration, for a live playlist's
    ///     max-age (half of it, whole seconds, at least 1). Without it a live playlist gets 1 s.
    public static func headersForDocument(key: String, isFinal: Bool, targetDurationMilliseconds: Int? = nil)
        -> ObjectHeaders
    {
        let type = contentType(forKey: key)
        if isFinal { return ObjectHeaders(contentType: type, cacheControl: finished) }
        guard type == playlistType else { return ObjectHeaders(contentType: type, cacheControl: revalidate) }
        let seconds = max(1, (targetDurationMilliseconds ?? 0) / 2000)
        return ObjectHeaders(contentType: type, cacheControl: "max-age=\(seconds)")
    }

    /// The Content-Type of a key, from its extension.
    public static func contentType(forKey key: String) -> String {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        return switch name[name.index(after: dot)...].lowercased() {
        case "m3u8": playlistType
        case "ts": "video/mp2t"
        case "m4s": "video/iso.segment"
        case "mp4": "video/mp4"
        case "aac": "audio/aac"
        case "json": "application/json"
        case "jsonl": "application/x-ndjson"
        case "vtt": "text/vtt"
        case "jpg", "jpeg": "image/jpeg"
        case "html": "text/html; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    static let playlistType = "application/vnd.apple.mpegurl"

    /// `seg_000042.vtt`: a WebVTT segment of a subtitle rendition, named after its media segment.
    private static func isSubtitleSegment(_ key: String) -> Bool {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        return name.hasPrefix("seg_") && name.hasSuffix(".vtt")
    }

    /// `init.mp4` and `init_N.mp4`: a rendition's fMP4 initialization section.
    private static func isInitSection(_ key: String) -> Bool {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        return name.hasPrefix("init") && name.hasSuffix(".mp4")
    }
}
