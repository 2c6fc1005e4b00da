import Foundation

/// The content of `recording.json` (``RecordingLayout/state``): what a later run needs to resume
/// or replay a recording. Written by the publisher after the playlists it describes, so the
/// playlists, not this file, are the truth about which segments were published. While a live
/// recording that keeps `index.m3u8` runs, it is rewritten only when something other than the
/// segment counts changes (the counts then lag until the final write).
///
/// ```json
/// {"complete": false, "container": "fmp4", "live": true, "name": "spring-sale",
///  "renditions": [{"codecs": ["avc1.64001f", "mp4a.40.2"], "durationMilliseconds": 12000,
///                  "kind": "copy", "lastSequence": 2, "name": "source", "segments": 2}],
///  "segmentDurationMilliseconds": 6000, "startDate": "2026-12-07T04:37:44.000Z",
///  "subtitles": [{"language": "en", "name": "English", "uri": "subtitles/en/index.m3u8"}], "version": 1}
/// ```
struct RecordingState: Codable, Equatable {
    struct Rendition: Codable, Equatable {
        var name: String
        /// Segments in its main playlist.
        var segments: Int
        /// The media sequence number of its last segment; nil before the first.
        var lastSequence: Int64?
        /// The EXTINF sum, in milliseconds.
        var durationMilliseconds: Int64
        var codecs: [String]
        /// What the rendition is (`copy`, `preset 720p`, `video+audio`…), so a resumed run can tell
        /// whether its renditions are the same; nil in files written before it was kept.
        var kind: String? = nil
    }

    /// A subtitle rendition of the recording (`captions:`): the replay makes its own from the
    /// caption files, and reads these only to know the folders are not media renditions.
    struct Subtitles: Codable, Equatable {
        /// Its BCP-47 language.
        var language: String
        /// The name players show.
        var name: String
        /// Its playlist, relative to the recording (`subtitles/en/index.m3u8`).
        var uri: String
    }

    /// The format's version; 1.
    var version: Int
    var name: String
    /// `ts` or `fmp4` (``Container``).
    var container: String
    var segmentDurationMilliseconds: Int64
    /// Whether the input was live (a live recording can be resumed).
    var live: Bool
    /// Whether the recording ended normally (a complete recording is never appended to).
    var complete: Bool
    /// The first segment's PROGRAM-DATE-TIME, ISO 8601.
    var startDate: String?
    var renditions: [Rendition]
    /// The subtitle renditions, one per caption language; nil (left out of the file) without captions.
    var subtitles: [Subtitles]? = nil

    /// What reading `recording.json` from a store found.
    enum Loaded: Equatable {
        /// No `recording.json` in the store.
        case missing
        /// A file that is not the JSON cuepoint writes; the reason says why.
        case unreadable(String)
        case state(RecordingState)
    }

    /// Reads `recording.json` from `store`.
    static func load(from store: any Store) -> Loaded {
        let bytes: [UInt8]?
        do {
            bytes = try store.read(RecordingLayout.state)
        } catch {
            return .unreadable(error.description)
        }
        guard let bytes else { return .missing }
        return decode(bytes)
    }

    /// Reads the bytes of a `recording.json`.
    static func decode(_ bytes: [UInt8]) -> Loaded {
        do {
            return .state(try JSONDecoder().decode(RecordingState.self, from: Data(bytes)))
        } catch {
            return .unreadable("\(error)")
        }
    }

    /// The file's bytes: pretty-printed JSON with sorted keys and a final line feed.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return Array(data) + [10]
    }
}
