import CuepointJSON
import CuepointHLS
import CuepointTime
import Foundation

/// The files of a package beyond the HLS renditions, for `replay.json`, relative to the package.
struct ReplayFiles {
    var shorts: [String] = []
    var reel: String?
    var posters: [String] = []
    /// The sheets, then `storyboard.vtt`.
    var storyboard: [String] = []
    /// The subtitle renditions' playlists.
    var subtitles: [String] = []
    /// The whole-show caption file of each language.
    var captions: [String: String] = [:]
}

/// The text files of a replay package: `chapters.json` (Apple's HLS JSON chapters),
/// `chapters.vtt` (WebVTT chapters), `products.json` (the shoppable index), `products.vtt` (the
/// product cards as a WebVTT metadata track) and `replay.json` (what was made from what; it also
/// marks the directory as a replay).
struct ReplayDocuments {
    let build: ReplayBuild
    let clips: [Int: String]
    let thumbnails: [Int: ReplayMedia.Thumbnail]
    /// Posters by product index and shape (`16x9`, `9x16`).
    var posters: [Int: [String: String]] = [:]
    /// The short of each product index.
    var shorts: [Int: String] = [:]
    /// Caption excerpts of clips and shorts, by product index and language.
    var clipCaptions: [Int: [String: String]] = [:]
    var shortCaptions: [Int: [String: String]] = [:]

    private var plan: ChapterPlan { build.plan }

    /// Apple's JSON chapters: start-time and duration, the title in the package's language, the
    /// product's thumbnail, and its id, product, url and price as metadata (reverse-DNS keys).
    func chaptersJSON() -> String {
        let chapters = plan.chapters.enumerated().map { number, chapter in
            var images: [ChapterImage] = []
            var metadata: [ChapterMetadata] = []
            if let index = chapter.product {
                let marker = plan.products[index].marker.marker
                if let thumbnail = thumbnails[index] {
                    images.append(
                        ChapterImage(
                            category: "thumbnail", pixelWidth: thumbnail.width, pixelHeight: thumbnail.height,
                            url: thumbnail.path))
                }
                metadata.append(ChapterMetadata(key: "com.cuepoint.marker-id", value: .string(marker.id)))
                metadata.append(ChapterMetadata(key: "com.cuepoint.product", value: .string(marker.product)))
                if let url = marker.url { metadata.append(ChapterMetadata(key: "com.cuepoint.url", value: .string(url))) }
                if let price = marker.price {
                    metadata.append(ChapterMetadata(key: "com.cuepoint.price", value: .number(price)))
                }
                if let currency = marker.currency {
                    metadata.append(ChapterMetadata(key: "com.cuepoint.currency", value: .string(currency)))
                }
                if let clip = clips[index] { metadata.append(ChapterMetadata(key: "com.cuepoint.clip", value: .string(clip))) }
            }
            return Chapter(
                number: number + 1, startMilliseconds: chapter.startMilliseconds,
                durationMilliseconds: chapter.durationMilliseconds,
                titles: [ChapterTitle(language: build.options.language, title: chapter.title)], images: images,
                metadata: metadata)
        }
        return ChapterDocument(chapters: chapters).encoded()
    }

    /// WebVTT chapters: one cue per chapter, identified by the marker id (`intro`, `filler-N`).
    func chaptersVTT() -> String {
        WebVTTChapters(
            cues: plan.chapters.map { chapter in
                WebVTTChapters.Cue(
                    identifier: chapter.id, startMilliseconds: chapter.startMilliseconds,
                    endMilliseconds: chapter.endMilliseconds, text: chapter.title)
            }
        ).render()
    }

    /// The product card a player shows while the product is on screen: what `products.json` says
    /// of one product, as the members of a JSON object.
    func card(_ index: Int) -> [JSONMember] {
        let product = plan.products[index]
        let marker = product.marker.marker
        var members: [JSONMember] = [
            .init(key: "id", value: .string(marker.id)),
            .init(key: "product", value: .string(marker.product)),
            .init(key: "title", value: .string(marker.title)),
        ]
        if let url = marker.url { members.append(.init(key: "url", value: .string(url))) }
        if let price = marker.price { members.append(.init(key: "price", value: .string(price))) }
        if let currency = marker.currency { members.append(.init(key: "currency", value: .string(currency))) }
        if let image = marker.image { members.append(.init(key: "image", value: .string(image))) }
        members.append(.init(key: "start", value: .number(SecondsText.shortest(milliseconds: product.startMilliseconds))))
        members.append(.init(key: "end", value: .number(SecondsText.shortest(milliseconds: product.endMilliseconds))))
        if let clip = clips[index] { members.append(.init(key: "clip", value: .string(clip))) }
        if let thumbnail = thumbnails[index] { members.append(.init(key: "thumbnail", value: .string(thumbnail.path))) }
        if let posters = posters[index], !posters.isEmpty {
            members.append(
                .init(key: "posters", value: .object(posters.keys.sorted().map { .init(key: $0, value: .string(posters[$0] ?? "")) })))
        }
        if let short = shorts[index] { members.append(.init(key: "short", value: .string(short))) }
        for (key, files) in [("clip_captions", clipCaptions[index]), ("short_captions", shortCaptions[index])] {
            guard let files, !files.isEmpty else { continue }
            members.append(.init(key: key, value: .object(files.keys.sorted().map { .init(key: $0, value: .string(files[$0] ?? "")) })))
        }
        if !marker.attributes.isEmpty {
            let keys = marker.attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            members.append(
                .init(
                    key: "attributes",
                    value: .object(keys.map { .init(key: $0, value: .string(marker.attributes[$0] ?? "")) })))
        }
        return members
    }

    /// `products.vtt`: a WebVTT metadata track (`<track kind="metadata">`) with one cue per product
    /// chapter, at the chapter's times (so one card shows at a time, as the chapters run), its
    /// identifier the marker id and its payload the product card as one line of JSON. A player
    /// page shows the card of the active cue; products that get no chapter (they start with
    /// another) have no cue.
    func productsVTT() -> String {
        let cues = plan.chapters.compactMap { chapter -> WebVTTCue? in
            guard let index = chapter.product else { return nil }
            return WebVTTCue.metadata(
                identifier: chapter.id, startMilliseconds: chapter.startMilliseconds, endMilliseconds: chapter.endMilliseconds,
                json: JSONWriter.compact(.object(card(index))))
        }
        return WebVTTDocument(cues: cues).render()
    }

    /// The shoppable index: every product in the replay, in order of start, with its own times
    /// (products may overlap; chapters do not), its clip, thumbnail, posters and short.
    func productsJSON() -> String {
        let order = plan.products.indices.sorted {
            (plan.products[$0].startMilliseconds, $0) < (plan.products[$1].startMilliseconds, $1)
        }
        let products = order.map { index -> String in "    " + JSONWriter.compact(.object(card(index))) }
        let header = [
            "{",
            "  \"version\": 1,",
            "  \"title\": \(JSONWriter.compact(.string(build.source.name))),",
            "  \"duration\": \(SecondsText.shortest(milliseconds: build.timeline.durationMilliseconds)),",
        ]
        let list = products.isEmpty ? ["  \"products\": []"] : ["  \"products\": ["] + [products.joined(separator: ",\n")] + ["  ]"]
        return (header + list + ["}"]).joined(separator: "\n") + "\n"
    }

    /// `replay.json`: the source, the counts, the files made beyond the renditions, and the notes
    /// of the export.
    func manifest(notes: [String], copiedSegments: Bool, files: ReplayFiles = ReplayFiles()) -> String {
        var listed: [JSONMember] = [
            .init(key: "shorts", value: .array(files.shorts.map { .string($0) })),
            .init(key: "posters", value: .array(files.posters.map { .string($0) })),
            .init(key: "storyboard", value: .array(files.storyboard.map { .string($0) })),
            .init(key: "subtitles", value: .array(files.subtitles.map { .string($0) })),
            .init(
                key: "captions",
                value: .object(files.captions.keys.sorted().map { .init(key: $0, value: .string(files.captions[$0] ?? "")) })),
            .init(key: "products_track", value: .string("products.vtt")),
            .init(key: "player", value: .string("index.html")),
        ]
        if let reel = files.reel { listed.insert(.init(key: "reel", value: .string(reel)), at: 1) }
        let everything = Self.packageFiles(in: build.staging, renditions: build.source.renditions.map(\.name))
        let value = JSONValue.object([
            .init(key: "version", value: .number("1")),
            .init(key: "name", value: .string(build.source.name)),
            .init(key: "recording", value: .string(build.source.directory.path)),
            .init(key: "duration", value: .number(SecondsText.shortest(milliseconds: build.timeline.durationMilliseconds))),
            .init(key: "renditions", value: .array(build.source.renditions.map { .string($0.name) })),
            .init(key: "segments", value: .number(String(build.timeline.entries.count))),
            .init(key: "segmentsCopied", value: .bool(copiedSegments)),
            .init(key: "chapters", value: .number(String(plan.chapters.count))),
            .init(key: "products", value: .number(String(plan.products.count))),
            .init(key: "clips", value: .number(String(clips.count))),
            .init(key: "thumbnails", value: .number(String(thumbnails.count))),
            .init(key: "outputs", value: .object(listed)),
            .init(key: "files", value: .array(everything.map { .string($0) })),
            .init(key: "notes", value: .array(notes.map { .string($0) })),
        ])
        return JSONWriter.compact(value) + "\n"
    }

    /// Every file in the staging folder (relative paths, sorted), except the renditions' segments
    /// and init sections (the recording's, listed in the playlists) and `replay.json` itself.
    static func packageFiles(in staging: ReplayStaging, renditions names: [String]) -> [String] {
        let root = staging.staging.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        let renditions = Set(names)
        while let next = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            let parts = next.split(separator: "/")
            if parts.count == 2, renditions.contains(String(parts[0])), !parts[1].hasSuffix(".m3u8") { continue }
            if next == ReplayStaging.manifestName { continue }
            files.append(next)
        }
        return files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
