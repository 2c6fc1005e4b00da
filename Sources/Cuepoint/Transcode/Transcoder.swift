import CuepointFFmpeg
import CuepointTime
import Foundation

/// The transcoded renditions of a recording: the input decoded once (`SourceDecoder`), a
/// `RenditionEncoder` per rendition (a thread each, behind a bounded frame queue), and the
/// `TranscodeLane` that cuts and muxes each rendition's packets.
///
/// ```
/// reading thread                        rendition threads (one each)
/// packet ─► SourceDecoder ─► frame ─┬─► FrameQueue ─► scale/encode ─► TranscodeLane ─► segments
///            (decode once)          ├─► FrameQueue ─► …                    │
///                                   └─► …                                   ▼
///                                                                   SegmentBarrier ─► playlists
/// ```
///
/// The session decides the segment boundaries and announces them (``announce(boundary:sequence:forceKeyframe:)``)
/// before the frames at those times are decoded; the frame at or after each boundary is an
/// IDR picture in every rendition. An epoch of the input (until its timestamps jump, or a
/// publisher reconnects) is one run of the encoders: ``finishEpoch()`` drains them, and the
/// next packet starts new ones, so a new epoch starts with fresh encoders, new init sections
/// and an IDR.
///
/// Owned by the reading thread.
final class Transcoder {
    /// One transcoded rendition.
    struct Rendition {
        var lane: TranscodeLane
        var video: VideoSettings?
        var audio: AudioSettings?
    }

    let renditions: [Rendition]
    private var decoder: SourceDecoder
    private let inputName: String
    private let keyframes: KeyframePlan
    private let options: RenditionEncoder.Options
    private var encoders: [RenditionEncoder] = []
    /// Boundaries announced with `forceKeyframe` and not yet reached by a decoded frame.
    private var pendingKeyframes: [MediaTime] = []
    /// Whether a frame of this epoch was encoded (frames before the first boundary are not).
    private var begun = false
    /// What each rendition's encoders did, summed over the epochs, by rendition name.
    private(set) var reports: [String: RenditionReport] = [:]

    /// Decides each decoded video frame itself when set (a session that cuts on decoded
    /// frames); otherwise frames follow the announced boundaries.
    var videoDecision: ((Frame) throws -> SourceDecoder.FrameDecision)? {
        didSet { installDecision() }
    }

    /// - Throws: `CuepointError` naming a rendition whose settings do not fit the source or
    ///   an encoder that refused to open, or the input stream FFmpeg cannot decode.
    init(
        streams: [StreamInfo], renditions: [Rendition], segmentDuration: MediaTime, options: RenditionEncoder.Options,
        inputName: String
    ) throws(CuepointError) {
        do {
            decoder = try Self.decoder(for: streams, options: options)
        } catch {
            throw CuepointError(
                subject: inputName, message: "cannot decode the input for transcoding (\(error.message))",
                fix: "use `copy: true` renditions for this input")
        }
        self.renditions = renditions
        self.inputName = inputName
        keyframes = KeyframePlan(segmentDuration: segmentDuration, frameRate: decoder.source.video?.frameRate)
        self.options = options
        installDecision()
        try startEncoders()
    }

    /// What the renditions are made from.
    var source: TranscodeSource { decoder.source }

    /// Packets the decoder rejected as damaged.
    var damagedPackets: Int { decoder.damagedPackets }

    /// The session cut at `time`: every rendition starts segment `sequence` at its keyframe
    /// there. With `forceKeyframe`, the first decoded frame at or after `time` is made an IDR
    /// picture (a session cutting on the source's keyframes announces before decoding them).
    func announce(boundary time: MediaTime, sequence: Int64, forceKeyframe: Bool) {
        if forceKeyframe { pendingKeyframes.append(time) }
        for rendition in renditions { rendition.lane.announce(boundary: time, sequence: sequence) }
    }

    /// The session has decided every boundary up to `time` (see `TranscodeLane.advance(to:)`).
    func advance(to time: MediaTime) {
        for rendition in renditions { rendition.lane.advance(to: time) }
    }

    /// An ID3 tag for every rendition, in-band at `time`.
    func enqueueTimedMetadata(_ tag: [UInt8], at time: MediaTime, eventID: UInt32) {
        for rendition in renditions { rendition.lane.enqueueTimedMetadata(tag, at: time, eventID: eventID) }
    }

    /// Decodes one input packet and hands its frames to the renditions; blocks while a
    /// rendition's queue is full (the renditions set the pace).
    ///
    /// - Throws: the failure that stopped a rendition, or a decoding error other than damage.
    func decode(_ packet: Packet) throws {
        if encoders.isEmpty { try startEncoders() }
        try decoder.decode(packet, into: encoders)
    }

    /// Decodes the frames the decoder still holds (at the end of an epoch, before the
    /// session closes its last segment).
    func drainDecoder() throws {
        guard !encoders.isEmpty else { return }
        try decoder.finish(into: encoders)
    }

    /// Ends the epoch: waits for every rendition to encode what it was given, closes each
    /// rendition's last segment and muxer; the next packet starts new encoders.
    ///
    /// - Throws: `CuepointError` naming the rendition that failed.
    func finishEpoch() throws {
        guard !encoders.isEmpty else { return }
        defer {
            encoders = []
            pendingKeyframes = []
            begun = false
            decoder.restart()
        }
        var failure: (any Error)?
        for (rendition, encoder) in zip(renditions, encoders) {
            do {
                let report = try encoder.finish()
                reports[rendition.lane.name, default: RenditionReport()].add(report)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        for rendition in renditions { try rendition.lane.finishEpoch() }
    }

    /// A new input continues the recording (a reconnected publisher): a decoder for its streams;
    /// the next packet starts new encoders, validated against it. Call after ``finishEpoch()``.
    ///
    /// - Throws: `CuepointError` when FFmpeg cannot decode the new input.
    func replaceInput(streams: [StreamInfo]) throws(CuepointError) {
        precondition(encoders.isEmpty, "replaceInput(streams:) before finishEpoch()")
        do {
            decoder = try Self.decoder(for: streams, options: options)
        } catch {
            throw CuepointError(subject: inputName, message: "cannot decode the reconnected input (\(error.message))")
        }
        installDecision()
    }

    /// Stops every rendition after a failure elsewhere and waits for their threads; their open
    /// segments are dropped. Segments already published stay.
    func abandon() {
        for encoder in encoders { encoder.abandon() }
        for encoder in encoders { _ = try? encoder.finish() }
        encoders = []
        for rendition in renditions { rendition.lane.abandon() }
    }

    /// The input's decoder: FFmpeg's choice of frame threads, or two in deterministic mode (the
    /// decoded pictures do not depend on the thread count; the wall-clock speed does).
    private static func decoder(for streams: [StreamInfo], options: RenditionEncoder.Options) throws(FFmpegError)
        -> SourceDecoder
    {
        try SourceDecoder(streams: streams, threadCount: options.deterministic ? 2 : nil)
    }

    private func startEncoders() throws(CuepointError) {
        var started: [RenditionEncoder] = []
        for rendition in renditions {
            let lane = rendition.lane
            let encoder = try RenditionEncoder(
                name: lane.name, video: rendition.video, audio: rendition.audio, source: decoder.source,
                keyframes: keyframes, options: options, onPacket: { packet in try lane.receive(packet) })
            lane.begin(video: encoder.videoEncoder, audio: encoder.audioEncoder)
            started.append(encoder)
        }
        encoders = started
    }

    private func installDecision() {
        if let videoDecision {
            decoder.videoDecision = videoDecision
            return
        }
        decoder.videoDecision = { [unowned self] frame in
            guard let ticks = frame.pts ?? frame.bestEffortTimestamp, let base = decoder.source.video?.timeBase else {
                return begun ? .encode(forceKeyframe: false) : .skip
            }
            let time = MediaTime(ticks: ticks, timeBase: base)
            if let first = pendingKeyframes.first, first <= time {
                pendingKeyframes.removeAll { $0 <= time }
                begun = true
                return .encode(forceKeyframe: true)
            }
            return begun ? .encode(forceKeyframe: false) : .skip
        }
    }
}

extension RenditionReport {
    /// Adds another epoch's counts.
    mutating func add(_ other: RenditionReport) {
        videoFrames += other.videoFrames
        forcedKeyframes += other.forcedKeyframes
        droppedVideoFrames += other.droppedVideoFrames
        videoChanges += other.videoChanges
        videoPackets += other.videoPackets
        audioSamples += other.audioSamples
        audioChanges += other.audioChanges
        audioPackets += other.audioPackets
    }
}
