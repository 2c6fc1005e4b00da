/// Every name in a recording, in one place: where each file of a recording lives relative to
/// its ``Store``, and how to tell a segment or an init section from its name.
///
/// ```
/// master.m3u8            multivariantPlaylist
/// recording.json         state            (RecordingState)
/// markers.jsonl          markerLog
/// console-products.json  productCatalogue  the console's catalogue as last accepted (never served)
/// <rendition>/
///   index.m3u8           playlist(.index)  the whole recording
///   live.m3u8            playlist(.live)   the sliding window
///   init.mp4, init_2.mp4 initSection(number:)     fMP4, one per epoch
///   seg_000001.ts|m4s    segment(sequence:)       numbered by media sequence (after a resume,
///                                                  file numbers may run ahead of it)
///   *.tmp                temporary(_:)             a file being written; never listed
/// subtitles/<lang>/      subtitleFolder(language:)  with `captions:`: one subtitle rendition per language
///   index.m3u8, live.m3u8                         the same playlists as a media rendition's
///   seg_000001.vtt       subtitleSegment(forMedia:) one WebVTT segment per media segment, same number
/// ```
///
/// LL-HLS parts (`part_000042.m4s`, ``part(number:)``) are served from memory and never stored.
public struct RecordingLayout: Sendable, Equatable {
    /// The segment container, which decides the segment files' extension.
    public var container: Container

    public init(container: Container) {
        self.container = container
    }

    /// The recording's state, for resuming and replaying it (``RecordingState``).
    public static let state = "recording.json"
    /// Every accepted marker and close, one JSON object per line, in arrival order.
    public static let markerLog = "markers.jsonl"
    /// The console's product catalogue as the producer last set it (`PUT /v1/products`), kept so
    /// that a restart takes it back; never served (it may list products not yet announced).
    public static let productCatalogue = "console-products.json"
    /// The multivariant playlist.
    public static let multivariantPlaylist = "master.m3u8"
    /// The suffix of a file being written (renamed away when it is complete).
    public static let temporarySuffix = ".tmp"

    /// The file name of a rendition's media playlist of `kind`.
    public static func playlist(_ kind: PlaylistKind) -> String {
        switch kind {
        case .index: "index.m3u8"
        case .live: "live.m3u8"
        }
    }

    /// The kind of media playlist named `name`; nil for any other name.
    public static func playlistKind(named name: String) -> PlaylistKind? {
        PlaylistKind.allCases.first { playlist($0) == name }
    }

    /// The folder that holds every subtitle rendition.
    public static let subtitlesFolder = "subtitles"

    /// The folder of the subtitle rendition of caption language `language`: `subtitles/en`.
    public static func subtitleFolder(language: String) -> String { "\(subtitlesFolder)/\(language)" }

    /// The WebVTT segment that goes with media segment file `mediaURI` (the same name and
    /// number): `seg_000001.ts` → `seg_000001.vtt`.
    public static func subtitleSegment(forMedia mediaURI: String) -> String {
        let stem = mediaURI.split(separator: "/").last.map(String.init) ?? mediaURI
        guard let dot = stem.lastIndex(of: ".") else { return stem + ".vtt" }
        return stem[..<dot] + ".vtt"
    }

    /// Whether `name` is a subtitle segment's file name (`seg_000001.vtt`).
    public static func isSubtitleSegment(_ name: String) -> Bool {
        name.hasPrefix("seg_") && name.hasSuffix(".vtt") && digits(name.dropFirst(4).dropLast(4)) != nil
    }

    /// The path of a file in rendition `rendition`'s folder.
    public static func path(_ name: String, in rendition: String) -> String { "\(rendition)/\(name)" }

    /// The path of rendition `rendition`'s media playlist of `kind`.
    public static func playlistPath(_ kind: PlaylistKind, in rendition: String) -> String {
        path(playlist(kind), in: rendition)
    }

    /// The extension of segment files: `ts` or `m4s`.
    public var segmentExtension: String { container == .ts ? "ts" : "m4s" }

    /// The file name of segment `sequence`: `seg_000042.ts`.
    public func segment(sequence: Int64) -> String {
        "seg_" + Self.zeroPadded(sequence) + "." + segmentExtension
    }

    /// The file name of init section `number`: `init.mp4` for the first, `init_N.mp4` after.
    public static func initSection(number: Int) -> String {
        number <= 1 ? "init.mp4" : "init_\(number).mp4"
    }

    /// The name of LL-HLS part `number` (counted across segments): `part_000042.m4s`.
    public static func part(number: Int64) -> String { "part_" + zeroPadded(number) + ".m4s" }

    /// The temporary name of `path` while it is written.
    public static func temporary(_ path: String) -> String { path + temporarySuffix }

    /// Whether `name` is a temporary file's name.
    public static func isTemporary(_ name: String) -> Bool { name.hasSuffix(temporarySuffix) }

    /// The number in a segment file's name (`seg_000042.ts` or `.m4s`, with or without
    /// `.tmp`); nil for any other name.
    public static func segmentNumber(_ name: String) -> Int64? {
        var stem = Substring(name)
        if stem.hasSuffix(temporarySuffix) { stem = stem.dropLast(temporarySuffix.count) }
        guard stem.hasPrefix("seg_") else { return nil }
        stem = stem.dropFirst(4)
        if stem.hasSuffix(".ts") {
            stem = stem.dropLast(3)
        } else if stem.hasSuffix(".m4s") {
            stem = stem.dropLast(4)
        } else {
            return nil
        }
        return digits(stem)
    }

    /// The number of an init section: `init.mp4` is 1, `init_N.mp4` is N; nil for any other name.
    public static func initNumber(_ name: String) -> Int? {
        if name == "init.mp4" { return 1 }
        guard name.hasPrefix("init_"), name.hasSuffix(".mp4") else { return nil }
        return digits(name.dropFirst(5).dropLast(4)).map(Int.init)
    }

    /// The number of an LL-HLS part (`part_000042.m4s` → 42); nil for any other name.
    public static func partNumber(_ name: String) -> Int64? {
        guard name.hasPrefix("part_"), name.hasSuffix(".m4s") else { return nil }
        return digits(name.dropFirst(5).dropLast(4))
    }

    /// A number written with at least six digits, as segment and part names have it.
    static func zeroPadded(_ number: Int64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The value of a run of ASCII digits (at most 18, so it fits); nil for anything else.
    private static func digits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }
}
