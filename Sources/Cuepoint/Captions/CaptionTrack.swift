import CuepointHLS
import Foundation

/// One language of sidecar captions, read from its file: the pieces the recording's live subtitle
/// renditions (``SubtitleRenditions``) and the replay's (`ReplayCaptions`) share.
///
/// Caption files are written on the recording's timeline (the show's time, as markers are), so a
/// track's cues are in milliseconds of recording time. Each file is read strictly by
/// ``CaptionFile``: every cue that is whole is kept, and every problem is a note naming the file
/// and line; a file that cannot be read at all (missing, UTF-16, neither WebVTT nor SubRip) leaves
/// its language out, with a note.
struct CaptionTrack: Sendable, Equatable {
    /// The subtitle group every variant names in `SUBTITLES="subs"`.
    static let groupID = "subs"

    /// The file the cues were read from.
    var path: String
    /// Its BCP-47 language (`en`, `pt-BR`).
    var language: String
    /// The name players show in their menu (`English`).
    var name: String
    /// The cues, on the recording's timeline.
    var document: WebVTTDocument

    /// What reading the caption files of a pipeline found.
    struct Loading: Sendable {
        /// The languages that could be read, in the order given.
        var tracks: [CaptionTrack] = []
        /// Every problem, one line each: `file:line: what, and the fix`, or why a language is left out.
        var notes: [String] = []
    }

    /// Reads the caption files of `sources`, one language each.
    ///
    /// - Parameter product: what the captions are for, in the note of a language left out
    ///   (`the recording`, `the replay`: "… the replay has no fr captions").
    static func load(_ sources: [CaptionSource], for product: String) -> Loading {
        var loading = Loading()
        var seen: Set<String> = []
        for source in sources {
            guard !seen.contains(source.language) else {
                loading.notes.append(
                    "\(source.path): a caption file for language \(source.language) was given already; this one is left out")
                continue
            }
            guard let data = FileContents.read(atPath: source.path) else {
                loading.notes.append(
                    "\(source.path): the caption file cannot be read; \(product) has no \(source.language) captions")
                continue
            }
            let reading = CaptionFile.read(bytes: Array(data))
            for problem in reading.problems { loading.notes.append("\(source.path):\(problem)") }
            guard reading.format != nil else {
                loading.notes.append("\(source.path): \(product) has no \(source.language) captions")
                continue
            }
            seen.insert(source.language)
            loading.tracks.append(
                CaptionTrack(
                    path: source.path, language: source.language, name: source.name ?? name(of: source.language),
                    document: reading.document))
        }
        return loading
    }

    /// The language's name in itself, capitalised (`English`, `Français`, `עברית`); the tag when unknown.
    static func name(of language: String) -> String {
        guard let name = Locale(identifier: language).localizedString(forIdentifier: language), !name.isEmpty else {
            return language
        }
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    /// One segment of an HLS subtitle rendition: the cues of `document` that show during
    /// `start..<end` (milliseconds on the document's timeline, times unchanged: a cue that spans a
    /// boundary is in both segments, RFC 8216 §3.5), under an `X-TIMESTAMP-MAP` that ties cue
    /// time `local` to media timestamp `mpegts` (90 kHz ticks), and a closing `NOTE` block
    /// (``WebVTTDocument/closingNote``: GStreamer's parser would lose the last cue without it).
    static func subtitleSegment(of document: WebVTTDocument, from start: Int64, to end: Int64, mpegts: Int64, local: Int64)
        -> WebVTTDocument
    {
        WebVTTDocument(
            timestampMap: WebVTTDocument.TimestampMap(mpegts: mpegts, localMilliseconds: local),
            cues: document.cues(overlappingFrom: start, to: end), closingNote: "end of segment")
    }

    /// The subtitle group's `EXT-X-MEDIA` tag of a language (the first language of a list is the
    /// default).
    static func rendition(language: String, name: String, uri: String, isDefault: Bool) -> MediaRendition {
        MediaRendition(
            kind: .subtitles, groupID: groupID, name: name, language: language, isDefault: isDefault,
            autoselect: true, uri: uri)
    }
}

extension PipelineSpec {
    /// Reads the pipeline's caption files (`captions:`) as a run does before the show, and returns
    /// every problem, one line each, naming the file and line (`captions.srt:12: …`) or why a
    /// language would be left out: what `cuepoint validate` reports. Empty when every file is clean.
    public func captionProblems() -> [String] {
        CaptionTrack.load(captions, for: "the recording").notes
    }
}
