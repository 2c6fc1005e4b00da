import Foundation

/// A named rung of an ABR ladder, for `--ladder 720p,480p,360p`: a picture height with
/// bit rates close to Apple's HLS authoring specification (H.264, 16:9), or `audio-only`.
///
/// | name | short side | video | maxrate / bufsize | audio |
/// |---|---|---|---|---|
/// | 1080p | 1080 | 6000k | 9000k / 12000k | 128k |
/// | 720p | 720 | 3000k | 4500k / 6000k | 128k |
/// | 480p | 480 | 1400k | 2100k / 2800k | 96k |
/// | 360p | 360 | 365k | 547.5k / 730k | 96k |
/// | 240p | 240 | 145k | 217.5k / 290k | 64k |
/// | audio-only | — | — | — | 64k |
///
/// The number names the picture's short side, so a portrait source gets portrait
/// renditions; the long side follows the source's aspect ratio, rounded to an even number
/// (360p of a 4:3 source is 480x360). Audio is stereo AAC-LC at 48 kHz. Rungs larger than
/// the source are left out rather than upscaled (``rungs(for:source:)``).
public struct LadderPreset: Sendable, Hashable, CustomStringConvertible {
    /// The name used on the command line.
    public let name: String
    /// The output's short side in pixels; nil for audio-only.
    public let shortSide: Int?
    /// Average video bit rate in bits per second; nil for audio-only.
    public let videoBitrate: Int?
    /// AAC bit rate in bits per second.
    public let audioBitrate: Int

    public static let p1080 = LadderPreset(
        name: "1080p", shortSide: 1080, videoBitrate: 6_000_000, audioBitrate: 128_000)
    public static let p720 = LadderPreset(name: "720p", shortSide: 720, videoBitrate: 3_000_000, audioBitrate: 128_000)
    public static let p480 = LadderPreset(name: "480p", shortSide: 480, videoBitrate: 1_400_000, audioBitrate: 96_000)
    public static let p360 = LadderPreset(name: "360p", shortSide: 360, videoBitrate: 365_000, audioBitrate: 96_000)
    public static let p240 = LadderPreset(name: "240p", shortSide: 240, videoBitrate: 145_000, audioBitrate: 64_000)
    public static let audioOnly = LadderPreset(
        name: "audio-only", shortSide: nil, videoBitrate: nil, audioBitrate: 64_000)

    /// Every preset, largest first.
    public static let all: [LadderPreset] = [.p1080, .p720, .p480, .p360, .p240, .audioOnly]

    public var description: String { name }

    /// The preset called `name` (exactly, as listed in ``all``), or nil.
    public static func named(_ name: String) -> LadderPreset? { all.first { $0.name == name } }

    /// Parses a comma-separated list such as `720p,480p,360p` (spaces around names allowed).
    ///
    /// - Throws: `CuepointError` naming the unknown name and listing the valid ones (with the
    ///   closest as a suggestion), a name given twice, or an empty list.
    public static func parse(_ text: String) throws(CuepointError) -> [LadderPreset] {
        let subject = "--ladder \(text)"
        let valid = "valid names: " + all.map(\.name).joined(separator: ", ")
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard names.contains(where: { !$0.isEmpty }) else {
            throw CuepointError(
                subject: subject, message: "the ladder is empty", fix: "list rungs such as 720p,480p,360p")
        }
        var presets: [LadderPreset] = []
        for name in names {
            guard !name.isEmpty else {
                throw CuepointError(subject: subject, message: "an empty name between commas", fix: valid)
            }
            guard let preset = named(name) ?? named(name.lowercased()) else {
                let close = KeySuggestion.closest(to: name, among: all.map(\.name))
                throw CuepointError(
                    subject: subject, message: "unknown ladder rung `\(name)`",
                    fix: (close.map { "did you mean `\($0)`? " } ?? "") + valid)
            }
            guard !presets.contains(preset) else {
                throw CuepointError(
                    subject: subject, message: "`\(preset.name)` is listed twice", fix: "list each rung once")
            }
            presets.append(preset)
        }
        return presets
    }

    /// The video settings of this rung for `source`; nil for audio-only.
    ///
    /// The short side is the preset's; the long side keeps the source's aspect ratio,
    /// rounded to the nearest even number. No check against the source's size is made here
    /// (see ``rungs(for:source:)``).
    public func video(for source: TranscodeSource.Video) -> VideoSettings? {
        guard let shortSide, let videoBitrate, source.width > 0, source.height > 0 else { return nil }
        // The nearest even number to shortSide × long / short: 2 × round(shortSide × long / (2 × short)).
        func longSide(_ long: Int, _ short: Int) -> Int { 2 * ((shortSide * long + short) / (2 * short)) }
        let landscape = source.width >= source.height
        return VideoSettings(
            width: landscape ? longSide(source.width, source.height) : shortSide,
            height: landscape ? shortSide : longSide(source.height, source.width),
            bitrate: videoBitrate, maxrate: videoBitrate * 3 / 2, bufsize: videoBitrate * 2,
            preset: VideoSettings.defaultPreset, profile: "high")
    }

    /// The audio settings of this rung: stereo AAC-LC at 48 kHz.
    public var audio: AudioSettings { AudioSettings(sampleRate: 48000, channels: 2, bitrate: audioBitrate) }

    /// One rendition a ladder makes for a given source.
    public struct Rung: Sendable, Hashable {
        /// The preset's name, used as the rendition's name.
        public var name: String
        /// Nil for audio-only, or when the source has no video.
        public var video: VideoSettings?
        /// Nil when the source has no audio.
        public var audio: AudioSettings?
    }

    /// The renditions `presets` make for `source`, and the names of the presets left out:
    /// video rungs whose short side exceeds the source's (no upscaling), video rungs of a source
    /// without video, and `audio-only` for a source without audio.
    public static func rungs(for presets: [LadderPreset], source: TranscodeSource) -> (
        rungs: [Rung], skipped: [String]
    ) {
        var rungs: [Rung] = []
        var skipped: [String] = []
        for preset in presets {
            let audio = source.audio.map { _ in preset.audio }
            guard let shortSide = preset.shortSide else {
                if audio == nil {
                    skipped.append(preset.name)
                } else {
                    rungs.append(Rung(name: preset.name, audio: audio))
                }
                continue
            }
            guard let video = source.video, shortSide <= min(video.width, video.height),
                let settings = preset.video(for: video)
            else {
                skipped.append(preset.name)
                continue
            }
            rungs.append(Rung(name: preset.name, video: settings, audio: audio))
        }
        return (rungs, skipped)
    }
}
