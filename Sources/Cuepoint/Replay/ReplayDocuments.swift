import CuepointJSON
import CuepointHLS
import CuepointTime
import Foundation

/// The text files of a replay package: `chapters.json` (Apple's HLS JSON chapters),
/// `chapters.vtt` (WebVTT chapters), `products.json` (the shoppable index) and `replay.json`
/// (what was made from what; it also marks the directory as a replay).
struct ReplayDocuments {
    let build: ReplayBuild
    let clips: [Int: String]
    let thumbnails: [Int: ReplayMedia.Thumbnail]

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

    /// The shoppable index: every product in the replay, in order of start, with its own times
    /// (products may overlap; chapters do not), its clip and thumbnail.
    func productsJSON() -> String {
        let order = plan.products.indices.sorted {
            (plan.products[$0].startMilliseconds, $0) < (plan.products[$1].startMilliseconds, $1)
        }
        let products = order.map { index -> String in
            let product = plan.products[index]
            let marker = product.marker.marker
            var members: [JSONMember] = [
                JSONMember(key: "id", value: .string(marker.id)),
                JSONMember(key: "product", value: .string(marker.product)),
                JSONMember(key: "title", value: .string(marker.title)),
            ]
            if let url = marker.url { members.append(JSONMember(key: "url", value: .string(url))) }
            if let price = marker.price { members.append(JSONMember(key: "price", value: .string(price))) }
            if let currency = marker.currency { members.append(JSONMember(key: "currency", value: .string(currency))) }
            if let image = marker.image { members.append(JSONMember(key: "image", value: .string(image))) }
            members.append(JSONMember(key: "start", value: .number(SecondsText.shortest(milliseconds: product.startMilliseconds))))
            members.append(JSONMember(key: "end", value: .number(SecondsText.shortest(milliseconds: product.endMilliseconds))))
            if let clip = clips[index] { members.append(JSONMember(key: "clip", value: .string(clip))) }
            if let thumbnail = thumbnails[index] { members.append(JSONMember(key: "thumbnail", value: .string(thumbnail.path))) }
            if !marker.attributes.isEmpty {
                let keys = marker.attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                members.append(
                    .init(
                        key: "attributes",
                        value: .object(keys.map { JSONMember(key: $0, value: .string(marker.attributes[$0] ?? "")) })))
            }
            return "    " + JSONWriter.compact(.object(members))
        }
        let header = [
            "{",
            "  \"version\": 1,",
            "  \"title\": \(JSONWriter.compact(.string(build.source.name))),",
            "  \"duration\": \(SecondsText.shortest(milliseconds: build.timeline.durationMilliseconds)),",
        ]
        let list = products.isEmpty ? ["  \"products\": []"] : ["  \"products\": ["] + [products.joined(separator: ",\n")] + ["  ]"]
        return (header + list + ["}"]).joined(separator: "\n") + "\n"
    }

    /// `replay.json`: the source, the counts and the notes of the export.
    func manifest(notes: [String], copiedSegments: Bool) -> String {
        let value = JSONValue.object([
            JSONMember(key: "version", value: .number("1")),
            JSONMember(key: "name", value: .string(build.source.name)),
            JSONMember(key: "recording", value: .string(build.source.directory.path)),
            JSONMember(key: "duration", value: .number(SecondsText.shortest(milliseconds: build.timeline.durationMilliseconds))),
            JSONMember(key: "renditions", value: .array(build.source.renditions.map { .string($0.name) })),
            JSONMember(key: "segments", value: .number(String(build.timeline.entries.count))),
            JSONMember(key: "segmentsCopied", value: .bool(copiedSegments)),
            JSONMember(key: "chapters", value: .number(String(plan.chapters.count))),
            JSONMember(key: "products", value: .number(String(plan.products.count))),
            JSONMember(key: "clips", value: .number(String(clips.count))),
            JSONMember(key: "thumbnails", value: .number(String(thumbnails.count))),
            JSONMember(key: "notes", value: .array(notes.map { .string($0) })),
        ])
        return JSONWriter.compact(value) + "\n"
    }
}
