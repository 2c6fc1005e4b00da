/// What a vertical short (`shorts/<marker-id>.mp4`, one per product) looks like: its size, how
/// the picture fills it, how long it is, what is written on it and how it sounds.
///
/// The defaults make what short-video shops ask for: 1080x1920 (9:16), H.264 High and AAC in a
/// faststart MP4, 15 to 60 seconds, the product's title and price on the picture, and audio
/// normalised to -16 LUFS (integrated, EBU R128) with true peaks at most -1.5 dBTP.
public struct ShortOptions: Sendable, Equatable {
    /// How the source picture fills the short.
    public enum Fit: String, Sendable, CaseIterable {
        /// Scaled to cover the short and cropped: the centre, or the marker's `crop_x`
        /// attribute (0 to 1: where the centre of the crop sits across the source's width).
        case crop
        /// The whole picture, scaled to the short's width, over a blurred copy of itself that
        /// covers the short.
        case blur
    }

    /// The short's size in pixels; both even.
    public var width = 1080
    public var height = 1920
    public var fit: Fit = .crop
    /// How much of the show before the product's start and after its end the short shows, in milliseconds.
    public var preRollMilliseconds: Int64 = 2000
    public var postRollMilliseconds: Int64 = 2000
    /// The shortest and longest short, in milliseconds; the window is extended (after the
    /// product, then before it) or cut (at the end) to fit.
    public var minimumMilliseconds: Int64 = 15_000
    public var maximumMilliseconds: Int64 = 60_000
    /// Whether the product's title and price are written on the picture.
    public var title = true
    public var price = true
    /// The font of the title, the price and burned-in captions: a TrueType or OpenType file.
    public var font = ShortOptions.defaultFont
    /// The integrated loudness the audio is normalised to, in LUFS (EBU R128), and the highest
    /// true peak it may reach, in dBTP.
    public var loudnessTarget = -16.0
    public var truePeakLimit = -1.5
    /// Whether a source smaller than the short is scaled up (with a note); false makes no shorts then.
    public var upscale = true
    /// The caption language burned into the shorts (one of the replay's captions); nil burns none.
    public var burnCaptions: String?
    /// libx264's preset and constant rate factor.
    public var preset = "veryfast"
    public var quality = 21

    /// DejaVu Sans Bold, from Debian's `fonts-dejavu-core`: Latin, Greek, Cyrillic, Hebrew and Arabic.
    public static let defaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    /// The Debian package that holds ``defaultFont``.
    public static let defaultFontPackage = "fonts-dejavu-core"

    public init() {}
}

/// `reel.mp4`: several product moments back to back in one vertical video, with a chapter per
/// product. Made with the shorts' look (``ShortOptions``).
public struct ReelOptions: Sendable, Equatable {
    /// How the moments are chosen.
    public enum Order: String, Sendable, CaseIterable {
        /// The first products of the show, in show order.
        case show
        /// The products with the most events (clicks, pins) in ``ReelOptions/events``, most first.
        case events
    }

    /// How many product moments the reel holds, at most.
    public var count = 5
    public var order: Order = .show
    /// A JSON-lines file of viewer events, one object per line with a `marker` (a marker id) or a
    /// `product` (a product id), and a `type` (`click`, `pin`, …): the products are ranked by
    /// their number of events. Required with ``Order/events``.
    public var events: String?
    /// The longest moment, in milliseconds: the product's short window, cut at this length.
    public var momentMilliseconds: Int64 = 10_000

    public init() {}
}

/// `storyboard.jpg` (or numbered sheets) and `storyboard.vtt`: small pictures of the show every
/// few seconds, for the scrub bar.
public struct StoryboardOptions: Sendable, Equatable {
    /// The time between tiles, in milliseconds; each tile is the first keyframe at or after its
    /// point of the grid.
    public var intervalMilliseconds: Int64 = 10_000
    /// The tile width in pixels (even; the height keeps the picture's proportions).
    public var tileWidth = 160
    /// Tiles per row, and rows per sheet at most; a show with more tiles gets numbered sheets.
    public var columns = 10
    public var rows = 10

    public init() {}
}

/// A sidecar caption file for the replay: WebVTT or SubRip, its times on the recording's timeline.
public struct CaptionSource: Sendable, Equatable {
    /// The file.
    public var path: String
    /// Its BCP-47 language (`en`, `pt-BR`).
    public var language: String
    /// What players show in their menu; nil for the language's own name (`English`, `Français`).
    public var name: String?

    public init(path: String, language: String, name: String? = nil) {
        self.path = path
        self.language = language
        self.name = name
    }
}
