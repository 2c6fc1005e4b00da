import CuepointJSON
import CuepointTime

/// Apple's HLS JSON chapters: the document an `EXT-X-SESSION-DATA` tag with DATA-ID
/// `com.apple.hls.chapters` points at (`SessionData.appleChaptersDataID`), as a value
/// (hls-reference §5). AVFoundation presents its chapters as `AVTimedMetadataGroup`s.
///
/// `encoded()` writes the JSON text deterministically; `parse(_:)` reads it back strictly;
/// `validationProblems()` checks the rules of the format. Times are integer milliseconds and
/// become decimal seconds only in the text, without floating point.
///
/// ```swift
/// let document = ChapterDocument(chapters: [
///     Chapter(number: 1, startMilliseconds: 0, titles: [ChapterTitle(language: "en", title: "Intro")]),
///     Chapter(number: 2, startMilliseconds: 4200, durationMilliseconds: 171_400,
///             titles: [ChapterTitle(language: "en", title: "Ceramic Mug")]),
/// ])
/// let json = document.encoded()  // "start-time": 4.2, "duration": 171.4
/// ```
public struct ChapterDocument: Hashable, Sendable {
    /// The chapter entries, in the order written: by `startMilliseconds`.
    public var chapters: [Chapter]

    public init(chapters: [Chapter] = []) {
        self.chapters = chapters
    }

    /// The document as JSON text: an array with one object per chapter, pretty-printed with two
    /// spaces of indentation, one key per line, and a final line feed.
    ///
    /// Keys come in the order `chapter`, `start-time`, `duration`, `titles`, `images`, `metadata`
    /// (`image-category`, `pixel-width`, `pixel-height`, `url` for images; `key`, `value`,
    /// `language` for metadata). Times are decimal seconds with as few decimals as needed
    /// (4200 ms → `4.2`, 0 → `0`). Strings escape `"` and `\`, and write control characters as
    /// `\uXXXX`; other characters, `/` and non-ASCII included, are written as they are.
    ///
    /// Encoding does not validate: a `ChapterMetadataValue.number` whose text is not a JSON number
    /// produces text `parse(_:)` rejects, and other `validationProblems()` are written as they are.
    public func encoded() -> String {
        JSONWriter.prettyPrinted(JSONValue(.array(chapters.map(\.json))))
    }
}

extension Chapter {
    /// The JSON object for this chapter, keys in the order `encoded()` documents.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("chapter", JSONValue(.number(String(number)))),
            ("start-time", JSONValue(.number(SecondsText.shortest(milliseconds: startMilliseconds)))),
        ]
        if let durationMilliseconds {
            members.append(("duration", JSONValue(.number(SecondsText.shortest(milliseconds: durationMilliseconds)))))
        }
        if !titles.isEmpty { members.append(("titles", JSONValue(.array(titles.map(\.json))))) }
        if !images.isEmpty { members.append(("images", JSONValue(.array(images.map(\.json))))) }
        if !metadata.isEmpty { members.append(("metadata", JSONValue(.array(metadata.map(\.json))))) }
        return .object(pairs: members)
    }
}

extension ChapterTitle {
    var json: JSONValue {
        .object(pairs: [("language", JSONValue(.string(language))), ("title", JSONValue(.string(title)))])
    }
}

extension ChapterImage {
    var json: JSONValue {
        .object(pairs: [
            ("image-category", JSONValue(.string(category))),
            ("pixel-width", JSONValue(.number(String(pixelWidth)))),
            ("pixel-height", JSONValue(.number(String(pixelHeight)))),
            ("url", JSONValue(.string(url))),
        ])
    }
}

extension ChapterMetadata {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("key", JSONValue(.string(key))), ("value", value.json)]
        if let language { members.append(("language", JSONValue(.string(language)))) }
        return .object(pairs: members)
    }
}

extension ChapterMetadataValue {
    var json: JSONValue {
        switch self {
        case .string(let text): return JSONValue(.string(text))
        case .number(let text): return JSONValue(.number(text))
        case .bool(let value): return JSONValue(.bool(value))
        }
    }
}
