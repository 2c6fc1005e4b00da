import CuepointFFmpeg
import CuepointTime
import Foundation

/// Encodes one transcoded rendition on a thread of its own: decoded video and audio frames
/// in (from the single `SourceDecoder` of the input), encoded H.264 and AAC packets out.
///
/// ```
/// SourceDecoder ──Frame.clone()──► FrameQueue ──► thread: VideoEncodingStage ──► onPacket
///                                   (bounded)             AudioEncodingStage ──┘
/// ```
///
/// ```
/// VideoEncodingStage: scale (remade when the source size changes) → force IDR → libx264
/// AudioEncodingStage: resample → frames of exactly 1024 samples → aac
/// ```
///
/// Every rendition of a ladder is given the same ``KeyframePlan`` and sees the same frames,
/// so all force their IDR pictures on the same frames: the segment boundaries.
///
/// Lifecycle: `init` (opens the encoders and validates the settings against the source) →
/// read ``videoEncoder``/``audioEncoder`` for `Muxer.addStream(encoder:)` → `submitVideo` /
/// `submitAudio` (the thread starts with the first frame) → `finish()`, which drains
/// everything and returns the report. `submit…` blocks while the queue is full, and throws
/// once the thread failed; `finish()` rethrows that failure.
///
/// Deterministic mode (`Options.deterministic`) makes repeated runs byte-identical: x264 on one
/// thread, `+bitexact` on both encoders (no version strings), nothing taken from the wall
/// clock. Muxers must add `fflags=+bitexact` themselves.
///
/// `@unchecked Sendable`: the stages (and their encoders, scaler and resampler) and `report`
/// are touched by the caller only before the thread starts and after `finish()` has waited for
/// it to end; in between only by the thread. `onPacket` runs only on the thread. `started` and
/// `outcome` are guarded by `startLock`; frames cross through `FrameQueue`.
final class RenditionEncoder: @unchecked Sendable {
    /// How a rendition encodes, apart from its settings.
    struct Options: Sendable, Hashable {
        /// Byte-identical output for identical input (see the type's overview).
        var deterministic = false
        /// x264's threads; nil lets x264 choose (about 1.5 per core). Ignored when deterministic.
        var videoThreadCount: Int?
        /// Codec configuration in `extradata`: true for MP4 and fMP4, false for MPEG-TS.
        var globalHeader = true
        /// Frames (video and audio together) that may wait for the thread.
        var queueCapacity = 16
    }

    /// One encoded packet, with the unit of its timestamps.
    struct EncodedPacket {
        var mediaType: MediaType
        var packet: Packet
        /// The encoder's time base: the source's video time base for video, `1/sampleRate` for audio.
        var timeBase: Rational
    }

    let name: String
    /// The rendition's video, as validated; nil for audio-only.
    let videoSettings: VideoSettings?
    /// The rendition's audio, as validated; nil without audio.
    let audioSettings: AudioSettings?

    private let videoStage: VideoEncodingStage?
    private let audioStage: AudioEncodingStage?
    private let queue: FrameQueue
    private let onPacket: (EncodedPacket) throws -> Void
    private let startLock = NSLock()
    private var started = false
    private let ended = DispatchSemaphore(value: 0)
    private var report = RenditionReport()
    /// Packets handed on; kept apart from `report`, which the stages hold `inout` while they emit.
    private var packetCounts = (video: 0, audio: 0)
    private var failure: (any Error)?
    /// What `finish()` found, kept for later calls; guarded by `startLock`.
    private var outcome: Result<RenditionReport, CuepointError>?

    /// libx264, for `Muxer.addStream(encoder:)`; read it before the first `submit`. Nil without video.
    var videoEncoder: Encoder? { videoStage?.encoder }
    /// The AAC encoder, likewise; nil without audio.
    var audioEncoder: Encoder? { audioStage?.encoder }

    /// Validates the settings against the source and opens the encoders.
    ///
    /// - Parameters:
    ///   - name: the rendition's name, for messages and the thread.
    ///   - video: nil for an audio-only rendition.
    ///   - audio: nil for a rendition without audio.
    ///   - source: the input, as the decoder sees it.
    ///   - keyframes: the ladder's shared keyframe plan.
    ///   - onPacket: called on the rendition's thread with each packet, in each encoder's output order.
    /// - Throws: `CuepointError` naming the rendition: every validation problem, or the
    ///   encoder that refused to open and why.
    init(
        name: String, video: VideoSettings?, audio: AudioSettings?, source: TranscodeSource, keyframes: KeyframePlan,
        options: Options = Options(), onPacket: @escaping (EncodedPacket) throws -> Void
    ) throws(CuepointError) {
        let subject = "rendition \(name)"
        guard video != nil || audio != nil else {
            throw CuepointError(subject: subject, message: "has neither video nor audio settings")
        }
        let problems =
            (video?.validationProblems(source: source) ?? []) + (audio?.validationProblems(source: source) ?? [])
        guard problems.isEmpty else {
            throw CuepointError(subject: subject, message: problems.map(\.description).joined(separator: "; "))
        }
        self.name = name
        videoSettings = video
        audioSettings = audio
        videoStage = try Self.openVideo(video, source: source, keyframes: keyframes, options: options, subject: subject)
        audioStage = try Self.openAudio(audio, source: source, options: options, subject: subject)
        queue = FrameQueue(capacity: options.queueCapacity)
        self.onPacket = onPacket
    }

    private static func openVideo(
        _ video: VideoSettings?, source: TranscodeSource, keyframes: KeyframePlan, options: Options, subject: String
    ) throws(CuepointError) -> VideoEncodingStage? {
        guard let video, let sourceVideo = source.video else { return nil }
        let settings = video.encoderSettings(
            source: sourceVideo, keyframes: keyframes, deterministic: options.deterministic,
            threadCount: options.videoThreadCount, globalHeader: options.globalHeader)
        do {
            return try VideoEncodingStage(
                settings: settings, keyframes: keyframes, copiesEveryPicture: options.deterministic)
        } catch {
            throw CuepointError(
                subject: subject, message: "libx264 refused the video settings: \(error)",
                fix: "check preset, profile, level and the rate settings")
        }
    }

    private static func openAudio(
        _ audio: AudioSettings?, source: TranscodeSource, options: Options, subject: String
    ) throws(CuepointError) -> AudioEncodingStage? {
        guard let audio, let sourceAudio = source.audio else { return nil }
        let settings = audio.encoderSettings(deterministic: options.deterministic, globalHeader: options.globalHeader)
        do {
            return try AudioEncodingStage(settings: settings, sourceTimeBase: sourceAudio.timeBase)
        } catch {
            throw CuepointError(subject: subject, message: "the AAC encoder refused the audio settings: \(error)")
        }
    }

    /// Queues a decoded video frame (a new reference to its pixels; the caller may reuse
    /// `frame`). Ignored by a rendition without video.
    ///
    /// - Parameter forceKeyframe: whether the frame must be an IDR picture; nil lets the
    ///   rendition's ``KeyframePlan`` decide. A recording session that cuts segments itself
    ///   passes its decision, so every rendition has its IDR pictures where the segments start.
    /// - Throws: the error that stopped the rendition's thread, or `FFmpegError` from `av_frame_ref`.
    func submitVideo(_ frame: Frame, forceKeyframe: Bool? = nil) throws {
        guard videoStage != nil else { return }
        startIfNeeded()
        try queue.put(.video(frame.clone(), forceKeyframe: forceKeyframe))
    }

    /// Queues a decoded audio frame, likewise. Ignored by a rendition without audio.
    func submitAudio(_ frame: Frame) throws {
        guard audioStage != nil else { return }
        startIfNeeded()
        try queue.put(.audio(frame.clone()))
    }

    /// Waits until every queued frame is encoded and the encoders are drained; call after
    /// the last frame. Later calls return the same outcome without waiting.
    ///
    /// - Returns: what the rendition did.
    /// - Throws: `CuepointError` naming the rendition and the failure that stopped it.
    func finish() throws(CuepointError) -> RenditionReport {
        startIfNeeded()
        queue.close()
        startLock.lock()
        defer { startLock.unlock() }
        if outcome == nil {
            ended.wait()
            if let failure {
                let error =
                    failure as? CuepointError
                    ?? CuepointError(subject: "rendition \(name)", message: "encoding failed: \(failure)")
                outcome = .failure(error)
            } else {
                var result = report
                (result.videoPackets, result.audioPackets) = packetCounts
                outcome = .success(result)
            }
        }
        return try outcome!.get()
    }

    /// Stops the rendition without draining it (after a failure elsewhere): queued frames are
    /// dropped, the thread ends soon, and later `submit…` calls throw. Does not wait.
    func abandon() {
        queue.fail(CuepointError(subject: "rendition \(name)", message: "abandoned"))
        queue.close()
    }

    private func startIfNeeded() {
        startLock.lock()
        defer { startLock.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "cuepoint-encode-\(name)"
        thread.stackSize = 4 << 20
        thread.start()
    }

    private func run() {
        defer { ended.signal() }
        do {
            var report = RenditionReport()
            defer { self.report = report }
            let emitVideo: (Packet) throws -> Void = { [self] packet in try self.emitVideo(packet) }
            let emitAudio: (Packet) throws -> Void = { [self] packet in try self.emitAudio(packet) }
            while let item = queue.take() {
                switch item {
                case .video(let frame, let forced):
                    try videoStage?.encode(frame, forceKeyframe: forced, report: &report, emit: emitVideo)
                case .audio(let frame): try audioStage?.encode(frame, report: &report, emit: emitAudio)
                }
            }
            guard !queue.hasFailed else {
                failure = CuepointError(subject: "rendition \(name)", message: "abandoned before its end")
                return
            }
            try videoStage?.finish(emit: emitVideo)
            try audioStage?.finish(report: &report, emit: emitAudio)
        } catch {
            failure = error
            queue.fail(error)
        }
    }

    private func emitVideo(_ packet: Packet) throws {
        guard let encoder = videoStage?.encoder else { return }
        packetCounts.video += 1
        try onPacket(EncodedPacket(mediaType: .video, packet: packet, timeBase: encoder.timeBase))
    }

    private func emitAudio(_ packet: Packet) throws {
        guard let encoder = audioStage?.encoder else { return }
        packetCounts.audio += 1
        try onPacket(EncodedPacket(mediaType: .audio, packet: packet, timeBase: encoder.timeBase))
    }
}
