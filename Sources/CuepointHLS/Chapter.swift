import CuepointTime

/// One entry of a `ChapterDocument`: a named span of the presentation, with titles in several
/// languages, images and metadata (hls-reference §5).
///
/// Encoded as a JSON object with the keys `chapter`, `start-time`, `duration`, `titles`, `images`
/// and `metadata`, in that order; `duration` only when set, the arrays only when not empty.
public struct Chapter: Hashable, Sendable {
    /// `chapter`: the chapter's number, at least 1. For readability only: players order chapters
    /// by `startMilliseconds`.
    public var number: Int
    /// `start-time`: where the chapter begins, in milliseconds from the start of the presentation
    /// (written as seconds, 4200 → `4.2`). At least 0.
    public var startMilliseconds: Int64
    /// `duration`: how long the chapter lasts, in milliseconds (written as seconds); more than 0.
    /// Without it the chapter runs to the next chapter's start. Chapters nested in or overlapping
    /// another need one.
    public var durationMilliseconds: Int64?
    /// `titles`: the chapter's name, one per language.
    public var titles: [ChapterTitle]
    /// `images`: pictures for the chapter (thumbnails, artwork).
    public var images: [ChapterImage]
    /// `metadata`: other data about the chapter (a product's SKU or price), by reverse-DNS key.
    public var metadata: [ChapterMetadata]

    public init(
        number: Int,
        startMilliseconds: Int64,
        durationMilliseconds: Int64? = nil,
        titles: [ChapterTitle] = [],
        images: [ChapterImage] = [],
        metadata: [ChapterMetadata] = []
    ) {
        self.number = number
        self.startMilliseconds = startMilliseconds
        self.durationMilliseconds = durationMilliseconds
        self.titles = titles
        self.images = images
        self.metadata = metadata
    }
}

/// A chapter's title in one language: `{"language": "en", "title": "Ceramic Mug"}`.
public struct ChapterTitle: Hashable, Sendable {
    /// `language`: a BCP 47 language tag (`en`, `pt-BR`), or `und` when unknown.
    public var language: String
    /// `title`: the text shown to viewers; any Unicode text.
    public var title: String

    public init(language: String, title: String) {
        self.language = language
        self.title = title
    }
}

/// A picture for a chapter:
/// `{"image-category": "thumbnail", "pixel-width": 320, "pixel-height": 180, "url": "thumbs/p-0001.jpg"}`.
/// All four fields are required and non-empty; the sizes are more than 0.
public struct ChapterImage: Hashable, Sendable {
    /// `image-category`: what the image is for, such as `thumbnail`.
    public var category: String
    /// `pixel-width`: the image's width in pixels.
    public var pixelWidth: Int
    /// `pixel-height`: the image's height in pixels.
    public var pixelHeight: Int
    /// `url`: where the image is, relative to the chapter document.
    public var url: String

    public init(category: String, pixelWidth: Int, pixelHeight: Int, url: String) {
        self.category = category
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
        self.url = url
    }
}

/// One piece of chapter metadata:
/// `{"key": "com.example.shop.sku", "value": "B0ABC12345", "language": "en"}`.
/// `key` and `language` together are unique within a chapter.
public struct ChapterMetadata: Hashable, Sendable {
    /// `key`: a reverse-DNS name (`com.example.shop.sku`).
    public var key: String
    /// `value`: the data.
    public var value: ChapterMetadataValue
    /// `language`: the language of a textual value, as a BCP 47 tag; nil writes no `language`.
    public var language: String?

    public init(key: String, value: ChapterMetadataValue, language: String? = nil) {
        self.key = key
        self.value = value
        self.language = language
    }
}

/// The `value` of chapter metadata: a JSON string, number or boolean.
public enum ChapterMetadataValue: Hashable, Sendable {
    /// A JSON string.
    case string(String)
    /// A JSON number kept as its exact text, so `89.00` is written and read back as `89.00` and
    /// never passes through `Double`. The text must match the JSON number grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`); `ChapterDocument.validationProblems()`
    /// reports anything else.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)

    /// A number of seconds from milliseconds, written with as few decimals as needed:
    /// `seconds(milliseconds: 4200)` is `.number("4.2")`.
    public static func seconds(milliseconds: Int64) -> ChapterMetadataValue {
        .number(SecondsText.shortest(milliseconds: milliseconds))
    }
}
