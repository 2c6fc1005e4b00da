/// What `cuepoint replay` and a pipeline's `replay:` section ask for.
///
/// The defaults make the whole package: HLS VOD with I-frame playlists, chapters (products
/// only), `products.json`, `products.vtt`, `replay.mp4`, keyframe-bounded clips, thumbnails,
/// posters, a storyboard and the player (`index.html`). Shorts, the reel and captions are made
/// when asked for.
public struct ReplayOptions: Sendable, Equatable {
    /// Which chapters to write.
    public enum ChapterMode: String, Sendable, CaseIterable {
        /// One chapter per product marker; the timeline between products has none.
        case products
        /// Product chapters plus filler chapters ("Intro", between products, after the last)
        /// so the chapters cover the whole timeline.
        case full
    }

    /// How product clips are cut.
    public enum ClipMode: String, Sendable, CaseIterable {
        /// No clips.
        case none
        /// Stream copy from the last keyframe at or before the product's start to the first
        /// keyframe at or after its end: fast, may start up to one GOP early.
        case keyframe
        /// Starts on the product's exact frame: the frames from there to the next keyframe are
        /// re-encoded, the rest is copied.
        case exact
    }

    public var chapters: ChapterMode = .products
    public var mp4 = true
    public var clips: ClipMode = .keyframe
    public var thumbnails = true
    /// Thumbnail width in pixels (height keeps the aspect ratio, rounded to even).
    public var thumbnailWidth = 320
    /// BCP-47 language of chapter titles in `chapters.json` and `chapters.vtt`.
    public var language = "en"
    /// Title of the filler chapter before the first product (``ChapterMode/full``).
    public var introTitle = "Intro"
    /// Title of filler chapters between and after products (``ChapterMode/full``).
    public var fillerTitle = "More from the show"
    /// Replace a replay already in the output directory.
    public var force = false
    /// A 16:9 and a 9:16 poster per product (`posters/<id>-16x9.jpg`, `-9x16.jpg`).
    public var posters = true
    /// The storyboard for the scrub bar; nil makes none.
    public var storyboard: StoryboardOptions? = StoryboardOptions()
    /// Vertical shorts, one per product; nil makes none.
    public var shorts: ShortOptions?
    /// The reel of product moments; nil makes none. Uses ``shorts``' look, or the defaults.
    public var reel: ReelOptions?
    /// Sidecar caption files, one per language.
    public var captions: [CaptionSource] = []

    public init() {}

    /// Whether `tag` has the shape of a BCP-47 language tag: a primary subtag of 2–8 letters,
    /// then subtags of 1–8 letters or digits, separated by `-` (`en`, `pt-BR`, `zh-Hant-TW`, `es-419`).
    public static func isLanguageTag(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...8).contains(first.count),
            first.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic })
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.count) && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        }
    }
}
