import Foundation
internal import Yams

/// `renditions[].video`, `renditions[].audio`, `renditions[].preset` and the top-level
/// `transcode:` section.
extension PipelineDecoder {
    static let videoKeys = ["codec", "width", "height", "bitrate", "maxrate", "bufsize", "crf", "preset", "profile", "level"]
    static let audioKeys = ["codec", "sample_rate", "channels", "bitrate", "multichannel"]
    static let transcodeKeys = ["deterministic", "threads"]

    /// `transcode:` — how transcoded renditions run.
    mutating func decodeTranscode(_ node: Node) -> TranscodeSpec {
        var spec = TranscodeSpec()
        if isNull(node) { return spec }
        guard let fields = fields(of: node, path: "transcode", known: Self.transcodeKeys) else { return spec }
        if let node = optional("deterministic", in: fields), let value = boolean(node, "transcode.deterministic") {
            spec.deterministic = value
        }
        if let node = optional("threads", in: fields), let value = integer(node, "transcode.threads") {
            if (1...16).contains(value) {
                spec.threads = value
            } else {
                report(node, "transcode.threads", "expected 1 to 16 encoder threads per rendition, got \(value)")
            }
        }
        return spec
    }

    /// `preset:` of a rendition: a ladder rung name.
    mutating func decodeLadderPreset(_ node: Node, _ path: String) -> LadderPreset? {
        guard let name = nonEmptyText(node, path) else { return nil }
        guard let preset = LadderPreset.named(name) ?? LadderPreset.named(name.lowercased()) else {
            report(
                node, path,
                "unknown ladder preset \(quote(name)); valid: " + LadderPreset.all.map(\.name).joined(separator: ", "),
                suggestion: KeySuggestion.closest(to: name, among: LadderPreset.all.map(\.name)))
            return nil
        }
        return preset
    }

    /// `video:` of a rendition.
    mutating func decodeVideo(_ node: Node, _ path: String) -> VideoSpec? {
        guard let fields = fields(of: node, path: path, known: Self.videoKeys) else { return nil }
        var spec = VideoSpec()
        if let node = optional("codec", in: fields), let value = nonEmptyText(node, path + ".codec") { spec.codec = value }
        if let node = optional("width", in: fields) { spec.width = integer(node, path + ".width") }
        if let node = optional("height", in: fields) { spec.height = integer(node, path + ".height") }
        if let node = optional("bitrate", in: fields) { spec.bitrate = bitRate(node, path + ".bitrate") }
        if let node = optional("maxrate", in: fields) { spec.maxrate = bitRate(node, path + ".maxrate") }
        if let node = optional("bufsize", in: fields) { spec.bufsize = bitRate(node, path + ".bufsize") }
        if let node = optional("crf", in: fields) { spec.crf = integer(node, path + ".crf") }
        if let node = optional("preset", in: fields), let value = nonEmptyText(node, path + ".preset") {
            spec.preset = value
        }
        if let node = optional("profile", in: fields) { spec.profile = nonEmptyText(node, path + ".profile") }
        if let node = optional("level", in: fields) { spec.level = text(node, path + ".level") }
        // What can be checked without the source; sizes and level again once it is known.
        let settings = spec.resolved(sourceWidth: spec.width ?? spec.height ?? 2, sourceHeight: spec.height ?? spec.width ?? 2)
        report(settings.validationProblems(source: nil), fields: fields, renditionPath: String(path.dropLast(".video".count)))
        return spec
    }

    /// `audio:` of a rendition.
    mutating func decodeAudio(_ node: Node, _ path: String) -> AudioSettings? {
        guard let fields = fields(of: node, path: path, known: Self.audioKeys) else { return nil }
        var settings = AudioSettings()
        if let node = optional("codec", in: fields), let value = nonEmptyText(node, path + ".codec") { settings.codec = value }
        if let node = optional("sample_rate", in: fields), let value = integer(node, path + ".sample_rate") {
            settings.sampleRate = value
        }
        if let node = optional("channels", in: fields), let value = integer(node, path + ".channels") {
            settings.channels = value
        }
        if let node = optional("bitrate", in: fields) { settings.bitrate = bitRate(node, path + ".bitrate") }
        if let node = optional("multichannel", in: fields), let value = boolean(node, path + ".multichannel") {
            settings.multichannel = value
        }
        report(settings.validationProblems(source: nil), fields: fields, renditionPath: String(path.dropLast(".audio".count)))
        return settings
    }

    /// A bit rate: an integer in bits per second, or with a `k` or `M` suffix (`3000k`, `3M`, `2.5M`).
    mutating func bitRate(_ node: Node, _ path: String) -> Int? {
        guard let value = text(node, path, expected: "a bit rate") else { return nil }
        if let rate = Self.parseBitRate(value) { return rate }
        report(node, path, "expected a bit rate such as 3000000, 3000k or 3M, got \(quote(value))")
        return nil
    }

    static func parseBitRate(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var multiplier = 1.0
        var number = Substring(trimmed)
        switch trimmed.last {
        case "k", "K": multiplier = 1_000
        case "M", "m": multiplier = 1_000_000
        default: break
        }
        if multiplier != 1 { number = number.dropLast() }
        guard let value = Double(number), value.isFinite, value > 0 else {
            return Int(trimmed).flatMap { $0 > 0 ? nil : $0 }  // 0 or negative: let validation name it
        }
        return Int((value * multiplier).rounded())
    }

    /// Reports settings problems at the key they are about (or at the section).
    private mutating func report(_ problems: [TranscodeProblem], fields: Fields, renditionPath: String) {
        for problem in problems {
            let key = problem.keyPath.split(separator: ".").last.map(String.init) ?? ""
            let path = renditionPath + "." + problem.keyPath
            if problem.keyPath.contains("."), let entry = fields.entries[key] {
                report(entry.value, path, problem.message, suggestion: problem.suggestion)
            } else {
                report(at: fields.mark, path, problem.message, suggestion: problem.suggestion)
            }
        }
    }
}

/// How transcoded renditions run: the top-level `transcode:` section.
public struct TranscodeSpec: Sendable, Equatable {
    /// Byte-identical output for identical input (`deterministic:`): x264 on one thread, bitexact
    /// encoders and muxers, and PROGRAM-DATE-TIME from `input.start_date` or, without it, from
    /// 2000-01-01T00:00:00Z instead of the clock.
    public var deterministic = false
    /// libx264 threads per rendition (`threads:`); nil lets x264 choose. Ignored when deterministic.
    public var threads: Int?

    public init(deterministic: Bool = false, threads: Int? = nil) {
        self.deterministic = deterministic
        self.threads = threads
    }
}
