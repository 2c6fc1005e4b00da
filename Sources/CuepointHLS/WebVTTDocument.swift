/// A WebVTT file of timed text, as a value: captions and subtitles, a `kind=metadata` track
/// (`products.vtt`, whose cue payloads are JSON), a thumbnails track (`storyboard.vtt`, whose
/// payloads are image URLs with `#xywh=`), or one segment of an HLS subtitle rendition (with
/// `X-TIMESTAMP-MAP`).
///
/// ```
/// WEBVTT
/// X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000
///
/// 1
/// 00:00:01.500 --> 00:00:04.000 line:85%
/// Welcome to the spring sale!
/// ```
///
/// Cue text is WebVTT cue payload as it is written (`<i>`, `&amp;` stay as they are); use
/// ``escaped(_:)`` for plain text. Chapters have their own, stricter type, ``WebVTTChapters``.
/// Captions from users are read by ``CaptionFile``.
public struct WebVTTDocument: Hashable, Sendable {
    /// How a subtitle segment's cue times map to the media's timestamps (HLS, RFC 8216 §3.5):
    /// `LOCAL` cue time `localMilliseconds` is media timestamp `mpegts` (90 kHz ticks).
    public struct TimestampMap: Hashable, Sendable {
        /// The media time, in 90 kHz ticks (MPEG-2 TS PTS units, 33 bits).
        public var mpegts: Int64
        /// The cue time it corresponds to, in milliseconds.
        public var localMilliseconds: Int64

        public init(mpegts: Int64, localMilliseconds: Int64 = 0) {
            self.mpegts = mpegts
            self.localMilliseconds = localMilliseconds
        }
    }

    /// The `X-TIMESTAMP-MAP` header line, for a segment of an HLS subtitle rendition.
    public var timestampMap: TimestampMap?
    public var cues: [WebVTTCue]
    /// A comment block written after the last cue (`NOTE <text>`), or nil for none.
    ///
    /// HLS subtitle segments end with one: GStreamer's WebVTT parser (1.22, what `hlsdemux2`
    /// uses) emits a cue only when a line follows the blank line after it, and starts afresh with
    /// each segment, so without a line after the blank line it loses the last cue of every
    /// segment. A comment is that line, and every reader skips it (WebVTT §4.1).
    public var closingNote: String?

    public init(timestampMap: TimestampMap? = nil, cues: [WebVTTCue] = [], closingNote: String? = nil) {
        self.timestampMap = timestampMap
        self.cues = cues
        self.closingNote = closingNote
    }

    /// The file's text: `WEBVTT`, the timestamp map when set, then for each cue a blank line, its
    /// identifier (when set), the timing line with its settings, and its text lines; every line
    /// ends with `\n`.
    ///
    /// Rendering does not validate: a cue's text is written as it is, so text with a blank line
    /// or `-->` makes a file that players read differently (``CaptionFile`` never produces such
    /// cues; ``escaped(_:)`` and ``WebVTTCue/metadata(identifier:startMilliseconds:endMilliseconds:json:)``
    /// make safe ones).
    public func render() -> String {
        var text = "WEBVTT\n"
        if let map = timestampMap {
            text += "X-TIMESTAMP-MAP=MPEGTS:\(map.mpegts),LOCAL:\(WebVTTChapters.timestamp(map.localMilliseconds))\n"
        }
        for cue in cues {
            text += "\n"
            if let identifier = cue.identifier.map(WebVTTChapters.sanitizedIdentifier), !identifier.isEmpty {
                text += identifier + "\n"
            }
            text += WebVTTChapters.timestamp(cue.startMilliseconds) + " --> " + WebVTTChapters.timestamp(cue.endMilliseconds)
            if !cue.settings.isEmpty { text += " " + cue.settings }
            text += "\n"
            if !cue.text.isEmpty { text += cue.text + "\n" }
        }
        if let note = closingNote {
            let line = note.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
            text += "\nNOTE" + (line.isEmpty ? "" : " " + line.replacing("-->", with: "-- >")) + "\n"
        }
        return text
    }

    /// Plain text as WebVTT cue text: `&`, `<` and `>` as character references, control
    /// characters other than line breaks as spaces, and no blank lines (an empty line would end
    /// the cue).
    public static func escaped(_ text: String) -> String {
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return lines.map { WebVTTChapters.escapedText(String($0)) }.filter { line in !line.allSatisfy { $0 == " " } }
            .joined(separator: "\n")
    }

    /// The cues that show during `start..<end` (milliseconds), times unchanged: a cue that spans
    /// the boundary is in both segments, as HLS subtitle segments repeat it (RFC 8216 §3.5).
    public func cues(overlappingFrom start: Int64, to end: Int64) -> [WebVTTCue] {
        cues.filter { $0.startMilliseconds < end && $0.endMilliseconds > start }
    }

    /// The cues during `start..<end`, moved so `start` is 0 and cut to `0..<end - start`: the
    /// captions of a clip cut from the media.
    public func excerpt(from start: Int64, to end: Int64) -> WebVTTDocument {
        WebVTTDocument(
            cues: cues(overlappingFrom: start, to: end).map { cue in
                var moved = cue
                moved.startMilliseconds = max(cue.startMilliseconds, start) - start
                moved.endMilliseconds = min(cue.endMilliseconds, end) - start
                return moved
            })
    }
}

/// One cue of a ``WebVTTDocument``.
public struct WebVTTCue: Hashable, Sendable {
    /// The identifier line; nil writes none. Line breaks are written as spaces and `-->` as `-- >`.
    public var identifier: String?
    /// When the cue shows and hides, in milliseconds; end after start.
    public var startMilliseconds: Int64
    public var endMilliseconds: Int64
    /// Cue settings written after the timing (`line:85% align:center`); empty for none.
    public var settings: String
    /// The cue payload as written: lines separated by `\n`, none of them empty, no `-->`.
    public var text: String

    public init(identifier: String? = nil, startMilliseconds: Int64, endMilliseconds: Int64, settings: String = "", text: String) {
        self.identifier = identifier
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
        self.settings = settings
        self.text = text
    }

    /// A metadata cue whose payload is one line of JSON (`<track kind="metadata">`): `json` with
    /// every `>` written as `\u003e` (the same JSON), so the payload never contains `-->`, and line
    /// breaks outside strings (JSON allows none inside) removed.
    public static func metadata(identifier: String?, startMilliseconds: Int64, endMilliseconds: Int64, json: String) -> WebVTTCue {
        let line = json.replacing(">", with: "\\u003e").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .joined()
        return WebVTTCue(identifier: identifier, startMilliseconds: startMilliseconds, endMilliseconds: endMilliseconds, text: line)
    }
}
