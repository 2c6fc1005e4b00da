import CuepointTestSupport
import Cuepoint
import CuepointFFmpeg
import CuepointRTMP
import Foundation
import NIOConcurrencyHelpers
import Testing

/// Helpers of the tests of Cuepoint's own RTMP server with real publishers: the `ffmpeg`
/// program and GStreamer's `rtmp2sink` (two independent RTMP client implementations), and a
/// router that demuxes every accepted session with libavformat's FLV demuxer, as a pipeline does.
enum RTMPPublishers {
    static var gstLaunch: String? { ExternalProgram.which("gst-launch-1.0") }

    /// Whether GStreamer has `rtmp2sink` (gstreamer1.0-plugins-bad) and `qtdemux`.
    static let hasRTMP2Sink: Bool = {
        guard let inspect = ExternalProgram.which("gst-inspect-1.0") else { return false }
        let sink = try? ExternalProgram.run(inspect, ["--exists", "rtmp2sink"])
        let demux = try? ExternalProgram.run(inspect, ["--exists", "qtdemux"])
        return sink?.status == 0 && demux?.status == 0
    }()

    static var canPublish: Bool { LiveIngest.ffmpeg != nil && FFprobe.isInstalled }

    /// `ffmpeg -re -i INPUT -c copy -f flv URL`.
    static func ffmpeg(_ input: String, to url: String, folder: URL, label: String) throws -> LiveIngest.Job {
        try LiveIngest.Job(
            executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
            arguments: ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-i", input, "-c", "copy", "-f", "flv", url],
            folder: folder, label: label)
    }

    /// `ffmpeg -i URL -f null -`: a client that plays instead of publishing.
    static func ffmpegPlayer(_ url: String, folder: URL, label: String) throws -> LiveIngest.Job {
        try LiveIngest.Job(
            executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
            arguments: ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", url, "-t", "1", "-f", "null", "-"],
            folder: folder, label: label)
    }

    /// GStreamer publishing an MP4 (H.264 + AAC) in real time: `qtdemux ! h264parse/aacparse !
    /// flvmux streamable=true ! rtmp2sink`.
    static func gstreamer(_ input: String, to url: String, chunkSize: Int? = nil, folder: URL, label: String) throws
        -> LiveIngest.Job
    {
        var sink = ["rtmp2sink", "location=\(url)"]
        if let chunkSize { sink.append("chunk-size=\(chunkSize)") }
        return try LiveIngest.Job(
            executable: URL(fileURLWithPath: gstLaunch!), arguments: ["-q"] + flvPipeline(input) + sink, folder: folder,
            label: label)
    }

    /// What `gstreamer(_:to:)` sends, written to a file by the same muxer: the reference for
    /// what the server must deliver. GStreamer's timeline is its own (each stream starts near
    /// 0, the AAC priming packet clamped to 0, the first B-frames' decoding times clamped to 0,
    /// the last audio packet left out), so the source file cannot be the reference.
    static func gstreamerReference(_ input: String, folder: URL) throws -> String {
        let path = folder.appendingPathComponent("gstreamer-reference-\(URL(fileURLWithPath: input).lastPathComponent).flv").path
        let made = try ExternalProgram.run(gstLaunch!, ["-q"] + flvPipeline(input) + ["filesink", "location=\(path)"])
        guard made.status == 0 else { throw ProbeError.failed(command: "gst-launch-1.0 (reference)", status: made.status, stderr: made.stderrText) }
        return path
    }

    private static func flvPipeline(_ input: String) -> [String] {
        ["filesrc", "location=\(input)", "!", "qtdemux", "name=d",
         "d.video_0", "!", "queue", "!", "h264parse", "!", "mux.",
         "d.audio_0", "!", "queue", "!", "aacparse", "!", "mux.",
         "flvmux", "name=mux", "streamable=true", "!"]
    }

    /// A short H.264/AAC MP4 unlike the sample (320×240, 25 fps, 44.1 kHz mono) made with the
    /// `ffmpeg` program, so a session's streams tell which publisher it came from.
    static func makeTestClip(in folder: URL, seconds: Int = 6) throws -> String {
        let path = folder.appendingPathComponent("clip-320x240.mp4").path
        let made = try ExternalProgram.run(
            LiveIngest.ffmpeg!,
            [
                "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-ac", "1", path,
            ])
        guard made.status == 0 else { throw ProbeError.failed(command: "ffmpeg (test clip)", status: made.status, stderr: made.stderrText) }
        return path
    }
}

/// What libavformat's FLV demuxer read from one session.
struct DemuxedSession: Sendable {
    struct Stream: Sendable, Equatable {
        var type: String
        var codec: String
        var width: Int
        var height: Int
        var sampleRate: Int
    }

    struct Timing: Sendable, Equatable {
        /// Milliseconds (the FLV time base).
        var dts: Int64
        var pts: Int64
        var isKeyframe: Bool
    }

    var key: String
    /// The publisher's chunk size at the end (publishers may change it after `publish`).
    var chunkSize = 0
    var streams: [Stream] = []
    /// Per media type ("video", "audio"): the packets in order.
    var packets: [String: [Timing]] = [:]
    var end: PublishEndReason?
    /// Why the demuxer stopped early, if it did.
    var failure: String?

    /// Opens the session's FLV stream with the demuxer and reads it to the end.
    static func read(_ session: PublishSession) -> DemuxedSession {
        var result = DemuxedSession(key: session.key)
        do {
            let demuxer = try Demuxer(source: RTMPSessionSource(session), format: RTMPSessionSource.format, name: session.key)
            result.streams = demuxer.streams.map {
                Stream(type: $0.mediaType.rawValue, codec: $0.codec.name, width: $0.width, height: $0.height, sampleRate: $0.sampleRate)
            }
            let types = Dictionary(uniqueKeysWithValues: demuxer.streams.map { ($0.index, $0.mediaType.rawValue) })
            let packet = Packet()
            while try demuxer.read(into: packet) {
                guard let type = types[packet.streamIndex], let dts = packet.dts else { continue }
                result.packets[type, default: []].append(Timing(dts: dts, pts: packet.pts ?? dts, isKeyframe: packet.isKeyframe))
            }
        } catch {
            result.failure = "\(error)"
        }
        result.end = session.endReason
        result.chunkSize = session.chunkSize
        return result
    }
}

/// Accepts the keys it knows and demuxes each accepted session on a thread of its own.
final class DemuxingRouter: PublishRouter {
    let keys: Set<String>
    private let results = NIOLockedValueBox<[DemuxedSession]>([])
    private let readers = DispatchGroup()

    init(keys: Set<String>) { self.keys = keys }

    func authorize(app: String, key: String, peer: String) async -> PublishDecision {
        keys.contains(key) ? .accept : .refuse(.badName("no show has the stream key \(key)"))
    }

    func publishStarted(_ session: PublishSession) {
        readers.enter()
        Thread { [self] in
            let demuxed = DemuxedSession.read(session)
            results.withLockedValue { $0.append(demuxed) }
            readers.leave()
        }.start()
    }

    /// Waits up to `seconds` for every reader to finish; the sessions read, in order of ending.
    func finished(within seconds: Double) -> [DemuxedSession] {
        _ = readers.wait(timeout: .now() + seconds)
        return results.withLockedValue { $0 }
    }
}

/// The packets of a file as ffprobe reads them, and the comparison with a session's.
struct ReferencePackets {
    var video: [DemuxedSession.Timing]
    var audio: [DemuxedSession.Timing]

    init(of path: String) throws {
        func timings(_ stream: String) throws -> [DemuxedSession.Timing] {
            try FFprobe.packets(of: path, stream: stream).map {
                DemuxedSession.Timing(
                    dts: Int64(((($0.dtsTime ?? $0.ptsTime) ?? 0) * 1000).rounded()),
                    pts: Int64((($0.ptsTime ?? 0) * 1000).rounded()), isKeyframe: $0.isKeyframe)
            }
        }
        video = try timings("v:0")
        audio = try timings("a:0")
    }

    /// `timings` relative to the first packet's DTS: a publisher may shift the whole timeline
    /// (FFmpeg's FLV muxer makes the first DTS non-negative).
    static func relative(_ timings: [DemuxedSession.Timing]) -> [DemuxedSession.Timing] {
        guard let first = timings.first?.dts else { return [] }
        return timings.map { .init(dts: $0.dts - first, pts: $0.pts - first, isKeyframe: $0.isKeyframe) }
    }

    /// Checks that `session` got every packet of the reference, in order, with the same
    /// keyframe flags and timestamps within `toleranceMilliseconds` (FLV keeps milliseconds;
    /// publishers round differently).
    ///
    /// - Parameters:
    ///   - prefix: the session may have ended early: it must hold the first packets of the
    ///     reference, at least one.
    func expectSame(
        as session: DemuxedSession, toleranceMilliseconds: Int64 = 1, prefix: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (type, all) in [("video", video), ("audio", audio)] {
            let reference = ReferencePackets.relative(all)
            let got = ReferencePackets.relative(session.packets[type] ?? [])
            if prefix {
                #expect(got.count > 0 && got.count <= reference.count, "\(session.key) \(type): \(got.count) packets", sourceLocation: sourceLocation)
            } else {
                #expect(got.count == reference.count, "\(session.key) \(type): \(got.count) packets, the source has \(reference.count)", sourceLocation: sourceLocation)
            }
            let mismatches = zip(got, reference).enumerated().filter { _, pair in
                abs(pair.0.dts - pair.1.dts) > toleranceMilliseconds || abs(pair.0.pts - pair.1.pts) > toleranceMilliseconds
                    || pair.0.isKeyframe != pair.1.isKeyframe
            }
            let shown = mismatches.prefix(3).map { "#\($0.offset): got \($0.element.0), source \($0.element.1)" }
            #expect(
                mismatches.isEmpty, "\(session.key) \(type): \(mismatches.count) packets differ: \(shown.joined(separator: "; "))",
                sourceLocation: sourceLocation)
        }
    }
}
