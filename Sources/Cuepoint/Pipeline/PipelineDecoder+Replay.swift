internal import Yams

extension PipelineDecoder {
    /// `replay:` — a mapping (an empty one, or `replay:` alone, takes every default).
    mutating func decodeReplay(_ node: Node) -> ReplaySpec {
        var spec = ReplaySpec()
        if isNull(node) { return spec }
        guard let fields = fields(of: node, path: "replay", known: Self.replayKeys) else { return spec }
        if let node = optional("directory", in: fields) { spec.directory = nonEmptyText(node, "replay.directory") }
        if let node = optional("chapters", in: fields),
            let mode = choice(node, "replay.chapters", of: ReplayOptions.ChapterMode.self)
        {
            spec.options.chapters = mode
        }
        if let node = optional("mp4", in: fields), let value = boolean(node, "replay.mp4") { spec.options.mp4 = value }
        if let node = optional("clips", in: fields) { decodeClips(node, into: &spec.options) }
        if let node = optional("thumbnails", in: fields), let value = boolean(node, "replay.thumbnails") {
            spec.options.thumbnails = value
        }
        if let node = optional("thumbnail_width", in: fields), let width = integer(node, "replay.thumbnail_width") {
            if (16...3840).contains(width) {
                spec.options.thumbnailWidth = width
            } else {
                report(node, "replay.thumbnail_width", "expected 16 to 3840 pixels, got \(width)")
            }
        }
        if let node = optional("language", in: fields), let language = nonEmptyText(node, "replay.language") {
            if ReplayOptions.isLanguageTag(language) {
                spec.options.language = language
            } else {
                report(node, "replay.language", "expected a BCP-47 language tag such as `en` or `pt-BR`, got \(quote(language))")
            }
        }
        if let node = optional("force", in: fields), let value = boolean(node, "replay.force") { spec.options.force = value }
        if let node = optional("posters", in: fields), let value = boolean(node, "replay.posters") { spec.options.posters = value }
        if let entry = fields.entries["storyboard"] { spec.options.storyboard = decodeStoryboard(entry.value) }
        if let entry = fields.entries["shorts"] { spec.options.shorts = decodeShorts(entry.value) }
        if let entry = fields.entries["reel"] { spec.options.reel = decodeReel(entry.value) }
        return spec
    }

    /// `replay.clips`: `keyframe`, `exact`, `none`, or a boolean (true = keyframe).
    private mutating func decodeClips(_ node: Node, into options: inout ReplayOptions) {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            switch scalar.string {
            case "true", "True", "TRUE":
                options.clips = .keyframe
                return
            case "false", "False", "FALSE":
                options.clips = .none
                return
            default: break
            }
        }
        let names = ReplayOptions.ClipMode.allCases.map(\.rawValue)
        guard let value = text(node, "replay.clips", expected: "`keyframe`, `exact`, `none`, true or false") else { return }
        guard let mode = ReplayOptions.ClipMode(rawValue: value) else {
            report(
                node, "replay.clips", "expected `keyframe`, `exact`, `none`, true or false, got \(quote(value))",
                suggestion: KeySuggestion.closest(to: value, among: names))
            return
        }
        options.clips = mode
    }
}
