import CuepointTime
internal import Yams

/// `replay.shorts`, `replay.reel`, `replay.storyboard` and the top-level `captions:`.
extension PipelineDecoder {
    static let shortsKeys = [
        "size", "fit", "pre_roll", "post_roll", "min", "max", "title", "price", "font", "loudness", "true_peak", "upscale",
        "captions", "preset", "quality",
    ]
    static let reelKeys = ["count", "order", "events", "moment"]
    static let storyboardKeys = ["interval", "tile_width", "columns", "rows"]
    static let captionKeys = ["file", "language", "name"]

    /// A boolean switch or a mapping: `shorts: true`, `shorts: false`, `shorts: { size: 720x1280 }`.
    /// Returns nil for false, the defaults for true or an empty mapping, and the mapping's fields.
    private mutating func switchOrFields(_ node: Node, _ path: String, known: [String]) -> (on: Bool, fields: Fields?) {
        if isNull(node) { return (true, nil) }
        if case .scalar = node {
            guard let value = boolean(node, path) else { return (false, nil) }
            return (value, nil)
        }
        return (true, fields(of: node, path: path, known: known))
    }

    /// `replay.shorts`.
    mutating func decodeShorts(_ node: Node) -> ShortOptions? {
        let path = "replay.shorts"
        let (on, fields) = switchOrFields(node, path, known: Self.shortsKeys)
        guard on else { return nil }
        var options = ShortOptions()
        guard let fields else { return options }
        if let node = optional("size", in: fields), let text = text(node, "\(path).size") {
            let parts = text.split(separator: "x")
            if parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), (64...4096).contains(width),
                (64...4096).contains(height), width % 2 == 0, height % 2 == 0
            {
                (options.width, options.height) = (width, height)
            } else {
                report(node, "\(path).size", "expected WIDTHxHEIGHT with even numbers from 64 to 4096 such as `1080x1920`, got \(quote(text))")
            }
        }
        if let node = optional("fit", in: fields), let fit = choice(node, "\(path).fit", of: ShortOptions.Fit.self) {
            options.fit = fit
        }
        let upTo = MediaTime.milliseconds(600_000)
        if let node = optional("pre_roll", in: fields), let value = duration(node, "\(path).pre_roll", within: .zero(.milliseconds)...upTo) {
            options.preRollMilliseconds = value.milliseconds
        }
        if let node = optional("post_roll", in: fields), let value = duration(node, "\(path).post_roll", within: .zero(.milliseconds)...upTo) {
            options.postRollMilliseconds = value.milliseconds
        }
        if let node = optional("min", in: fields), let value = duration(node, "\(path).min", within: .milliseconds(1000)...upTo) {
            options.minimumMilliseconds = value.milliseconds
        }
        if let node = optional("max", in: fields), let value = duration(node, "\(path).max", within: .milliseconds(1000)...upTo) {
            options.maximumMilliseconds = value.milliseconds
        }
        if options.minimumMilliseconds > options.maximumMilliseconds, let node = fields.entries["min"]?.key ?? fields.entries["max"]?.key {
            report(node, "\(path).min", "the shortest short (min) is longer than the longest (max); make min at most max")
        }
        if let node = optional("title", in: fields), let value = boolean(node, "\(path).title") { options.title = value }
        if let node = optional("price", in: fields), let value = boolean(node, "\(path).price") { options.price = value }
        if let node = optional("font", in: fields), let value = nonEmptyText(node, "\(path).font") { options.font = value }
        if let node = optional("loudness", in: fields), let value = number(node, "\(path).loudness", within: -70 ... -5, unit: "LUFS") {
            options.loudnessTarget = value
        }
        if let node = optional("true_peak", in: fields), let value = number(node, "\(path).true_peak", within: -9...0, unit: "dBTP") {
            options.truePeakLimit = value
        }
        if let node = optional("upscale", in: fields), let value = boolean(node, "\(path).upscale") { options.upscale = value }
        if let node = optional("captions", in: fields), let language = nonEmptyText(node, "\(path).captions") {
            if ReplayOptions.isLanguageTag(language) {
                options.burnCaptions = language
            } else {
                report(node, "\(path).captions", "expected the language of one of `captions:`, such as `en`, got \(quote(language))")
            }
        }
        if let node = optional("preset", in: fields), let value = nonEmptyText(node, "\(path).preset") {
            let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
            if presets.contains(value) {
                options.preset = value
            } else {
                report(node, "\(path).preset", "expected a libx264 preset (\(presets.joined(separator: ", "))), got \(quote(value))",
                    suggestion: KeySuggestion.closest(to: value, among: presets))
            }
        }
        if let node = optional("quality", in: fields), let value = integer(node, "\(path).quality") {
            if (0...51).contains(value) {
                options.quality = value
            } else {
                report(node, "\(path).quality", "expected libx264's constant rate factor, 0 (best) to 51, got \(value)")
            }
        }
        return options
    }

    /// `replay.reel`.
    mutating func decodeReel(_ node: Node) -> ReelOptions? {
        let path = "replay.reel"
        let (on, fields) = switchOrFields(node, path, known: Self.reelKeys)
        guard on else { return nil }
        var options = ReelOptions()
        guard let fields else { return options }
        if let node = optional("count", in: fields), let value = integer(node, "\(path).count") {
            if (1...100).contains(value) { options.count = value } else { report(node, "\(path).count", "expected 1 to 100 product moments, got \(value)") }
        }
        if let node = optional("order", in: fields), let order = choice(node, "\(path).order", of: ReelOptions.Order.self) {
            options.order = order
        }
        if let node = optional("events", in: fields), let file = nonEmptyText(node, "\(path).events") {
            options.events = file
            if fields.entries["order"] == nil { options.order = .events }
        }
        if options.order == .events, options.events == nil, let key = fields.entries["order"]?.key {
            report(key, "\(path).order", "`events` order needs an events file; add `events: FILE.jsonl`")
        }
        if let node = optional("moment", in: fields),
            let value = duration(node, "\(path).moment", within: .milliseconds(1000)...(.milliseconds(600_000)))
        {
            options.momentMilliseconds = value.milliseconds
        }
        return options
    }

    /// `replay.storyboard`: true (the default), false, or a mapping.
    mutating func decodeStoryboard(_ node: Node) -> StoryboardOptions? {
        let path = "replay.storyboard"
        let (on, fields) = switchOrFields(node, path, known: Self.storyboardKeys)
        guard on else { return nil }
        var options = StoryboardOptions()
        guard let fields else { return options }
        if let node = optional("interval", in: fields),
            let value = duration(node, "\(path).interval", within: .milliseconds(500)...(.milliseconds(600_000)))
        {
            options.intervalMilliseconds = value.milliseconds
        }
        for (key, range) in [("tile_width", 16...1920), ("columns", 1...50), ("rows", 1...50)] {
            guard let node = optional(key, in: fields), let value = integer(node, "\(path).\(key)") else { continue }
            guard range.contains(value), key != "tile_width" || value % 2 == 0 else {
                report(node, "\(path).\(key)", "expected \(range.lowerBound) to \(range.upperBound)\(key == "tile_width" ? ", even" : ""), got \(value)")
                continue
            }
            switch key {
            case "tile_width": options.tileWidth = value
            case "columns": options.columns = value
            default: options.rows = value
            }
        }
        return options
    }

    /// The top-level `captions:` list: `- { file: captions/en.vtt, language: en, name: English }`.
    mutating func decodeCaptions(_ node: Node) -> [CaptionSource] {
        guard case .sequence(let sequence) = node else {
            report(node, "captions", "expected a list of `{ file: …, language: … }`, got \(describe(node))")
            return []
        }
        var captions: [CaptionSource] = []
        for (index, item) in sequence.enumerated() {
            let path = "captions[\(index)]"
            guard let fields = fields(of: item, path: path, known: Self.captionKeys) else { continue }
            guard let fileNode = required("file", in: fields), let file = nonEmptyText(fileNode, "\(path).file"),
                let languageNode = required("language", in: fields), let language = nonEmptyText(languageNode, "\(path).language")
            else { continue }
            guard ReplayOptions.isLanguageTag(language) else {
                report(languageNode, "\(path).language", "expected a BCP-47 language tag such as `en` or `pt-BR`, got \(quote(language))")
                continue
            }
            if captions.contains(where: { $0.language == language }) {
                report(languageNode, "\(path).language", "a caption file for \(quote(language)) is listed already; give one file per language")
                continue
            }
            let name = optional("name", in: fields).flatMap { nonEmptyText($0, "\(path).name") }
            captions.append(CaptionSource(path: file, language: language, name: name))
        }
        return captions
    }

    /// A number (plain scalar) within `range`.
    mutating func number(_ node: Node, _ path: String, within range: ClosedRange<Double>, unit: String) -> Double? {
        guard let value = text(node, path, expected: "a number of \(unit)") else { return nil }
        guard let number = Double(value), number.isFinite else {
            report(node, path, "expected a number of \(unit), got \(quote(value))")
            return nil
        }
        guard range.contains(number) else {
            report(node, path, "expected \(range.lowerBound) to \(range.upperBound) \(unit), got \(number)")
            return nil
        }
        return number
    }
}
