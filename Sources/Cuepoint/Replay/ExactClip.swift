import CuepointFFmpeg
import CuepointTime
import Foundation

/// Turns a keyframe-bounded clip into one that starts on the exact frame (smart rendering):
/// the frames from the product's start to the next keyframe are decoded and re-encoded with
/// libx264, every packet from that keyframe on is copied unchanged.
///
/// It runs after ``ClipCutter`` has written the keyframe clip (which starts with a keyframe
/// at time 0) and reads that file three times: once for the packets' timestamps, from which
/// ``ExactClipPlan`` decides what to re-encode; once to re-encode (``ExactClipEncoder``,
/// only the first GOP or two); once to copy into the output.
///
/// ## Two sets of parameter sets in one track
///
/// The copied packets refer to the source's SPS and PPS, the re-encoded ones to x264's, and
/// an MP4 track has one `avcC`. x264 is opened with `sps-id=N`, N an id neither the
/// source's SPS nor its PPS use (x264 gives its PPS the same id), so the two pairs can live
/// side by side: the output's `avcC` lists the source's SPS and PPS followed by x264's
/// (``AvcConfiguration``), and each slice finds its own through the PPS id in its header.
/// A decoder starts with x264's IDR picture and switches to the source's parameter sets at
/// the copied IDR picture, where H.264 allows a new SPS to become active. x264 writes
/// length-prefixed NAL units (`annexb=0`), as MP4 samples carry them, so its packets are
/// written unchanged too.
///
/// ## Timestamps
///
/// The re-encoded frames have no B-frames (`bframes=0`); their dts is their pts minus
/// ``ExactClipPlan/Reencode/decodeDelay``, so they decode before the copied keyframe, whose
/// dts lies before its pts when the source has B-frames. All timestamps are then moved so
/// the first frame is at 0; audio is copied from its first packet at or after that frame.
enum ExactClip {
    /// Writes `output`, a copy of `keyframeClip` that starts on the first video frame at or
    /// after `startMilliseconds`.
    ///
    /// When that frame is a keyframe the output is a pure copy from it. Re-encoding uses
    /// libx264 at CRF 18, preset `veryfast`, with the source's size, pixel format, time
    /// base and profile; when the clip has no keyframe after that frame, it is re-encoded to
    /// the end.
    ///
    /// - Parameters:
    ///   - keyframeClip: an MP4 clip as ``ClipCutter`` writes it: H.264 video (with an
    ///     `avcC` configuration) starting with a keyframe, and optionally audio.
    ///   - startMilliseconds: where the clip should start, in milliseconds of `keyframeClip`'s
    ///     timeline.
    ///   - output: the MP4 file to write; replaced only when it is complete, so it may be
    ///     `keyframeClip` itself.
    /// - Returns: where the output starts on `keyframeClip`'s timeline: the pts of its first
    ///   frame, at or up to one frame after `startMilliseconds`.
    /// - Throws: `CuepointError` when the video is not H.264, the start lies after the last
    ///   frame, or the clip cannot be read, re-encoded or written.
    @discardableResult
    static func make(from keyframeClip: String, startMilliseconds: Int64, to output: String) throws -> MediaTime {
        let survey = try Survey(path: keyframeClip)
        let video = survey.video
        let start = MediaTime.milliseconds(startMilliseconds).rescaled(to: video.timeBase, rounding: .up).ticks
        let plan: ExactClipPlan
        do {
            plan = try ExactClipPlan.make(packets: survey.packets, start: start)
        } catch {
            throw describe(error, clip: keyframeClip, startMilliseconds: startMilliseconds, timeBase: video.timeBase)
        }
        var configuration: AvcConfiguration? = nil
        var reencoded: [Packet] = []
        if let reencode = plan.reencode {
            let encoder = try ExactClipEncoder(clip: keyframeClip, video: video, plan: plan, reencode: reencode)
            reencoded = try encoder.run()
            configuration = encoder.configuration
        }
        try write(
            output, from: keyframeClip, video: video, audio: survey.audio, plan: plan, configuration: configuration,
            reencoded: reencoded)
        return MediaTime(ticks: plan.startPts, timeBase: video.timeBase)
    }

    /// The streams of a keyframe clip and the timestamps of its video packets.
    private struct Survey {
        var video: StreamInfo
        var audio: StreamInfo?
        var packets: [ExactClipPlan.Packet] = []

        init(path: String) throws {
            let input = try ExactClip.open(path)
            guard let video = input.streams.first(where: { $0.mediaType == .video && !$0.isAttachedPicture }) else {
                throw ExactClip.needsH264(path, found: "it has no video stream")
            }
            guard video.codec == .h264 else {
                throw ExactClip.needsH264(path, found: "its video is \(video.codec.name)")
            }
            self.video = video
            audio = input.streams.first { $0.mediaType == .audio }
            let packet = Packet()
            while try input.read(into: packet) {
                guard packet.streamIndex == video.index else { continue }
                guard let pts = packet.pts, let dts = packet.dts else {
                    throw CuepointError(
                        subject: path, message: "video packet \(packets.count + 1) has no timestamp",
                        fix: "cut the keyframe clip again")
                }
                packets.append(ExactClipPlan.Packet(pts: pts, dts: dts, isKeyframe: packet.isKeyframe))
            }
        }
    }

    /// Copies the clip into `output` behind the re-encoded packets (in the source's time
    /// base, not yet moved to 0).
    private static func write(
        _ output: String, from clip: String, video: StreamInfo, audio: StreamInfo?, plan: ExactClipPlan,
        configuration: AvcConfiguration?, reencoded: [Packet]
    ) throws {
        let input = try open(clip)
        // Written beside `output` and renamed over it when complete, so `output` may be the
        // keyframe clip itself and is never left half written.
        let partial = output + ".partial"
        let muxer: Muxer
        do {
            muxer = try Muxer(formatName: "mp4", path: partial)
        } catch {
            throw CuepointError(subject: output, message: "cannot be created: \(error.message)")
        }
        do {
            let videoOutput = try muxer.addStream(copying: video)
            if let configuration { try muxer.setExtradata(configuration.bytes, stream: videoOutput) }
            let audioOutput = try audio.map { try muxer.addStream(copying: $0) }
            try muxer.writeHeader(options: ["movflags": "+faststart"])
            // A packet the muxer would refuse fails the exact clip (it then stays keyframe-bounded),
            // as the muxer's own error did: a clip with a frame missing is not an exact clip.
            func write(_ packet: Packet, toStream stream: Int) throws {
                if case .droppedTimestamps(let reason) = try muxer.write(packet, toStream: stream) {
                    throw CuepointError(subject: output, message: "a packet cannot be written: \(reason)")
                }
            }

            for packet in reencoded {
                packet.shiftTimestamps(by: -plan.startPts)
                try write(packet, toStream: videoOutput)
            }
            let start = MediaTime(ticks: plan.startPts, timeBase: video.timeBase)
            let packet = Packet()
            var videoIndex = 0
            while try input.read(into: packet) {
                if packet.streamIndex == video.index {
                    defer { videoIndex += 1 }
                    guard let copyFrom = plan.copyFromIndex, videoIndex >= copyFrom else { continue }
                    packet.shiftTimestamps(by: -plan.startPts)
                    try write(packet, toStream: videoOutput)
                } else if let audio, let audioOutput, packet.streamIndex == audio.index, let pts = packet.pts,
                    MediaTime(ticks: pts, timeBase: audio.timeBase) >= start
                {
                    // Rounded to the nearest tick: an audio pts at or after the start stays ≥ 0.
                    packet.shiftTimestamps(by: -start.rescaled(to: audio.timeBase).ticks)
                    try write(packet, toStream: audioOutput)
                }
            }
            try muxer.finish()
            guard rename(partial, output) == 0 else {
                throw CuepointError(
                    subject: output, message: "cannot be replaced: \(String(cString: strerror(errno)))")
            }
        } catch {
            muxer.abandon()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Opens `path` for reading, naming it in the error.
    static func open(_ path: String) throws -> Demuxer {
        do {
            return try Demuxer(url: path)
        } catch {
            throw CuepointError(subject: path, message: "cannot be read: \(error.message)")
        }
    }

    /// The error for a clip whose video is missing or not H.264; `found` says what it has.
    static func needsH264(_ path: String, found: String) -> CuepointError {
        CuepointError(
            subject: path, message: "exact clips need H.264 video, but \(found)",
            fix: "use `clips: keyframe` for this recording")
    }

    private static func describe(
        _ problem: ExactClipPlan.Problem, clip: String, startMilliseconds: Int64, timeBase: Rational
    ) -> CuepointError {
        switch problem {
        case .noVideoFrames:
            return CuepointError(subject: clip, message: "has no video frames to start an exact clip on")
        case .startAfterLastFrame(let lastPts):
            let last = MediaTime(ticks: lastPts, timeBase: timeBase).milliseconds
            return CuepointError(
                subject: clip,
                message: "an exact clip from \(startMilliseconds) ms starts after the last video frame (\(last) ms)",
                fix: "pass a start inside the clip")
        case .noKeyframeBeforeStart:
            return CuepointError(
                subject: clip,
                message: "does not start with a keyframe, so the frame at \(startMilliseconds) ms cannot be decoded",
                fix: "cut the keyframe clip again; it must start on a keyframe")
        }
    }
}
