import CuepointHLS
import CuepointTime
import Foundation

/// The captions of a replay: each sidecar file read strictly (``CaptionFile``), its cues moved
/// onto the replay's timeline, and written as
///
/// - an HLS subtitle rendition: `subtitles/<lang>/index.m3u8`, one WebVTT segment per media
///   segment (`seg_000001.vtt`, same durations, discontinuities and dates as the media), each with
///   `X-TIMESTAMP-MAP` tying cue time 0 to the media's own timestamps, listed in `master.m3u8` as
///   `EXT-X-MEDIA:TYPE=SUBTITLES` (RFC 8216 §3.5, §4.3.4.1);
/// - one whole-show file, `captions/<lang>.vtt`, for the player page and `replay.mp4`;
/// - excerpts for each clip and short (`clips/<id>.<lang>.vtt`), their times from the clip's start.
///
/// Caption files are written on the recording's timeline (the show's time); a cue in a segment
/// the replay had to drop moves with the timeline, and a cue outside the replay is left out.
/// Every problem of a file is a note naming the file and line; a file that cannot be read at all
/// leaves its language out, with a note.
struct ReplayCaptions {
    struct Track {
        var language: String
        /// The name players show (`English`).
        var name: String
        /// The cues, on the replay's timeline.
        var document: WebVTTDocument
    }

    /// The subtitle group every variant names.
    static let groupID = CaptionTrack.groupID

    private(set) var tracks: [Track] = []
    private(set) var notes: [String] = []

    /// Reads the caption files (``CaptionTrack/load(_:for:)``) and moves their cues onto the
    /// replay's timeline.
    init(sources: [CaptionSource], timeline: ReplayTimeline) {
        let loading = CaptionTrack.load(sources, for: "the replay")
        notes = loading.notes
        for source in loading.tracks {
            let duration = timeline.durationMilliseconds
            var outside = 0
            var cues: [WebVTTCue] = []
            for cue in source.document.cues {
                var moved = cue
                moved.startMilliseconds = max(0, timeline.replayTime(ofRecording: cue.startMilliseconds))
                moved.endMilliseconds = min(duration, timeline.replayTime(ofRecording: cue.endMilliseconds))
                guard moved.endMilliseconds > moved.startMilliseconds else {
                    outside += 1
                    continue
                }
                cues.append(moved)
            }
            if outside > 0 {
                notes.append("\(source.path): \(outside) cue(s) fall outside the replay and are left out")
            }
            tracks.append(Track(language: source.language, name: source.name, document: WebVTTDocument(cues: cues)))
        }
    }

    /// Writes one subtitle rendition per track, segmented like `media` (the main rendition's
    /// replay playlist).
    ///
    /// - Parameters:
    ///   - origins: For each timeline position, the media timestamp at replay time 0 of its
    ///     segment's run, in 90 kHz ticks (`X-TIMESTAMP-MAP`'s MPEGTS).
    /// - Returns: The EXT-X-MEDIA tags, the first DEFAULT.
    func writeRenditions(media: MediaPlaylist, origins: [Int64], staging: ReplayStaging) throws(CuepointError) -> [MediaRendition] {
        var renditions: [MediaRendition] = []
        for (number, track) in tracks.enumerated() {
            let folder = RecordingLayout.subtitleFolder(language: track.language)
            try staging.createDirectory(folder)
            var segments: [MediaSegment] = []
            var start: Int64 = 0
            for (position, mediaSegment) in media.segments.enumerated() {
                let end = start + mediaSegment.durationMilliseconds
                let uri = RecordingLayout.subtitleSegment(forMedia: mediaSegment.uri)
                let segment = CaptionTrack.subtitleSegment(
                    of: track.document, from: start, to: end, mpegts: position < origins.count ? origins[position] : 0, local: 0)
                try staging.write(segment.render(), to: "\(folder)/\(uri)")
                segments.append(
                    MediaSegment(
                        uri: uri, durationMilliseconds: mediaSegment.durationMilliseconds,
                        discontinuity: mediaSegment.discontinuity, programDateTime: mediaSegment.programDateTime))
                start = end
            }
            let playlist = MediaPlaylist(
                targetDuration: media.targetDuration, mediaSequence: media.mediaSequence, playlistType: .vod,
                independentSegments: false, endList: true, segments: segments)
            try staging.write(playlist.render(), to: "\(folder)/index.m3u8")
            renditions.append(
                CaptionTrack.rendition(
                    language: track.language, name: track.name, uri: "\(folder)/index.m3u8", isDefault: number == 0))
        }
        return renditions
    }

    /// Writes `captions/<lang>.vtt`, the whole show per language; returns the files by language.
    func writeSidecars(staging: ReplayStaging) throws(CuepointError) -> [String: String] {
        guard !tracks.isEmpty else { return [:] }
        try staging.createDirectory("captions")
        var files: [String: String] = [:]
        for track in tracks {
            let file = "captions/\(track.language).vtt"
            try staging.write(track.document.render(), to: file)
            files[track.language] = file
        }
        return files
    }

    /// Writes `<stem>.<lang>.vtt` with the cues of `start..<end` (replay milliseconds), moved to
    /// start at 0; returns the files by language.
    func writeExcerpts(stem: String, from start: Int64, to end: Int64, staging: ReplayStaging) throws(CuepointError)
        -> [String: String]
    {
        var files: [String: String] = [:]
        for track in tracks {
            let file = "\(stem).\(track.language).vtt"
            try staging.write(track.document.excerpt(from: start, to: end).render(), to: file)
            files[track.language] = file
        }
        return files
    }

    /// A track's cues during `start..<end` as plain text on that stretch's timeline, to burn in.
    func burnedCues(language: String, from start: Int64, to end: Int64) -> [WebVTTCueText] {
        guard let track = tracks.first(where: { $0.language == language }) else { return [] }
        return track.document.excerpt(from: start, to: end).cues.map { cue in
            WebVTTCueText(startMilliseconds: cue.startMilliseconds, endMilliseconds: cue.endMilliseconds, text: Self.plainText(cue.text))
        }
    }

    /// Cue text without tags (`<i>`, `<c.yellow>`, `<00:01.000>`), with `&amp;`, `&lt;`, `&gt;`,
    /// `&nbsp;` decoded, lines joined with a space.
    static func plainText(_ text: String) -> String {
        var result = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag {
                result.append(character == "\n" ? " " : character)
            }
        }
        return result.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&amp;", with: "&")
    }
}
