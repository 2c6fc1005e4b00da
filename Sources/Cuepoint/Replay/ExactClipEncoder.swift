import CuepointFFmpeg
import CuepointTime

/// The re-encoding half of an ``ExactClip``: decodes the keyframe clip's video from the
/// plan's keyframe and re-encodes the frames from the marker frame up to the copy keyframe
/// with libx264, into packets the MP4 track can carry next to the copied ones.
///
/// x264 is opened with `sps-id` set to an id the source's parameter sets do not use,
/// `annexb=0` (length-prefixed NAL units, as in MP4 samples), `bframes=0` (output in
/// presentation order), and neither periodic nor scene-cut keyframes, so the first frame is
/// the only IDR picture. ``configuration`` is the source's `avcC` with x264's SPS and PPS
/// added.
final class ExactClipEncoder {
    private let clip: String
    private let video: StreamInfo
    private let plan: ExactClipPlan
    private let reencode: ExactClipPlan.Reencode
    private let source: AvcConfiguration
    /// The SPS and PPS id x264 uses.
    let parameterSetID: Int
    /// The output track's configuration: the source's parameter sets, then x264's. Set by `run()`.
    private(set) var configuration: AvcConfiguration

    private var encoder: Encoder?
    /// Whether frames are sent numbered 0, 1, 2, … in a time base of one frame.
    private var countsFrames = false
    private var encoded: [Packet] = []
    /// The source pts and duration of each frame sent, by the pts it was sent with: x264's
    /// packets get the source's timestamps back, and the durations x264 does not pass on.
    private var sent: [Int64: (pts: Int64, duration: Int64)] = [:]

    /// Reads the source configuration and picks x264's parameter set id.
    ///
    /// - Throws: `CuepointError` when the clip's `avcC` is missing or unreadable, uses NAL
    ///   lengths other than 4 bytes, or already uses every SPS id.
    init(clip: String, video: StreamInfo, plan: ExactClipPlan, reencode: ExactClipPlan.Reencode) throws {
        self.clip = clip
        self.video = video
        self.plan = plan
        self.reencode = reencode
        do {
            source = try AvcConfiguration(bytes: video.extradata)
        } catch {
            throw CuepointError(
                subject: clip, message: "its H.264 configuration cannot be read: \(error)",
                fix: "exact clips need an MP4 clip with an avcC box, as the keyframe clips are")
        }
        guard source.nalLengthSize == 4 else {
            throw CuepointError(
                subject: clip,
                message: "its H.264 samples use \(source.nalLengthSize)-byte NAL lengths; exact clips need 4-byte ones")
        }
        var used = Set(source.sequenceParameterSets.compactMap(AvcNalUnits.sequenceParameterSetID(of:)))
        guard used.count == source.sequenceParameterSets.count else {
            throw CuepointError(subject: clip, message: "an SPS in its H.264 configuration cannot be read")
        }
        for unit in source.pictureParameterSets {
            guard let ids = AvcNalUnits.pictureParameterSetIDs(of: unit) else {
                throw CuepointError(subject: clip, message: "a PPS in its H.264 configuration cannot be read")
            }
            used.insert(ids.picture)
        }
        // x264's PPS takes its SPS's id, so the id must be free among both.
        guard let free = (0..<32).first(where: { !used.contains($0) }) else {
            throw CuepointError(subject: clip, message: "its H.264 configuration uses every parameter set id")
        }
        parameterSetID = free
        configuration = source
    }

    /// Decodes and re-encodes the plan's frames.
    ///
    /// - Returns: the packets in decode order, with pts, dts and duration in the video
    ///   stream's time base (not yet moved to 0), the first an IDR picture.
    /// - Throws: `CuepointError` when decoding does not yield the planned frames or x264's
    ///   output is not what the splice needs; `FFmpegError` from the codecs.
    func run() throws -> [Packet] {
        let input = try ExactClip.open(clip)
        let decoder = try Decoder(stream: video)
        let packet = Packet()
        let frame = Frame()
        var videoIndex = 0
        while try input.read(into: packet) {
            guard packet.streamIndex == video.index else { continue }
            defer { videoIndex += 1 }
            if videoIndex < reencode.decodeFromIndex { continue }
            if let copyFrom = plan.copyFromIndex, videoIndex >= copyFrom { break }
            try decoder.send(packet)
            try receiveFrames(from: decoder, into: frame)
        }
        try decoder.send(nil)
        try receiveFrames(from: decoder, into: frame)
        guard let encoder else {
            throw CuepointError(
                subject: clip, message: "decoding yielded none of the \(reencode.frameCount) frames to re-encode")
        }
        try encoder.send(nil)
        try receivePackets(from: encoder)
        try check()
        return encoded
    }

    private func receiveFrames(from decoder: Decoder, into frame: Frame) throws {
        while try decoder.receive(into: frame) == .frame {
            guard let pts = frame.pts ?? frame.bestEffortTimestamp, pts >= plan.startPts,
                reencode.endPts.map({ pts < $0 }) ?? true
            else { continue }
            let encoder = try self.encoder ?? open(for: frame)
            let sentPts = countsFrames ? Int64(sent.count) : pts
            sent[sentPts] = (pts, frame.duration)
            frame.pts = sentPts
            frame.pictureType = .none
            try encoder.send(frame)
            try receivePackets(from: encoder)
        }
    }

    private func receivePackets(from encoder: Encoder) throws {
        var packet = Packet()
        while try encoder.receive(into: packet) == .packet {
            if let sentPts = packet.pts, let source = sent[sentPts] {
                packet.pts = source.pts
                packet.dts = source.pts - reencode.decodeDelay
                packet.duration = source.duration
            } else {
                packet.pts = nil  // refused by `check()`
            }
            encoded.append(packet)
            packet = Packet()
        }
    }

    /// Opens x264 for frames like `frame` and adds its parameter sets to `configuration`.
    private func open(for frame: Frame) throws -> Encoder {
        var options = [
            "preset": "veryfast", "crf": "18",
            "x264-params": "sps-id=\(parameterSetID):annexb=0:bframes=0:scenecut=0:keyint=infinite",
        ]
        if let profile = video.profile.flatMap(ExactClipEncoder.x264Profile(for:)) { options["profile"] = profile }
        // x264 writes its time base into the SPS (VUI timing: num_units_in_tick, time_scale),
        // so with a known frame rate it gets one frame per tick, as the source's encoder had,
        // and the frames are numbered; otherwise it gets the stream's time base and pts.
        let frameDuration = video.frameRate.map { Rational($0.denominator, $0.numerator) }
        countsFrames = frameDuration != nil
        let settings = VideoEncoderSettings(
            codecName: "libx264", width: frame.width, height: frame.height, pixelFormat: frame.pixelFormat,
            timeBase: frameDuration ?? video.timeBase, frameRate: video.frameRate, globalHeader: true, options: options)
        let encoder: Encoder
        do {
            encoder = try Encoder(video: settings)
        } catch {
            throw CuepointError(
                subject: clip,
                message:
                    "libx264 cannot re-encode its \(frame.width)x\(frame.height) \(frame.pixelFormat) video: \(error)",
                fix: "exact clips need an FFmpeg with libx264; use `clips: keyframe` otherwise")
        }
        guard let units = AvcNalUnits.split(lengthPrefixed: encoder.extradata, lengthSize: 4) else {
            throw CuepointError(
                subject: clip, message: "libx264's parameter sets are not length-prefixed as asked (annexb=0)")
        }
        let sps = units.filter { AvcNalUnits.type(of: $0) == AvcNalUnits.sequenceParameterSetType }
        let pps = units.filter { AvcNalUnits.type(of: $0) == AvcNalUnits.pictureParameterSetType }
        guard sps.count == 1, pps.count == 1, AvcNalUnits.sequenceParameterSetID(of: sps[0]) == parameterSetID,
            AvcNalUnits.pictureParameterSetIDs(of: pps[0]).map({ $0 == (parameterSetID, parameterSetID) }) == true
        else {
            throw CuepointError(
                subject: clip, message: "libx264 did not write one SPS and one PPS with id \(parameterSetID) as asked")
        }
        configuration = source.merging(sequenceParameterSets: sps, pictureParameterSets: pps)
        self.encoder = encoder
        return encoder
    }

    /// The splice needs exactly the planned frames, an IDR picture first, in presentation order.
    private func check() throws {
        guard encoded.count == reencode.frameCount else {
            throw CuepointError(
                subject: clip,
                message: "re-encoding gave \(encoded.count) frames where \(reencode.frameCount) were planned")
        }
        guard encoded.first?.isKeyframe == true else {
            throw CuepointError(subject: clip, message: "libx264 did not start the re-encoded frames with a keyframe")
        }
        let times = encoded.map { $0.pts ?? .min }
        guard times.first == plan.startPts, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw CuepointError(subject: clip, message: "libx264 returned the re-encoded frames out of order")
        }
    }

    /// x264's `profile` option for FFmpeg's H.264 profile number, so the re-encoded frames
    /// use no tool the source's profile lacks; nil for profiles x264 has no name for.
    static func x264Profile(for profile: Int) -> String? {
        // The low byte is profile_idc; higher bits are FFmpeg's constrained/intra flags.
        switch profile & 0xFF {
        case 66: "baseline"
        case 77: "main"
        case 100: "high"
        case 110: "high10"
        case 122: "high422"
        case 244: "high444"
        default: nil
        }
    }
}
