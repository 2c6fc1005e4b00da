import CuepointTime

/// A transcoded rendition's video: the `video:` key of a rendition in the pipeline file.
///
///     video: { codec: h264, width: 960, height: 540, bitrate: 2000k, maxrate: 3000k, bufsize: 4000k }
///
/// Rate control is either an average bit rate (`bitrate`, usually capped with `maxrate` and
/// `bufsize`, the VBV model players' buffers follow) or a constant quality (`crf`, which
/// may also be capped with `maxrate`/`bufsize`); never both. Keyframes are not a setting:
/// they follow from the segment length (see ``KeyframePlan``).
public struct VideoSettings: Sendable, Hashable {
    /// The codecs a rendition may use (`codec:`).
    public static let codecs = ["h264"]
    /// x264's speed/quality presets, fastest first (`preset:`).
    public static let presets = [
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
    ]
    /// The H.264 profiles x264 can produce from 8-bit 4:2:0 pictures (`profile:`).
    public static let profiles = ["baseline", "main", "high"]
    /// The preset when none is given: fast enough for live 1080p on a few cores.
    public static let defaultPreset = "veryfast"

    /// `h264` (encoded by libx264).
    public var codec: String
    /// Output picture size in pixels; even, and no larger than the source.
    public var width: Int
    public var height: Int
    /// Average bit rate in bits per second (`bitrate:`); nil for `crf` or x264's default (crf 23).
    public var bitrate: Int?
    /// VBV maximum rate in bits per second (`maxrate:`); needs `bufsize`.
    public var maxrate: Int?
    /// VBV buffer size in bits (`bufsize:`); needs `maxrate`.
    public var bufsize: Int?
    /// Constant rate factor, 0 (lossless) to 51 (`crf:`); lower is better and larger.
    public var crf: Int?
    /// One of ``presets``.
    public var preset: String
    /// One of ``profiles``; nil lets x264 choose (High with the usual presets).
    public var profile: String?
    /// An H.264 level such as `3.1` or `4`; nil lets x264 compute one from size, rate and bit rate.
    public var level: String?

    public init(
        codec: String = "h264", width: Int, height: Int, bitrate: Int? = nil, maxrate: Int? = nil,
        bufsize: Int? = nil, crf: Int? = nil, preset: String = VideoSettings.defaultPreset, profile: String? = nil,
        level: String? = nil
    ) {
        self.codec = codec
        self.width = width
        self.height = height
        self.bitrate = bitrate
        self.maxrate = maxrate
        self.bufsize = bufsize
        self.crf = crf
        self.preset = preset
        self.profile = profile
        self.level = level
    }

    /// Everything wrong with these settings, for this source (nil when it is not known yet),
    /// in a stable order; empty when they can be used.
    ///
    /// Checks: the codec, preset, profile and level names; even, positive sizes no larger
    /// than the source; `bitrate` and `crf` not both given; `maxrate` with `bufsize` and not
    /// below `bitrate`; `crf` within 0–51; a level that the size, the source's frame rate
    /// and the peak bit rate fit; and a source that has video at all.
    public func validationProblems(source: TranscodeSource?) -> [TranscodeProblem] {
        var problems: [TranscodeProblem] = []
        func add(_ key: String, _ message: String, suggestion: String? = nil) {
            problems.append(TranscodeProblem(keyPath: key, message: message, suggestion: suggestion))
        }
        if let source, source.video == nil {
            add("video", "the input has no video stream; leave `video:` out of this rendition (audio-only)")
        }
        if !Self.codecs.contains(codec) {
            add(
                "video.codec", "unknown codec `\(codec)`; the video codec is h264 (encoded by libx264)",
                suggestion: KeySuggestion.closest(to: codec, among: Self.codecs + ["x264", "avc", "libx264"])
                    .map { _ in "h264" })
        }
        problems += sizeProblems(source: source?.video)
        problems += rateProblems()
        if !Self.presets.contains(preset) {
            add(
                "video.preset", "unknown preset `\(preset)`; valid: \(Self.presets.joined(separator: ", "))",
                suggestion: KeySuggestion.closest(to: preset, among: Self.presets))
        }
        if let profile, !Self.profiles.contains(profile) {
            add(
                "video.profile", "unknown profile `\(profile)`; valid: \(Self.profiles.joined(separator: ", "))",
                suggestion: KeySuggestion.closest(to: profile, among: Self.profiles))
        }
        if let level {
            if let known = H264Level.named(level) {
                problems += levelProblems(known, frameRate: source?.video?.frameRate)
            } else {
                add(
                    "video.level",
                    "unknown H.264 level `\(level)`; valid: \(H264Level.names.joined(separator: ", "))")
            }
        }
        return problems
    }

    private func sizeProblems(source: TranscodeSource.Video?) -> [TranscodeProblem] {
        var problems: [TranscodeProblem] = []
        for (key, value, sourceValue, larger) in [
            ("width", width, source?.width, "wider"), ("height", height, source?.height, "taller"),
        ] {
            if value <= 0 {
                problems.append(
                    TranscodeProblem(
                        keyPath: "video.\(key)", message: "must be a positive number of pixels, got \(value)"))
                continue
            }
            if value % 2 != 0 {
                problems.append(
                    TranscodeProblem(
                        keyPath: "video.\(key)",
                        message:
                            "\(value) is odd; H.264 4:2:0 pictures need even sizes: use \(value - 1) or \(value + 1)"))
            }
            if let source, let sourceValue, sourceValue > 0, value > sourceValue {
                problems.append(
                    TranscodeProblem(
                        keyPath: "video.\(key)",
                        message: "\(value) is \(larger) than the source (\(source.width)x\(source.height)); upscaling "
                            + "spends bits on no new detail: use at most \(sourceValue), or leave this rendition out"))
            }
        }
        return problems
    }

    private func rateProblems() -> [TranscodeProblem] {
        var problems: [TranscodeProblem] = []
        func add(_ key: String, _ message: String) { problems.append(TranscodeProblem(keyPath: key, message: message)) }
        if bitrate != nil && crf != nil {
            add(
                "video",
                "bitrate and crf are both set; choose one: bitrate (with maxrate and bufsize) for a ladder whose "
                    + "bandwidth players can predict, or crf for constant quality")
        }
        for (key, value) in [("bitrate", bitrate), ("maxrate", maxrate), ("bufsize", bufsize)] {
            if let value, value <= 0 { add("video.\(key)", "must be positive, got \(value)") }
        }
        if let crf, !(0...51).contains(crf) {
            add("video.crf", "\(crf) is outside 0–51 (0 is lossless, 51 the smallest; 18–28 is usual)")
        }
        switch (maxrate, bufsize) {
        case (.some(let maxrate), nil) where maxrate > 0:
            add(
                "video.maxrate",
                "needs bufsize (the VBV buffer players model, typically 1–2 × maxrate: "
                    + "\(BitRateText.format(maxrate * 2))); x264 ignores maxrate without it")
        case (nil, .some(let bufsize)) where bufsize > 0:
            add("video.bufsize", "needs maxrate; x264 ignores a VBV buffer without a maximum rate")
        default:
            break
        }
        if let maxrate, let bitrate, maxrate > 0, bitrate > 0, maxrate < bitrate {
            add(
                "video.maxrate",
                "\(BitRateText.format(maxrate)) is below the bitrate \(BitRateText.format(bitrate)); the peak "
                    + "cannot be lower than the average")
        }
        return problems
    }

    /// The profile x264 will write: the one asked for, or High, which x264 picks with
    /// every preset but `ultrafast` (Constrained Baseline).
    private var effectiveProfile: String { profile ?? (preset == "ultrafast" ? "baseline" : "high") }

    private func levelProblems(_ level: H264Level, frameRate: Rational?) -> [TranscodeProblem] {
        guard width > 0, height > 0 else { return [] }
        var problems: [TranscodeProblem] = []
        let macroblocks = H264Level.macroblocks(width: width, height: height)
        // Macroblocks per second, rounded up: frameRate is exact (num/den).
        let perSecond = frameRate.flatMap { rate -> Int? in
            guard rate.isValid else { return nil }
            return Int((Int64(macroblocks) * rate.numerator + rate.denominator - 1) / rate.denominator)
        }
        let peak = maxrate ?? bitrate
        let fits: (H264Level) -> Bool = { candidate in
            candidate.macroblocksPerFrame >= macroblocks
                && (perSecond.map { candidate.macroblocksPerSecond >= $0 } ?? true)
                && (peak.map { candidate.maxBitRate(profile: effectiveProfile) >= $0 } ?? true)
        }
        guard !fits(level) else { return [] }
        let lowest = H264Level.all.first(where: fits)
        let fix = lowest.map { "use \($0.name) or higher, or leave level out" } ?? "no H.264 level allows it"
        if level.macroblocksPerFrame < macroblocks {
            problems.append(
                TranscodeProblem(
                    keyPath: "video.level",
                    message: "\(level.name) allows \(level.macroblocksPerFrame) macroblocks per picture; "
                        + "\(width)x\(height) has \(macroblocks): \(fix)"))
        } else if let perSecond, let frameRate, level.macroblocksPerSecond < perSecond {
            problems.append(
                TranscodeProblem(
                    keyPath: "video.level",
                    message: "\(level.name) allows \(level.macroblocksPerSecond) macroblocks per second; "
                        + "\(width)x\(height) at \(Self.describe(frameRate)) fps needs \(perSecond): \(fix)"))
        } else if let peak {
            problems.append(
                TranscodeProblem(
                    keyPath: maxrate != nil ? "video.maxrate" : "video.bitrate",
                    message: "\(BitRateText.format(peak)) exceeds level \(level.name)'s "
                        + "\(BitRateText.format(level.maxBitRate(profile: effectiveProfile))) for the "
                        + "\(effectiveProfile) profile: \(fix)"))
        }
        return problems
    }

    /// `30`, `29.97`: a frame rate for messages, to two decimals when it is not whole.
    static func describe(_ rate: Rational) -> String {
        if rate.numerator % rate.denominator == 0 { return "\(rate.numerator / rate.denominator)" }
        let hundredths = (rate.numerator * 100 + rate.denominator / 2) / rate.denominator
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
