import CuepointFFmpeg
import CuepointTime
import Synchronization
import NIOConcurrencyHelpers

/// The renditions a pipeline makes from this input, with the transcoded ones' settings
/// resolved against the source: sides left out follow the source's aspect ratio, ladder
/// presets become settings, and preset rungs larger than the source are left out (a
/// note says so) rather than upscaled.
struct TranscodePlan {
    struct Rendition {
        var name: String
        var copy: Bool
        var video: VideoSettings?
        var audio: AudioSettings?
    }

    var renditions: [Rendition] = []
    /// What was left out, and why.
    var notes: [String] = []
    var transcodes: Bool { renditions.contains { !$0.copy } }

    /// - Throws: `CuepointError` naming the rendition and every problem of its settings
    ///   against this source, or when a ladder leaves no rendition.
    init(spec: PipelineSpec, streams: [StreamInfo], inputName: String) throws(CuepointError) {
        let source = TranscodeSource(streams: streams)
        for (offset, rendition) in spec.renditions.enumerated() {
            guard rendition.transcodes else {
                renditions.append(Rendition(name: rendition.name, copy: true))
                continue
            }
            if let preset = rendition.preset {
                let (rungs, _) = LadderPreset.rungs(for: [preset], source: source)
                guard let rung = rungs.first else {
                    notes.append(Self.skipNote(rendition.name, preset: preset, source: source))
                    continue
                }
                renditions.append(Rendition(name: rendition.name, copy: false, video: rung.video, audio: rung.audio))
                continue
            }
            let video = rendition.video.map {
                $0.resolved(sourceWidth: source.video?.width ?? 0, sourceHeight: source.video?.height ?? 0)
            }
            let problems =
                (video?.validationProblems(source: source) ?? []) + (rendition.audio?.validationProblems(source: source) ?? [])
            guard problems.isEmpty else {
                throw CuepointError(
                    subject: "renditions[\(offset)] (\(rendition.name))",
                    message: problems.map(\.description).joined(separator: "; "),
                    fix: "the input is \(Self.describe(source)); change the rendition's settings")
            }
            renditions.append(Rendition(name: rendition.name, copy: false, video: video, audio: rendition.audio))
        }
        guard !renditions.isEmpty else {
            throw CuepointError(
                subject: inputName, message: "no rendition is left: " + notes.joined(separator: "; "),
                fix: "use smaller presets (e.g. 360p) for this input")
        }
    }

    static func skipNote(_ name: String, preset: LadderPreset, source: TranscodeSource) -> String {
        if preset.shortSide == nil { return "rendition \(name) (audio-only) is left out: the input has no audio" }
        guard let video = source.video else { return "rendition \(name) (\(preset.name)) is left out: the input has no video" }
        return "rendition \(name) (\(preset.name)) is left out: it would upscale the \(video.width)x\(video.height) input"
    }

    static func describe(_ source: TranscodeSource) -> String {
        var parts: [String] = []
        if let video = source.video { parts.append("\(video.width)x\(video.height) video") }
        if let audio = source.audio { parts.append("\(audio.channels)-channel \(audio.sampleRate) Hz audio") }
        return parts.isEmpty ? "without audio or video" : parts.joined(separator: " with ")
    }
}

/// Warns once when a live input is processed more slowly than it arrives: the frame queues
/// are bounded, so memory stays flat and the lag grows instead; the user needs to know.
final class FallBehindWarning: Sendable {
    private let warned = Atomic<Bool>(false)

    func warnIfNeeded(lagMilliseconds: Int64, segmentMilliseconds: Int64, warnings: WarningCollector) {
        guard lagMilliseconds > max(10_000, 3 * segmentMilliseconds) else { return }
        guard !warned.exchange(true, ordering: .relaxed) else { return }
        warnings.add(
            "falling behind the live input by \(lagMilliseconds / 1000) s: transcoding cannot keep up on this machine "
                + "(memory stays bounded; the lag grows); use fewer or smaller renditions, or a faster preset, "
                + "or `copy: true`")
    }
}

extension TranscodeSpec {
    /// PROGRAM-DATE-TIME of media time 0 in a deterministic run without `input.start_date`.
    static let deterministicStartDate = WallClockTime(millisecondsSince1970: 946_684_800_000)
}
