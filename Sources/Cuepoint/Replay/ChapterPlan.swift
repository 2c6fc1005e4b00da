import CuepointTime
/// Where each product and chapter sits on the replay's timeline: a pure function of the
/// markers, the replay's duration and the options.
///
/// ## The rules
///
/// - **Out of range.** A marker that starts at or after the end of the replay, or ends at or
///   before its start (0), is skipped and reported. One that sticks out is clipped to
///   `0..<duration`. An open marker (never closed) ends where the replay ends.
/// - **Products** keep their own (clipped) times: `products.json` and the playlists' date
///   ranges may overlap, as the show did.
/// - **Chapters are disjoint** ("the later start wins"): markers are ordered by start, then
///   by their order in the log; a product's chapter runs from its start to the earlier of its
///   own end and the next product's start. A marker that starts at the same millisecond as an
///   earlier one gets no chapter (it stays a product) and is reported. Disjoint chapters are
///   valid everywhere: WebVTT (cues nested or disjoint), Apple's JSON chapters, and the MP4
///   chapter formats, which store start times only.
/// - **Fillers** (``ReplayOptions/ChapterMode/full``): "Intro" before the first product and a
///   filler in every gap of at least ``minimumFillerMilliseconds``; shorter gaps are given to
///   the chapter before them, so the chapters cover the whole timeline.
public struct ChapterPlan: Sendable, Equatable {
    /// A product on the replay's timeline.
    public struct Product: Sendable, Equatable {
        public var marker: PlacedMarker
        /// Start on the replay's timeline, in milliseconds.
        public var startMilliseconds: Int64
        /// End on the replay's timeline, in milliseconds (> start).
        public var endMilliseconds: Int64
        public var durationMilliseconds: Int64 { endMilliseconds - startMilliseconds }
    }

    /// A chapter: a product's, or a filler.
    public struct Chapter: Sendable, Equatable {
        /// The marker id, or `intro` / `filler-N` for fillers.
        public var id: String
        public var title: String
        public var startMilliseconds: Int64
        public var endMilliseconds: Int64
        /// Index into ``ChapterPlan/products``; nil for a filler.
        public var product: Int?
        public var durationMilliseconds: Int64 { endMilliseconds - startMilliseconds }
    }

    /// Gaps shorter than this get no filler chapter in ``ReplayOptions/ChapterMode/full``.
    public static let minimumFillerMilliseconds: Int64 = 1000

    public private(set) var products: [Product] = []
    public private(set) var chapters: [Chapter] = []
    /// What was skipped or changed, one sentence each, naming the marker.
    public private(set) var notes: [String] = []
    /// The replay's duration, in milliseconds.
    public private(set) var durationMilliseconds: Int64 = 0

    /// Plans the chapters.
    ///
    /// - Parameters:
    ///   - markers: Markers in log order, times already on the replay's timeline (milliseconds).
    ///   - durationMilliseconds: The replay's duration.
    ///   - mode: Product chapters only, or fillers too.
    ///   - introTitle: The first filler's title.
    ///   - fillerTitle: The other fillers' title.
    public init(
        markers: [PlacedMarker], durationMilliseconds: Int64, mode: ReplayOptions.ChapterMode,
        introTitle: String = "Intro", fillerTitle: String = "More from the show"
    ) {
        let duration = max(0, durationMilliseconds)
        self.durationMilliseconds = duration
        for marker in markers {
            let start = marker.startMilliseconds
            let end = marker.endMilliseconds ?? duration
            if start >= duration {
                notes.append(
                    "marker \(marker.id) starts at \(Self.seconds(start)), after the recording ends (\(Self.seconds(duration))); skipped")
                continue
            }
            if end <= 0 {
                notes.append("marker \(marker.id) ends at \(Self.seconds(end)), before the recording starts; skipped")
                continue
            }
            let clippedStart = max(0, start)
            let clippedEnd = min(duration, end)
            if clippedStart != start || clippedEnd != end && marker.endMilliseconds != nil {
                notes.append(
                    "marker \(marker.id) (\(Self.seconds(start))–\(Self.seconds(end))) clipped to the recording: \(Self.seconds(clippedStart))–\(Self.seconds(clippedEnd))")
            }
            products.append(Product(marker: marker, startMilliseconds: clippedStart, endMilliseconds: clippedEnd))
        }
        // Stable sort by start: equal starts keep log order.
        let order = products.indices.sorted {
            (products[$0].startMilliseconds, $0) < (products[$1].startMilliseconds, $1)
        }
        var productChapters: [Chapter] = []
        for (position, index) in order.enumerated() {
            let product = products[index]
            if let previous = productChapters.last, previous.startMilliseconds == product.startMilliseconds {
                notes.append(
                    "marker \(product.marker.id) starts at the same time as \(previous.id) (\(Self.seconds(product.startMilliseconds))); it is listed as a product but gets no chapter")
                continue
            }
            var end = product.endMilliseconds
            if let next = order.dropFirst(position + 1).first(where: {
                products[$0].startMilliseconds > product.startMilliseconds
            }) {
                let nextStart = products[next].startMilliseconds
                if nextStart < end {
                    notes.append(
                        "marker \(product.marker.id) overlaps \(products[next].marker.id); its chapter ends at \(Self.seconds(nextStart)), where the next product starts")
                    end = nextStart
                }
            }
            productChapters.append(
                Chapter(
                    id: product.marker.id, title: product.marker.marker.title,
                    startMilliseconds: product.startMilliseconds, endMilliseconds: end, product: index))
        }
        chapters = mode == .full
            ? Self.fill(productChapters, duration: duration, introTitle: introTitle, fillerTitle: fillerTitle)
            : productChapters
    }

    /// The chapters for an MP4 file, which stores only start times (Nero `chpl`) or
    /// back-to-back samples (the QuickTime chapter track): contiguous from 0 to the end. With
    /// fillers they are ``chapters``; otherwise an intro chapter covers the time before the
    /// first product, and each product's chapter lasts until the next one starts.
    public func mp4Chapters(introTitle: String) -> [Chapter] {
        guard let last = chapters.last else { return [] }
        var result = chapters
        for index in result.indices.dropLast() { result[index].endMilliseconds = result[index + 1].startMilliseconds }
        result[result.count - 1].endMilliseconds = max(last.endMilliseconds, durationMilliseconds)
        if let first = result.first, first.startMilliseconds > 0 {
            result.insert(
                Chapter(id: "intro", title: introTitle, startMilliseconds: 0, endMilliseconds: first.startMilliseconds, product: nil),
                at: 0)
        }
        return result
    }

    /// Adds fillers so the chapters cover `0..<duration`.
    private static func fill(_ chapters: [Chapter], duration: Int64, introTitle: String, fillerTitle: String) -> [Chapter] {
        guard duration > 0 else { return chapters }
        var result: [Chapter] = []
        var cursor: Int64 = 0
        var fillers = 0
        func gap(until end: Int64) {
            guard end > cursor else { return }
            if end - cursor < minimumFillerMilliseconds, !result.isEmpty {
                result[result.count - 1].endMilliseconds = end
            } else {
                let isIntro = cursor == 0
                if !isIntro { fillers += 1 }
                result.append(
                    Chapter(
                        id: isIntro ? "intro" : "filler-\(fillers)", title: isIntro ? introTitle : fillerTitle,
                        startMilliseconds: cursor, endMilliseconds: end, product: nil))
            }
            cursor = end
        }
        for chapter in chapters {
            gap(until: chapter.startMilliseconds)
            result.append(chapter)
            cursor = chapter.endMilliseconds
        }
        gap(until: duration)
        return result
    }

    static func seconds(_ milliseconds: Int64) -> String {
        SecondsText.fixed(milliseconds: milliseconds) + "s"
    }
}
