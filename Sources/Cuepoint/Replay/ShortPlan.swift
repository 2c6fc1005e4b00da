/// Which stretch of the replay each vertical short shows, and which product moments the reel
/// holds: pure functions of the products, the replay's duration and the options.
///
/// ## The window rule
///
/// For a product shown from `s` to `e` (milliseconds on the replay's timeline), with pre-roll
/// `a`, post-roll `b`, minimum `min`, maximum `max` and replay duration `D`:
///
/// 1. The window is `s − a ..< e + b`.
/// 2. It is clamped to the replay: a start before 0 becomes 0 and an end after `D` becomes `D`,
///    each with a note (the product is too close to the start or end for the roll).
/// 3. Longer than `max`: the end moves back to `start + max` (the short shows the product's
///    first part), with a note.
/// 4. Shorter than `min`: the end moves forward (up to `D`), then the start back (down to 0); a
///    replay shorter than `min` gives a short of the whole replay, with a note.
///
/// The window keeps millisecond precision; the short holds the frames whose time falls in it.
public struct ShortPlan: Sendable, Equatable {
    /// One short.
    public struct Window: Sendable, Equatable {
        /// Index into the chapter plan's products.
        public var product: Int
        public var markerID: String
        /// On the replay's timeline, in milliseconds.
        public var startMilliseconds: Int64
        public var endMilliseconds: Int64
        public var durationMilliseconds: Int64 { endMilliseconds - startMilliseconds }
    }

    public private(set) var windows: [Window] = []
    /// What was clamped or cut, one sentence each, naming the marker.
    public private(set) var notes: [String] = []

    /// Plans one short per product.
    ///
    /// - Parameters:
    ///   - products: The chapter plan's products (start and end on the replay's timeline).
    ///   - durationMilliseconds: The replay's duration.
    ///   - options: Rolls and length limits.
    public init(products: [ChapterPlan.Product], durationMilliseconds: Int64, options: ShortOptions) {
        let order = products.indices.sorted {
            (products[$0].startMilliseconds, $0) < (products[$1].startMilliseconds, $1)
        }
        for index in order {
            let (window, notes) = Self.window(
                for: products[index], index: index, durationMilliseconds: durationMilliseconds,
                preRoll: options.preRollMilliseconds, postRoll: options.postRollMilliseconds,
                minimum: options.minimumMilliseconds, maximum: options.maximumMilliseconds, what: "short")
            windows.append(window)
            self.notes += notes
        }
    }

    /// The window of one product (see the type's rule) and its notes; `what` names it in the
    /// notes (`short`, `reel moment`).
    static func window(
        for product: ChapterPlan.Product, index: Int, durationMilliseconds duration: Int64, preRoll: Int64,
        postRoll: Int64, minimum: Int64, maximum: Int64, what: String
    ) -> (Window, [String]) {
        let id = product.marker.id
        let seconds = ChapterPlan.seconds
        var notes: [String] = []
        var start = product.startMilliseconds - preRoll
        var end = product.endMilliseconds + postRoll
        if start < 0 {
            notes.append(
                "marker \(id) starts \(seconds(product.startMilliseconds)) into the replay, less than the \(seconds(preRoll)) pre-roll; its \(what) starts at 0.000s")
            start = 0
        }
        if end > duration {
            notes.append(
                "marker \(id) ends \(seconds(duration - product.endMilliseconds)) before the replay ends, less than the \(seconds(postRoll)) post-roll; its \(what) ends at the end of the replay (\(seconds(duration)))")
            end = duration
        }
        if end - start > maximum {
            notes.append(
                "marker \(id)'s \(what) would last \(seconds(end - start)); it is cut to the \(seconds(maximum)) maximum (\(seconds(start))–\(seconds(start + maximum)))")
            end = start + maximum
        }
        if end - start < minimum {
            end = min(duration, start + minimum)
            start = max(0, end - minimum)
            if end - start < minimum {
                notes.append(
                    "the replay lasts only \(seconds(duration)): marker \(id)'s \(what) is \(seconds(end - start)), less than the \(seconds(minimum)) minimum")
            }
        }
        return (Window(product: index, markerID: id, startMilliseconds: start, endMilliseconds: end), notes)
    }

    /// The moments of the reel: which products, in which order, each window cut at
    /// `reel.momentMilliseconds`.
    ///
    /// - Parameters:
    ///   - eventCounts: The number of events per product index (``ReelOptions/Order/events``);
    ///     products without events are left out.
    /// - Returns: The windows in reel order, and notes.
    public static func reel(
        products: [ChapterPlan.Product], durationMilliseconds: Int64, shorts: ShortOptions, reel: ReelOptions,
        eventCounts: [Int: Int] = [:]
    ) -> (windows: [Window], notes: [String]) {
        let byStart = products.indices.sorted {
            (products[$0].startMilliseconds, $0) < (products[$1].startMilliseconds, $1)
        }
        var chosen: [Int]
        var notes: [String] = []
        switch reel.order {
        case .show:
            chosen = Array(byStart.prefix(reel.count))
        case .events:
            let ranked = byStart.filter { (eventCounts[$0] ?? 0) > 0 }.enumerated().sorted {
                ((eventCounts[$0.element] ?? 0), -$0.offset) > ((eventCounts[$1.element] ?? 0), -$1.offset)
            }.map(\.element)
            chosen = Array(ranked.prefix(reel.count))
            if chosen.count < min(reel.count, products.count) {
                notes.append(
                    "the reel holds \(chosen.count) product moment(s): only \(ranked.count) product(s) have events, of the \(reel.count) asked for")
            }
        }
        var windows: [Window] = []
        for index in chosen {
            let (window, windowNotes) = Self.window(
                for: products[index], index: index, durationMilliseconds: durationMilliseconds,
                preRoll: shorts.preRollMilliseconds, postRoll: shorts.postRollMilliseconds,
                minimum: min(shorts.minimumMilliseconds, reel.momentMilliseconds),
                maximum: reel.momentMilliseconds, what: "reel moment")
            windows.append(window)
            // Cutting to the moment length is the reel's design, not news.
            notes += windowNotes.filter { !$0.contains("is cut to the") }
        }
        return (windows, notes)
    }
}
