import CuepointTime
internal import Yams

/// The sections of the format: what each key means and which values it takes.
extension PipelineDecoder {
    /// Decodes the whole document; nil when any problem was found (see ``problems``).
    mutating func decodeDocument(_ root: Node) -> PipelineSpec? {
        guard case .mapping = root else {
            report(
                root, "",
                "expected a mapping of pipeline keys (`version`, `name`, `input`, …), got \(describe(root))")
            return nil
        }
        guard let fields = fields(of: root, path: "", known: Self.topLevelKeys, reserved: Self.reservedTopLevelKeys)
        else { return nil }

        if let node = required("version", in: fields), let version = integer(node, "version"),
            version != PipelineSpec.supportedVersion
        {
            report(
                node, "version",
                "unsupported version \(version); this cuepoint reads version \(PipelineSpec.supportedVersion)")
        }
        let name = required("name", in: fields).flatMap { decodeName($0, "name") } ?? ""
        let input =
            fields.entries["input"] == nil && defaults.input != nil
            ? defaults.input : required("input", in: fields).flatMap { decodeInput($0) }
        var output = optional("output", in: fields).map { decodeOutput($0) } ?? OutputSpec()
        if let directory = defaults.outputDirectory, !names("directory", in: fields.entries["output"]?.value) {
            output.directory = directory
        }
        let renditions =
            optional("renditions", in: fields).map { decodeRenditions($0) }
            ?? RenditionSpec.defaultRenditions
        let markers = optional("markers", in: fields).map { decodeMarkers($0) }
        let problemsBeforeCaptions = problems.count
        let captions = optional("captions", in: fields).map { decodeCaptions($0) } ?? []
        let captionsAreWhole = problems.count == problemsBeforeCaptions
        var replay = fields.entries["replay"].map { decodeReplay($0.value) }
        replay?.options.captions = captions
        if captionsAreWhole, let burn = replay?.options.shorts?.burnCaptions,
            !captions.contains(where: { $0.language == burn }), let entry = fields.entries["replay"]
        {
            report(
                entry.key, "replay.shorts.captions",
                "no caption file for \(quote(burn)) is listed under `captions:`; add one, or remove `captions` from replay.shorts")
        }
        let transcode = fields.entries["transcode"].map { decodeTranscode($0.value) } ?? TranscodeSpec()
        if transcode != TranscodeSpec(), !renditions.contains(where: \.transcodes), let entry = fields.entries["transcode"] {
            report(entry.key, "transcode", "no rendition is transcoded; give a rendition `video:`, `audio:` or `preset:`")
        }
        let server = fields.entries["server"].flatMap { decodeServer($0.value, key: $0.key) }
        let console = fields.entries["console"].flatMap { decodeConsole($0.value, key: $0.key) }
        if replay != nil, let playlists = output.playlists, !playlists.contains(.index), let entry = fields.entries["replay"] {
            report(
                entry.key, "replay",
                "a replay is made from the recording's index.m3u8, but output.playlists does not write it; "
                    + "add `index` to output.playlists")
        }

        if output.partDuration != nil, renditions.contains(where: \.transcodes), let entry = fields.entries["renditions"] {
            report(
                entry.key, "renditions",
                "LL-HLS parts (`output.part`) are cut for copy renditions only; leave out `output.part`, or make every "
                    + "rendition `copy: true`")
        }

        guard problems.isEmpty, let input else { return nil }
        return PipelineSpec(
            name: name, input: input, output: output, renditions: renditions, markers: markers, replay: replay,
            transcode: transcode, server: server, captions: captions, console: console)
    }

    /// Whether `node` is a mapping that gives `key` a value.
    func names(_ key: String, in node: Node?) -> Bool {
        guard case .mapping(let mapping)? = node, let value = mapping[key] else { return false }
        return !isNull(value)
    }

    /// A name as `name:` and renditions take it: `[a-z0-9][a-z0-9._-]*`. A name too long to be
    /// a typing slip (past ``KeySuggestion/longestWord`` characters) gets no suggestion.
    mutating func decodeName(_ node: Node, _ path: String) -> String? {
        guard let name = nonEmptyText(node, path) else { return nil }
        guard Self.isValidName(name) else {
            report(
                node, path,
                "expected lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit, "
                    + "got \(quote(name))",
                suggestion: EchoedText.isLong(name, limit: KeySuggestion.longestWord) ? nil : KeySuggestion.slug(name))
            return nil
        }
        return name
    }

    /// Whether `name` matches `[a-z0-9][a-z0-9._-]*`.
    static func isValidName(_ name: String) -> Bool {
        func isLowerAlphanumeric(_ character: Character) -> Bool {
            character.isASCII && (character.isNumber || character.isLowercase)
        }
        guard let first = name.first, isLowerAlphanumeric(first) else { return false }
        return name.allSatisfy { isLowerAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    // MARK: - input

    /// The `input:` section; nil when it is not a mapping or has no usable `url`.
    mutating func decodeInput(_ node: Node) -> InputSpec? {
        guard let fields = fields(of: node, path: "input", known: Self.inputKeys, reserved: Self.reservedInputKeys)
        else { return nil }
        let urlNode = required("url", in: fields)
        let url = urlNode.flatMap { decodeURL($0, "input.url") }
        var input = InputSpec(url: url ?? "")
        if let node = optional("format", in: fields) { input.format = nonEmptyText(node, "input.format") }
        if let node = optional("options", in: fields) { input.options = decodeOptions(node, "input.options") }
        if let node = optional("live", in: fields) { input.live = boolean(node, "input.live") }
        if let node = optional("start_date", in: fields) {
            input.startDate = decodeDate(node, "input.start_date")
            if input.startDate != nil, url != nil, input.isLive {
                let reason =
                    input.live == true
                    ? "this input has `live: true`" : "`\(input.scheme ?? "")` inputs are live"
                report(
                    node, "input.start_date",
                    "only applies to recorded inputs, and \(reason); remove `start_date` or set `live: false`")
            }
        }
        decodeLiveInput(fields, into: &input, urlKnown: url != nil)
        return url == nil ? nil : input
    }

    /// `input.url`: a path, or a URL whose scheme libavformat reads and cuepoint knows.
    mutating func decodeURL(_ node: Node, _ path: String) -> String? {
        guard let url = nonEmptyText(node, path) else { return nil }
        if let scheme = InputSpec.scheme(of: url),
            !InputSpec.liveSchemes.contains(scheme), !InputSpec.recordedSchemes.contains(scheme)
        {
            let known = (InputSpec.liveSchemes.union(InputSpec.recordedSchemes)).sorted()
            report(
                node, path,
                "unsupported URL scheme `\(EchoedText.value(scheme))`; expected a file path, `pipe:0`, or one of "
                    + known.filter { $0 != "pipe" }.map { "`\($0)`" }.joined(separator: ", "),
                suggestion: KeySuggestion.closest(to: scheme, among: known))
            return nil
        }
        return url
    }

    /// `input.options`: libavformat options, every value a scalar, kept as text.
    mutating func decodeOptions(_ node: Node, _ path: String) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping of libavformat options to values, got \(describe(node))")
            return [:]
        }
        var options: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode, !key.string.isEmpty, !isNull(keyNode) else {
                report(keyNode, path, "expected an option name, got \(describe(keyNode))")
                continue
            }
            let optionPath = path + "." + EchoedText.value(key.string)
            guard !isNull(valueNode) else {
                report(
                    keyNode, optionPath, "option has no value; write `\(EchoedText.value(key.string)): \"\"` for an empty one")
                continue
            }
            if let value = text(valueNode, optionPath, expected: "a string, number or boolean") {
                options[key.string] = value
            }
        }
        return options
    }

    /// `input.start_date`: an ISO 8601 date-time with a time zone.
    mutating func decodeDate(_ node: Node, _ path: String) -> WallClockTime? {
        guard let value = text(node, path) else { return nil }
        guard let date = WallClockTime(iso8601: value) else {
            report(
                node, path,
                "expected an ISO 8601 date-time with a time zone such as \"2025-03-14T18:00:00Z\", got \(quote(value))")
            return nil
        }
        return date
    }

    // MARK: - output

    /// The `output:` section, defaults filled in.
    mutating func decodeOutput(_ node: Node) -> OutputSpec {
        var output = OutputSpec()
        guard let fields = fields(of: node, path: "output", known: Self.outputKeys, reserved: Self.reservedOutputKeys)
        else { return output }
        if let node = optional("directory", in: fields), let directory = nonEmptyText(node, "output.directory") {
            output.directory = directory
        }
        if let node = optional("container", in: fields),
            let container = choice(node, "output.container", of: Container.self)
        {
            output.container = container
        }
        if let node = optional("segment", in: fields), let duration = decodeSegmentDuration(node, "output.segment") {
            output.segmentDuration = duration
        }
        if let node = optional("live_window", in: fields), let window = integer(node, "output.live_window") {
            if window < OutputSpec.minimumLiveWindow {
                report(node, "output.live_window", "must be at least \(OutputSpec.minimumLiveWindow), got \(window)")
            } else {
                output.liveWindow = window
            }
        }
        if let node = optional("playlists", in: fields) {
            output.playlists = decodePlaylists(node, "output.playlists")
        }
        if let node = optional("part", in: fields),
            let value = text(node, "output.part", expected: "a duration such as \"1s\" or \"500ms\"")
        {
            if let duration = DurationText.parse(value) {
                output.partDuration = duration
                if let problem = output.partProblem {
                    report(node, "output.part", problem)
                    output.partDuration = nil
                }
            } else {
                report(node, "output.part", "expected a duration such as \"1s\" or \"500ms\", got \(quote(value))")
            }
        }
        if let node = optional("publish", in: fields) {
            output.publish = decodePublish(node)
        }
        return output
    }

    /// `output.segment`: a duration between the minimum and maximum segment durations.
    mutating func decodeSegmentDuration(_ node: Node, _ path: String) -> MediaTime? {
        guard let value = text(node, path, expected: "a duration such as \"6s\" or \"500ms\"") else { return nil }
        guard let duration = DurationText.parse(value) else {
            report(node, path, "expected a duration such as \"6s\" or \"500ms\", got \(quote(value))")
            return nil
        }
        let minimum = OutputSpec.minimumSegmentDuration
        let maximum = OutputSpec.maximumSegmentDuration
        guard duration >= minimum, duration <= maximum else {
            report(
                node, path,
                "must be between \(DurationText.format(minimum)) and \(DurationText.format(maximum)), "
                    + "got \(DurationText.format(duration))")
            return nil
        }
        return duration
    }

    /// `output.playlists`: a non-empty list of playlist kinds, each named once.
    mutating func decodePlaylists(_ node: Node, _ path: String) -> Set<PlaylistKind>? {
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list such as [index, live], got \(describe(node))")
            return nil
        }
        guard !sequence.isEmpty else {
            report(node, path, "must name at least one playlist: `index`, `live` or both")
            return nil
        }
        var kinds = Set<PlaylistKind>()
        for (offset, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(offset)]"
            guard let kind = choice(item, itemPath, of: PlaylistKind.self) else { continue }
            if !kinds.insert(kind).inserted {
                report(item, itemPath, "`\(kind.rawValue)` is listed twice")
            }
        }
        return kinds
    }

    // MARK: - renditions

    /// The `renditions:` list: at least one, names unique.
    mutating func decodeRenditions(_ node: Node) -> [RenditionSpec] {
        guard case .sequence(let sequence) = node else {
            report(node, "renditions", "expected a list of renditions, got \(describe(node))")
            return []
        }
        guard !sequence.isEmpty else {
            report(node, "renditions", "must list at least one rendition, e.g. `- { name: source, copy: true }`")
            return []
        }
        var renditions: [RenditionSpec] = []
        var firstUse: [String: Int] = [:]
        for (offset, item) in sequence.enumerated() {
            let path = "renditions[\(offset)]"
            guard
                let fields = fields(
                    of: item, path: path, known: Self.renditionKeys, reserved: Self.reservedRenditionKeys)
            else { continue }
            let nameNode = required("name", in: fields)
            let name = nameNode.flatMap { decodeName($0, path + ".name") }
            if let name, let nameNode {
                if let earlier = firstUse[name] {
                    report(nameNode, path + ".name", "`\(name)` is already the name of renditions[\(earlier)]")
                } else {
                    firstUse[name] = offset
                }
            }
            let video = optional("video", in: fields).flatMap { decodeVideo($0, path + ".video") }
            let audio = optional("audio", in: fields).flatMap { decodeAudio($0, path + ".audio") }
            let preset = optional("preset", in: fields).flatMap { decodeLadderPreset($0, path + ".preset") }
            let transcodes = ["video", "audio", "preset"].contains { fields.entries[$0] != nil }
            var copy = false
            if let copyNode = optional("copy", in: fields) {
                if let value = boolean(copyNode, path + ".copy") {
                    copy = value
                    if value, transcodes {
                        report(
                            copyNode, path + ".copy",
                            "`copy: true` copies the input's streams, so `video`, `audio` and `preset` cannot be "
                                + "given with it; remove `copy`, or the transcoding settings")
                    } else if !value, !transcodes {
                        report(
                            copyNode, path + ".copy",
                            "a rendition that does not copy needs `video:` and/or `audio:` settings, or a `preset:` "
                                + "(720p, 480p, 360p, …)")
                    }
                }
            } else if !transcodes {
                _ = required("copy", in: fields)
            }
            if preset != nil, fields.entries["video"] != nil || fields.entries["audio"] != nil,
                let entry = fields.entries["preset"]
            {
                report(entry.key, path + ".preset", "give either a `preset:` or `video:`/`audio:` settings, not both")
            }
            let transcoded = transcodes && !copy
            renditions.append(
                RenditionSpec(
                    name: name ?? "", copy: !transcoded, video: transcoded ? video : nil,
                    audio: transcoded ? audio : nil, preset: transcoded ? preset : nil))
            continue
        }
        return renditions
    }
}
