import CuepointFFmpeg
import CuepointTime
import Foundation

/// The vertical videos of a replay: `shorts/<id>.mp4` (one per product, ``ShortPlan``) and
/// `reel.mp4` (the chosen product moments, a chapter each), rendered after the main read by
/// ``ShortRenderer``, with their caption excerpts (`shorts/<id>.<lang>.vtt`).
///
/// Before anything is rendered: a replay without video gets no vertical video (a note); a
/// missing font is an error naming the Debian package; a source smaller than the short is scaled
/// up with a note, or, with `upscale: false`, no vertical video is made (a note).
struct ReplayShorts {
    /// What was made.
    struct Made {
        /// The short of each product index, relative to the package.
        var shorts: [Int: String] = [:]
        /// Caption excerpts of each short, by product index and language.
        var captions: [Int: [String: String]] = [:]
        /// The reel, when one was made, and its chapters' marker ids.
        var reel: String?
        var reelMoments: [String] = []
        var notes: [String] = []
    }

    /// Fails when the font the shorts need is missing.
    ///
    /// - Throws: ``CuepointError`` naming the file and, for the default font, the Debian package.
    static func checkFont(_ options: ShortOptions) throws(CuepointError) {
        guard !FileManager.default.fileExists(atPath: options.font) else { return }
        let fix =
            options.font == ShortOptions.defaultFont
            ? "install Debian's \(ShortOptions.defaultFontPackage) (apt install \(ShortOptions.defaultFontPackage)), or name another .ttf file with replay.shorts.font (--shorts-font)"
            : "name an existing TrueType or OpenType file with replay.shorts.font (--shorts-font); Debian's \(ShortOptions.defaultFontPackage) has \(ShortOptions.defaultFont)"
        throw CuepointError(subject: options.font, message: "the font for the titles of the shorts is missing", fix: fix)
    }

    /// Renders the shorts and the reel the options ask for.
    static func make(
        build: ReplayBuild, reader: RenditionReader, video: StreamInfo?, audio: StreamInfo?, captions: ReplayCaptions
    ) throws -> Made {
        var made = Made()
        let options = build.options
        guard options.shorts != nil || options.reel != nil else { return made }
        let look = options.shorts ?? ShortOptions()
        let products = build.plan.products
        guard let video else {
            made.notes.append("the recording has no video: no shorts and no reel")
            return made
        }
        guard !products.isEmpty else {
            made.notes.append("the replay has no products: no shorts and no reel")
            return made
        }
        let geometry = ShortGraph(sourceWidth: video.width, sourceHeight: video.height, sampleAspectRatio: nil)
        let factor = geometry.upscaleFactor(width: look.width, height: look.height, fit: look.fit)
        if factor > 1.001 {
            let size = "the source (\(video.width)x\(video.height)) is smaller than the \(look.width)x\(look.height) shorts"
            let times = String(format: "%.2f", factor)
            guard look.upscale else {
                made.notes.append(
                    "\(size) (\(look.fit.rawValue) needs it \(times) times larger) and replay.shorts.upscale is false: no shorts and no reel; choose a smaller size or allow upscaling")
                return made
            }
            made.notes.append("\(size): the picture is scaled up \(times) times (\(look.fit.rawValue))")
        }
        let renderer = ShortRenderer(reader: reader, video: video, audio: audio, options: look)
        if let burn = look.burnCaptions, !captions.tracks.contains(where: { $0.language == burn }) {
            made.notes.append("no \(burn) captions were given: nothing is burned into the shorts")
        }
        func moment(_ window: ShortPlan.Window) -> ShortRenderer.Moment {
            let product = products[window.product]
            let marker = product.marker.marker
            let price =
                look.price ? ShortText.price(marker.price, currency: marker.currency, language: options.language) : nil
            let text = ShortGraph.productLines(
                title: look.title ? marker.title : nil, price: price, width: look.width, height: look.height)
            var lines = text.lines
            let layout = text.layout
            if let layout, layout.wasCut {
                made.notes.append("the title of marker \(marker.id) is too long for the short: it is cut to \(layout.lines.count) lines, ending with …")
            }
            if let layout, layout.droppedEmoji {
                made.notes.append("the title of marker \(marker.id) has emoji, which the font cannot draw: they are left out of the short")
            }
            if let burn = look.burnCaptions {
                lines += ShortGraph.captionLines(
                    captions.burnedCues(language: burn, from: window.startMilliseconds, to: window.endMilliseconds),
                    width: look.width, height: look.height)
            }
            return ShortRenderer.Moment(window: window, lines: lines, cropX: cropX(of: product, notes: &made.notes), title: marker.title)
        }
        if let shortOptions = options.shorts {
            let plan = ShortPlan(products: products, durationMilliseconds: build.timeline.durationMilliseconds, options: shortOptions)
            made.notes += plan.notes
            try build.staging.createDirectory("shorts")
            for window in plan.windows {
                let stem = "shorts/\(ReplayBuild.fileStem(window.markerID))"
                do {
                    _ = try renderer.render([moment(window)], to: build.staging.path(stem + ".mp4"), chapters: false)
                } catch {
                    made.notes.append("no short for marker \(window.markerID): \(error)")
                    try? FileManager.default.removeItem(atPath: build.staging.path(stem + ".mp4"))
                    continue
                }
                made.shorts[window.product] = stem + ".mp4"
                let excerpts = try captions.writeExcerpts(
                    stem: stem, from: window.startMilliseconds, to: window.endMilliseconds, staging: build.staging)
                if !excerpts.isEmpty { made.captions[window.product] = excerpts }
            }
        }
        if let reel = options.reel {
            var counts: [Int: Int] = [:]
            if reel.order == .events, let events = reel.events {
                let counted = ReelEvents.count(path: events, products: products)
                counts = counted.counts
                made.notes += counted.notes
            }
            let (windows, notes) = ShortPlan.reel(
                products: products, durationMilliseconds: build.timeline.durationMilliseconds, shorts: look, reel: reel,
                eventCounts: counts)
            made.notes += notes
            if windows.isEmpty {
                made.notes.append("no product moment was chosen: no reel")
            } else {
                do {
                    _ = try renderer.render(windows.map(moment), to: build.staging.path("reel.mp4"), chapters: true)
                    made.reel = "reel.mp4"
                    made.reelMoments = windows.map(\.markerID)
                } catch {
                    made.notes.append("no reel: \(error)")
                    try? FileManager.default.removeItem(atPath: build.staging.path("reel.mp4"))
                }
            }
        }
        return made
    }

    /// The marker's `crop_x` attribute (0 to 1), when it has a valid one.
    static func cropX(of product: ChapterPlan.Product, notes: inout [String]) -> Double? {
        guard let text = product.marker.marker.attributes["crop_x"] else { return nil }
        guard let value = Double(text), (0...1).contains(value) else {
            notes.append("marker \(product.marker.id) has crop_x \"\(text)\", not a number from 0 to 1: its short is cropped at the centre")
            return nil
        }
        return value
    }
}
