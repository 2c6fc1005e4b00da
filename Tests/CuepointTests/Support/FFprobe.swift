import CuepointTestSupport
import Foundation

// Test support: judge Cuepoint's output with programs we did not write.
//   FFprobe    — runs `ffprobe … -of json` and decodes packets, streams and format.
//   GStreamer  — plays an HLS playlist to the end via Tests/Support/gst_play.py.
// Guard tests with `.enabled(if: FFprobe.isInstalled)` / `.enabled(if: GStreamer.isInstalled)`.

// MARK: - Results

struct ProbePacket: Equatable, Sendable {
    var ptsTime: Double?
    var dtsTime: Double?
    var durationTime: Double?
    var isKeyframe: Bool
    var size: Int
}

struct ProbeStream: Equatable, Sendable {
    var codecType: String        // "video", "audio", "data", …
    var codecName: String?       // "h264", "aac", …
    var profile: String?         // "High", "LC", …
    var width: Int?
    var height: Int?
    var sampleRate: Int?
    var channels: Int?
    var avgFrameRate: Double?    // nil for "0/0"
}

struct ProbeFormat: Equatable, Sendable {
    var durationSeconds: Double?
    var formatName: String       // "mpegts", "mov,mp4,m4a,3gp,3g2,mj2", "hls", …
    var nbStreams: Int
}

enum ProbeError: Error, CustomStringConvertible {
    case notInstalled(String)
    case failed(command: String, status: Int32, stderr: String)
    case undecodable(command: String, underlying: any Error)

    var description: String {
        switch self {
        case .notInstalled(let tool): "\(tool) is not installed"
        case .failed(let command, let status, let stderr): "\(command) exited \(status): \(stderr)"
        case .undecodable(let command, let underlying): "\(command): cannot decode output: \(underlying)"
        }
    }
}

// MARK: - ffprobe

struct FFprobe {
    static var isInstalled: Bool { ExternalProgram.which("ffprobe") != nil }

    /// Packets of one stream (`v:0`, `a:0`, …) in file order.
    static func packets(of path: String, stream: String = "v:0") throws -> [ProbePacket] {
        let json: PacketsJSON = try run([
            "-select_streams", stream, "-show_packets",
            "-show_entries", "packet=pts_time,dts_time,duration_time,flags,size", path,
        ])
        return (json.packets ?? []).map {
            ProbePacket(
                ptsTime: $0.pts_time.flatMap(Double.init),
                dtsTime: $0.dts_time.flatMap(Double.init),
                durationTime: $0.duration_time.flatMap(Double.init),
                isKeyframe: $0.flags?.contains("K") ?? false,
                size: $0.size.flatMap { Int($0) } ?? 0
            )
        }
    }

    /// Packets of an fMP4 media segment: ffprobe needs the init section in front of it,
    /// so the two are concatenated into a temporary file first.
    static func packets(ofFragment segment: String, initSection: String, stream: String = "v:0") throws -> [ProbePacket] {
        let joined = try TemporaryDirectory.make(label: "fragment").appendingPathComponent("joined.mp4")
        defer { try? FileManager.default.removeItem(at: joined.deletingLastPathComponent()) }
        var data = try Data(contentsOf: URL(fileURLWithPath: initSection))
        data.append(try Data(contentsOf: URL(fileURLWithPath: segment)))
        try data.write(to: joined)
        return try packets(of: joined.path, stream: stream)
    }

    static func streams(of path: String) throws -> [ProbeStream] {
        let json: StreamsJSON = try run([
            "-show_entries",
            "stream=codec_type,codec_name,profile,width,height,sample_rate,channels,avg_frame_rate", path,
        ])
        return (json.streams ?? []).map {
            ProbeStream(
                codecType: $0.codec_type ?? "unknown",
                codecName: $0.codec_name,
                profile: $0.profile,
                width: $0.width,
                height: $0.height,
                sampleRate: $0.sample_rate.flatMap { Int($0) },
                channels: $0.channels,
                avgFrameRate: $0.avg_frame_rate.flatMap(rational)
            )
        }
    }

    static func format(of path: String) throws -> ProbeFormat {
        let json: FormatJSON = try run(["-show_entries", "format=duration,format_name,nb_streams", path])
        guard let format = json.format else {
            throw ProbeError.failed(command: "ffprobe \(path)", status: 0, stderr: "no format section")
        }
        return ProbeFormat(
            durationSeconds: format.duration.flatMap(Double.init),
            formatName: format.format_name ?? "",
            nbStreams: format.nb_streams ?? 0
        )
    }

    // "30/1" → 30, "30000/1001" → 29.97, "0/0" → nil
    private static func rational(_ text: String) -> Double? {
        let parts = text.split(separator: "/").compactMap { Double($0) }
        guard parts.count == 2, parts[1] != 0 else { return parts.count == 1 ? parts[0] : nil }
        return parts[0] / parts[1]
    }

    private static func run<T: Decodable>(_ arguments: [String]) throws -> T {
        guard let ffprobe = ExternalProgram.which("ffprobe") else { throw ProbeError.notInstalled("ffprobe") }
        let args = ["-v", "error", "-of", "json"] + arguments
        let output = try ExternalProgram.run(ffprobe, args)
        let command = "ffprobe " + args.joined(separator: " ")
        guard output.status == 0 else {
            throw ProbeError.failed(command: command, status: output.status, stderr: output.stderrText)
        }
        do {
            return try JSONDecoder().decode(T.self, from: output.stdout)
        } catch {
            throw ProbeError.undecodable(command: command, underlying: error)
        }
    }

    // ffprobe's JSON spelling; numbers printed as strings stay strings here.
    private struct PacketsJSON: Decodable {
        struct Packet: Decodable {
            var pts_time: String?, dts_time: String?, duration_time: String?, flags: String?, size: String?
        }
        var packets: [Packet]?
    }

    private struct StreamsJSON: Decodable {
        struct Stream: Decodable {
            var codec_type: String?, codec_name: String?, profile: String?
            var width: Int?, height: Int?, sample_rate: String?, channels: Int?, avg_frame_rate: String?
        }
        var streams: [Stream]?
    }

    private struct FormatJSON: Decodable {
        struct Format: Decodable {
            var duration: String?, format_name: String?, nb_streams: Int?
        }
        var format: Format?
    }
}

// MARK: - GStreamer

struct GStreamer {
    /// What Tests/Support/gst_play.py printed.
    struct PlayResult: Decodable, Equatable, Sendable {
        var ok: Bool
        var videoFrames: Int
        var audioBuffers: Int
        var durationSeconds: Double
        var error: String

        enum CodingKeys: String, CodingKey {
            case ok, error
            case videoFrames = "video_frames"
            case audioBuffers = "audio_buffers"
            case durationSeconds = "duration_s"
        }
    }

    static let python = "/usr/bin/python3"
    static var script: URL { Repository.root.appendingPathComponent("Tests/Support/gst_play.py") }

    /// gst-launch-1.0 on PATH and the Python bindings importable by Debian's python3.
    static let isInstalled: Bool = {
        guard ExternalProgram.which("gst-launch-1.0") != nil, FileManager.default.isExecutableFile(atPath: python) else {
            return false
        }
        let check = "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst; Gst.init(None)"
        return (try? ExternalProgram.run(python, ["-c", check]).status) == 0
    }()

    /// Plays `playlist` (path or http URL) to the end. A playback failure is a result with
    /// `ok == false`, not a thrown error; throws only when the script could not report.
    static func play(_ playlist: String, timeout: TimeInterval = 60) throws -> PlayResult {
        guard isInstalled else { throw ProbeError.notInstalled("GStreamer (gst-launch-1.0, python3-gi)") }
        let args = [script.path, playlist, "--timeout", String(timeout)]
        let output = try ExternalProgram.run(python, args)
        let command = "python3 " + args.joined(separator: " ")
        // The result is the last line of stdout, whatever the exit status.
        let lastLine = output.stdout.split(separator: UInt8(ascii: "\n")).last.map { Data($0) } ?? Data()
        do {
            return try JSONDecoder().decode(PlayResult.self, from: lastLine)
        } catch {
            throw ProbeError.failed(command: command, status: output.status, stderr: output.stderrText)
        }
    }
}


// MARK: - Running programs

/// The programs the checks run, through the shared ``Program`` runner (swift-subprocess).
enum ExternalProgram {
    typealias Output = Program.Output

    static func which(_ name: String) -> String? { Program.which(name) }

    /// Runs a program to completion, waiting here (see ``Program/runBlocking``).
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        try Program.runBlocking(executable, arguments)
    }
}

/// The VUI timing of the first H.264 SPS of a file, as FFmpeg's `trace_headers` bitstream filter
/// prints it (the `ffmpeg` program reads the SPS; no decoder of ours is involved).
struct H264Timing: Equatable {
    var present: Bool
    var unitsInTick: Int?
    var timeScale: Int?
    var fixedFrameRate: Bool?

    /// Frames per second the timing describes (`time_scale / (2 × num_units_in_tick)`), nil without it.
    var framesPerSecond: Double? {
        guard present, let unitsInTick, let timeScale, unitsInTick > 0 else { return nil }
        return Double(timeScale) / Double(2 * unitsInTick)
    }

    static func read(_ path: String) throws -> H264Timing {
        guard let ffmpeg = ExternalProgram.which("ffmpeg") else { throw ProbeError.notInstalled("ffmpeg") }
        let output = try ExternalProgram.run(
            ffmpeg, ["-hide_banner", "-i", path, "-map", "0:v:0", "-frames:v", "1", "-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"])
        func value(_ field: String) -> Int? {
            output.stderrText.split(separator: "\n").first { $0.contains(" \(field) ") }
                .flatMap { $0.split(separator: "=").last }.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        return H264Timing(
            present: value("timing_info_present_flag") == 1, unitsInTick: value("num_units_in_tick"),
            timeScale: value("time_scale"), fixedFrameRate: value("fixed_frame_rate_flag").map { $0 == 1 })
    }
}
