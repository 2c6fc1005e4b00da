import CuepointFFmpeg
import CuepointTime

/// One rendition's video path, on its encoding thread: decoded frame → scaler → forced IDR
/// where the keyframe plan says → libx264 → packets.
///
/// The scaler is made for the first frame's size and pixel format and made again when a
/// frame arrives in another (a source that changes resolution mid-stream); the output keeps
/// the rendition's size throughout. A frame that already has the output size and format is
/// encoded as it is. Owned by the rendition's thread.
final class VideoEncodingStage {
    let encoder: Encoder
    private let width: Int, height: Int
    private let timeBase: Rational
    private var keyframes: KeyframePlan.Cursor
    private var scaler: Scaler?
    /// The source geometry of the frames so far: `640x360 yuv420p`.
    private var geometry: String?
    private var lastTicks: Int64?
    private let scaled = Frame()

    /// Opens libx264.
    ///
    /// - Throws: `FFmpegError` when libx264 refuses the settings.
    /// Whether every picture goes through the scaler, even one already in the output size: the
    /// scaler's pictures have zeroed row padding, which libx264's SIMD code may read, so the
    /// output cannot depend on what a decoder's buffer held before (deterministic mode).
    private let copiesEveryPicture: Bool

    init(settings: VideoEncoderSettings, keyframes: KeyframePlan, copiesEveryPicture: Bool = false) throws(FFmpegError) {
        self.copiesEveryPicture = copiesEveryPicture
        encoder = try Encoder(video: settings)
        width = settings.width
        height = settings.height
        timeBase = settings.timeBase
        self.keyframes = KeyframePlan.Cursor(plan: keyframes)
    }

    /// Scales and encodes one decoded frame (stamped in the source's time base).
    ///
    /// - Parameter forceKeyframe: the caller's decision whether this frame is an IDR picture;
    ///   nil lets the keyframe plan decide.
    func encode(
        _ frame: Frame, forceKeyframe: Bool? = nil, report: inout RenditionReport, emit: (Packet) throws -> Void
    ) throws {
        guard let ticks = frame.pts ?? frame.bestEffortTimestamp, lastTicks.map({ ticks > $0 }) ?? true else {
            report.droppedVideoFrames += 1
            return
        }
        lastTicks = ticks
        let time = MediaTime(ticks: ticks, timeBase: timeBase)
        let picture = try picture(from: frame, at: time, report: &report)
        picture.pts = ticks
        let planned = keyframes.isForcedKeyframe(at: time)
        if forceKeyframe ?? planned {
            picture.forceKeyframe()
            report.forcedKeyframes.append(time)
        } else {
            picture.pictureType = .none  // the source's GOP is not copied
        }
        try encoder.send(picture)
        report.videoFrames += 1
        try receive(emit)
    }

    /// Drains the encoder after the last frame.
    func finish(emit: (Packet) throws -> Void) throws {
        try encoder.send(nil)
        try receive(emit)
    }

    /// The frame in the output size and `yuv420p`: itself when it already is, else scaled.
    private func picture(from frame: Frame, at time: MediaTime, report: inout RenditionReport) throws -> Frame {
        let source = "\(frame.width)x\(frame.height) \(frame.pixelFormat)"
        if source != geometry {
            if let geometry { report.videoChanges.append(.init(time: time, from: geometry, to: source)) }
            geometry = source
            scaler = nil
        }
        if !copiesEveryPicture, frame.width == width, frame.height == height, frame.pixelFormat == .yuv420p {
            return frame
        }
        let active = try scaler ?? Scaler(from: frame, width: width, height: height, format: .yuv420p)
        scaler = active
        try active.scale(frame, into: scaled)
        return scaled
    }

    private func receive(_ emit: (Packet) throws -> Void) throws {
        while true {
            let packet = Packet()
            guard try encoder.receive(into: packet) == .packet else { return }
            try emit(packet)
        }
    }
}
