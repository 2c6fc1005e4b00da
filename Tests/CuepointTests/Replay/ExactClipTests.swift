import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

enum ExactClipTools {
    static let installed = FFprobe.isInstalled && ExternalProgram.which("ffmpeg") != nil
}

/// Exact clips of a keyframe clip cut from SampleMedia/sample.mp4 (640x360, 30 fps, closed
/// 2 s GOPs with B-frames, AAC), judged with ffprobe, ffmpeg and, when installed, GStreamer.
@Suite(.serialized, .enabled(if: ExactClipTools.installed, "needs ffmpeg and ffprobe (apt install ffmpeg)"), .ownThreads)
struct ExactClipTests {
    static let frameDuration = 1.0 / 30

    // MARK: Fixture and probes

    /// A keyframe clip of a sample's first 6 s, cut by stream copy as `ClipCutter` cuts one:
    /// timestamps moved so the first keyframe is at 0, the video packets before the keyframe
    /// at 6 s (180 frames, 0 … 5.967 s, keyframes at 0, 2 and 4 s) and, with `audio`, the
    /// audio packets before 6 s; in a new folder.
    static func keyframeClip(from sample: String = "sample.mp4", audio: Bool = true) throws -> (
        folder: URL, clip: String
    ) {
        let folder = try TemporaryDirectory.make(label: "exact-clip")
        let clip = folder.appendingPathComponent("keyframe.mp4").path
        let input = try Demuxer(url: Repository.sampleMedia(sample).path)
        let muxer = try Muxer(formatName: "mp4", path: clip)
        var outputs: [Int: Int] = [:]
        for stream in input.streams where stream.mediaType == .video || (audio && stream.mediaType == .audio) {
            outputs[stream.index] = try muxer.addStream(copying: stream)
        }
        try muxer.writeHeader(options: ["movflags": "+faststart"])
        let packet = Packet()
        var start: MediaTime?
        var videoEnded = false
        while try input.read(into: packet) {
            guard let output = outputs[packet.streamIndex], let pts = packet.pts else { continue }
            let stream = input.streams[packet.streamIndex]
            let time = MediaTime(ticks: pts, timeBase: stream.timeBase)
            if stream.mediaType == .video {
                if start == nil, packet.isKeyframe { start = time }
                guard let start else { continue }
                videoEnded = videoEnded || (packet.isKeyframe && time - start >= .seconds(6))
                if videoEnded { continue }
            } else {
                guard let start, time >= start, time - start < .seconds(6) else { continue }
            }
            packet.shiftTimestamps(by: -start!.rescaled(to: stream.timeBase).ticks)
            try muxer.write(packet, toStream: output)
        }
        try muxer.finish()
        return (folder, clip)
    }

    @discardableResult
    static func ffmpeg(_ arguments: [String]) throws -> ExternalProgram.Output {
        let output = try ExternalProgram.run(
            ExternalProgram.which("ffmpeg")!, ["-hide_banner", "-nostdin", "-y", "-v", "error"] + arguments)
        guard output.status == 0 else {
            throw ProbeError.failed(
                command: "ffmpeg " + arguments.joined(separator: " "), status: output.status, stderr: output.stderrText)
        }
        return output
    }

    struct DecodedFrame: Equatable {
        var pts: Double
        var isKeyframe: Bool
        var pictureType: String
    }

    /// The video frames ffprobe decodes, in presentation order.
    static func decodedFrames(_ path: String) throws -> [DecodedFrame] {
        let output = try ExternalProgram.run(
            ExternalProgram.which("ffprobe")!,
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time,key_frame,pict_type", "-of",
                "csv=p=0", path,
            ])
        return String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count >= 3, let pts = Double(fields[1]) else { return nil }
            return DecodedFrame(pts: pts, isKeyframe: fields[0] == "1", pictureType: fields[2])
        }
    }

    /// What `ffmpeg -v error` prints while decoding every stream of `path`.
    static func decodingErrors(_ path: String) throws -> String {
        try ffmpeg(["-i", path, "-f", "null", "-"]).stderrText
    }

    /// PSNR (average of Y, U, V, in dB; infinity for identical pictures) of each of the
    /// first `frames` frames of `clip` against the sample's frames from `start` seconds on.
    static func psnr(_ clip: String, againstSampleFrom start: String, frames: Int, folder: URL) throws -> [Double] {
        let stats = folder.appendingPathComponent("psnr.log").path
        try ffmpeg([
            "-i", clip, "-i", Repository.sampleMedia("sample.mp4").path, "-filter_complex",
            "[1:v]trim=start=\(start),setpts=PTS-STARTPTS[b];[0:v][b]psnr=stats_file=\(stats)",
            "-frames:v", String(frames), "-f", "null", "-",
        ])
        let values = try String(contentsOfFile: stats, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("psnr_avg:") }.flatMap { Double($0.dropFirst(9)) }
        }
        // At the clip's end the filter compares its last frame once more with the next sample frame.
        return Array(values.prefix(frames))
    }

    static func milliseconds(_ seconds: [Double]) -> [Int] { seconds.map { Int(($0 * 1000).rounded()) } }

    struct VideoPacket: Equatable {
        var pts: Int64?
        var dts: Int64?
        var isKeyframe: Bool
        var bytes: [UInt8]
    }

    /// The video stream's configuration and packets, read with our demuxer.
    static func video(_ path: String) throws -> (stream: StreamInfo, packets: [VideoPacket]) {
        let input = try Demuxer(url: path)
        let stream = input.streams.first { $0.mediaType == .video }!
        var packets: [VideoPacket] = []
        let packet = Packet()
        while try input.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            packets.append(
                VideoPacket(pts: packet.pts, dts: packet.dts, isKeyframe: packet.isKeyframe, bytes: packet.bytes))
        }
        return (stream, packets)
    }

    // MARK: Re-encoding the first GOP

    @Test func startsOnTheExactFrameAndDecodesCleanlyAcrossTheSplice() throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        let start = try ExactClip.make(from: keyframeClip, startMilliseconds: 700, to: clip)

        #expect(start == .milliseconds(700))
        let source = try Self.decodedFrames(keyframeClip)
        let expected = source.filter { $0.pts >= 0.7 - 1e-6 }.count  // 159: 0.700 … 5.967 s
        let frames = try Self.decodedFrames(clip)
        print("exact clip from 0.7 s: \(frames.count) frames, expected \(expected)")
        #expect(frames.first == DecodedFrame(pts: 0, isKeyframe: true, pictureType: "I"))
        #expect(frames.count == expected)
        // Evenly spaced frames: none lost or repeated at the splice (1.3 s in the clip).
        #expect(zip(frames, frames.dropFirst()).allSatisfy { abs($1.pts - $0.pts - Self.frameDuration) < 0.001 })
        #expect(Self.milliseconds(frames.filter(\.isKeyframe).map(\.pts)) == [0, 1300, 3300])
        #expect(try Self.decodingErrors(clip) == "")

        let duration = try #require(try FFprobe.format(of: clip).durationSeconds)
        print("exact clip from 0.7 s: duration \(duration) s")
        #expect(abs(duration - 5.3) < 0.1)

        // The pictures are the source's from 0.7 s on: re-encoded ones close to it, copied ones identical.
        let psnr = try Self.psnr(clip, againstSampleFrom: "0.7", frames: frames.count, folder: folder)
        let reencoded = psnr.prefix(39), copied = psnr.dropFirst(39)
        print(
            "exact clip from 0.7 s: PSNR first frame \(psnr.first ?? 0) dB, re-encoded min \(reencoded.min() ?? 0) dB")
        #expect(psnr.count == frames.count)
        #expect(try #require(psnr.first) > 35)
        #expect(try #require(reencoded.min()) > 35)
        #expect(copied.allSatisfy { $0 == .infinity })

        // Timestamps: dts strictly increasing, never after pts.
        let packets = try FFprobe.packets(of: clip)
        let dts = packets.compactMap(\.dtsTime)
        #expect(dts.count == packets.count && zip(dts, dts.dropFirst()).allSatisfy { $0 < $1 })
        #expect(packets.allSatisfy { ($0.ptsTime ?? 0) >= ($0.dtsTime ?? 0) })
        let audio = try FFprobe.packets(of: clip, stream: "a:0")
        let firstAudio = try #require(audio.first?.ptsTime)
        #expect(firstAudio >= 0 && firstAudio < 1024.0 / 48_000)

        // One track, both parameter set pairs; from the 2 s keyframe on, the source's packets.
        let (sourceStream, sourcePackets) = try Self.video(keyframeClip)
        let (stream, clipPackets) = try Self.video(clip)
        let configuration = try AvcConfiguration(bytes: stream.extradata)
        #expect(configuration.sequenceParameterSets.compactMap(AvcNalUnits.sequenceParameterSetID(of:)) == [0, 1])
        #expect(
            configuration.pictureParameterSets.compactMap { AvcNalUnits.pictureParameterSetIDs(of: $0)?.picture } == [
                0, 1,
            ])
        let sourceConfiguration = try AvcConfiguration(bytes: sourceStream.extradata)
        #expect(configuration.sequenceParameterSets.first == sourceConfiguration.sequenceParameterSets.first)
        let copiedFromSource = sourcePackets.drop { $0.pts != 30_720 }  // the keyframe at 2 s
        let copiedInClip = clipPackets.suffix(copiedFromSource.count)
        #expect(copiedInClip.map(\.bytes) == copiedFromSource.map(\.bytes))
        #expect(copiedInClip.map(\.pts) == copiedFromSource.map { $0.pts.map { $0 - 10_752 } })
        #expect(clipPackets.count - copiedInClip.count == 39)

        do {
            try #require(GStreamer.isInstalled, "GStreamer is missing: scripts/setup.sh --test installs it")
            let played = try GStreamer.play(clip)
            print("exact clip from 0.7 s: GStreamer \(played)")
            #expect(played.ok, "\(played.error)")
            #expect(played.videoFrames == expected)
        }
    }

    @Test func withoutALaterKeyframeReencodesToTheEnd() throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        try ExactClip.make(from: keyframeClip, startMilliseconds: 4500, to: clip)

        let expected = try Self.decodedFrames(keyframeClip).filter { $0.pts >= 4.5 - 1e-6 }.count
        let frames = try Self.decodedFrames(clip)
        print("exact clip from 4.5 s: \(frames.count) frames, expected \(expected)")
        #expect(frames.count == expected)
        #expect(frames.filter(\.isKeyframe).map(\.pts) == [0])
        #expect(try Self.decodingErrors(clip) == "")
        let psnr = try Self.psnr(clip, againstSampleFrom: "4.5", frames: frames.count, folder: folder)
        print("exact clip from 4.5 s: PSNR min \(psnr.min() ?? 0) dB")
        #expect(try #require(psnr.min()) > 35)
    }

    @Test func oneFrameBeforeAKeyframeReencodesThroughTheNextGOP() throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        // Frame 59 (1.967 s) alone before the 2 s keyframe: copying resumes at 4 s instead.
        let start = try ExactClip.make(from: keyframeClip, startMilliseconds: 1966, to: clip)

        #expect(start == MediaTime(ticks: 59 * 512, timeBase: Rational(1, 15_360)))

        let expected = try Self.decodedFrames(keyframeClip).filter { $0.pts >= 59.0 / 30 - 1e-6 }.count
        let frames = try Self.decodedFrames(clip)
        #expect(frames.count == expected)
        #expect(Self.milliseconds(frames.filter(\.isKeyframe).map(\.pts)) == [0, 2033])
        #expect(try Self.decodingErrors(clip) == "")
    }

    @Test func parameterSetsRepeatedInTheStreamKeepTheirIDs() throws {
        // From MPEG-TS the keyframes carry the SPS and PPS (id 0) in-band, and they stay in
        // the copied packets: x264's id 1 must not be overwritten by them, nor they by it.
        let (folder, keyframeClip) = try Self.keyframeClip(from: "sample.ts", audio: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        try ExactClip.make(from: keyframeClip, startMilliseconds: 700, to: clip)

        let (stream, packets) = try Self.video(clip)
        let keyframes = packets.filter(\.isKeyframe)
        let copiedKeyframe = try #require(keyframes.dropFirst().first)
        let units = try #require(AvcNalUnits.split(lengthPrefixed: copiedKeyframe.bytes, lengthSize: 4))
        #expect(units.compactMap(AvcNalUnits.sequenceParameterSetID(of:)) == [0])
        let configuration = try AvcConfiguration(bytes: stream.extradata)
        #expect(configuration.sequenceParameterSets.compactMap(AvcNalUnits.sequenceParameterSetID(of:)) == [0, 1])
        let frames = try Self.decodedFrames(clip)
        #expect(frames.count == 159)
        #expect(try Self.decodingErrors(clip) == "")
        let psnr = try Self.psnr(clip, againstSampleFrom: "0.7", frames: frames.count, folder: folder)
        print("exact clip of the MPEG-TS sample from 0.7 s: \(frames.count) frames, PSNR min \(psnr.min() ?? 0) dB")
        #expect(try #require(psnr.min()) > 35)
    }

    @Test func replacesTheKeyframeClipInPlace() throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }

        try ExactClip.make(from: keyframeClip, startMilliseconds: 700, to: keyframeClip)

        #expect(try Self.decodedFrames(keyframeClip).count == 159)
        #expect(try Self.decodingErrors(keyframeClip) == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["keyframe.mp4"])
    }

    // MARK: Pure copy

    @Test(arguments: [(0, 0), (2000, 30_720)] as [(Int64, Int64)])
    func startOnAKeyframeIsAPureCopy(startMilliseconds: Int64, keyframePts: Int64) throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        try ExactClip.make(from: keyframeClip, startMilliseconds: startMilliseconds, to: clip)

        let (sourceStream, sourcePackets) = try Self.video(keyframeClip)
        let (stream, clipPackets) = try Self.video(clip)
        let copied = Array(sourcePackets.drop { $0.pts != keyframePts })
        #expect(clipPackets.map(\.bytes) == copied.map(\.bytes))
        #expect(clipPackets.map(\.isKeyframe) == copied.map(\.isKeyframe))
        #expect(clipPackets.map(\.pts) == copied.map { $0.pts.map { $0 - keyframePts } })
        #expect(clipPackets.map(\.dts) == copied.map { $0.dts.map { $0 - keyframePts } })
        #expect(stream.extradata == sourceStream.extradata)
        #expect(try Self.decodingErrors(clip) == "")
    }

    // MARK: Errors

    @Test func videoThatIsNotH264IsRejected() throws {
        let folder = try TemporaryDirectory.make(label: "exact-clip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let mpeg4 = folder.appendingPathComponent("mpeg4.mp4").path
        try Self.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:duration=1", "-c:v", "mpeg4", mpeg4])
        let clip = folder.appendingPathComponent("exact.mp4").path

        #expect {
            try ExactClip.make(from: mpeg4, startMilliseconds: 500, to: clip)
        } throws: { error in
            "\(error)"
                == "\(mpeg4): exact clips need H.264 video, but its video is mpeg4; use `clips: keyframe` for this recording"
        }
        let audioOnly = Repository.sampleMedia("audio-only.m4a").path
        #expect {
            try ExactClip.make(from: audioOnly, startMilliseconds: 500, to: clip)
        } throws: { error in
            "\(error)"
                == "\(audioOnly): exact clips need H.264 video, but it has no video stream; use `clips: keyframe` for this recording"
        }
        #expect(!FileManager.default.fileExists(atPath: clip))
    }

    @Test func startAfterTheLastFrameIsRejected() throws {
        let (folder, keyframeClip) = try Self.keyframeClip()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("exact.mp4").path

        #expect {
            try ExactClip.make(from: keyframeClip, startMilliseconds: 60_000, to: clip)
        } throws: { error in
            "\(error)"
                == "\(keyframeClip): an exact clip from 60000 ms starts after the last video frame (5967 ms); pass a start inside the clip"
        }
        #expect {
            try ExactClip.make(from: folder.appendingPathComponent("missing.mp4").path, startMilliseconds: 0, to: clip)
        } throws: { error in
            "\(error)".hasSuffix("missing.mp4: cannot be read: No such file or directory")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["keyframe.mp4"])
    }
}
