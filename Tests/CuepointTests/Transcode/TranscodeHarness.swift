import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Runs a ladder the way the pipeline will: one demuxer, one `SourceDecoder`, every
/// rendition encoding concurrently, each rendition's packets muxed into an MP4 of its own.
enum TranscodeHarness {
    struct Rung {
        var name: String
        var video: VideoSettings?
        var audio: AudioSettings?
    }

    struct Output {
        var name: String
        var path: String
        var report: RenditionReport
    }

    /// Writes the packets of one rendition; touched only by that rendition's thread until
    /// `RenditionEncoder.finish()` returned.
    final class RenditionFile {
        let muxer: Muxer
        var videoStream: Int?
        var audioStream: Int?

        init(path: String) throws { muxer = try Muxer(formatName: "mp4", path: path) }

        func write(_ encoded: RenditionEncoder.EncodedPacket) throws {
            guard let stream = encoded.mediaType == .video ? videoStream : audioStream else { return }
            try muxer.write(encoded.packet, toStream: stream)
        }
    }

    /// Transcodes `input` into `directory/<rung>.mp4` for every rung.
    static func run(
        input: String, rungs: [Rung], segment: MediaTime, deterministic: Bool, directory: URL
    ) throws -> [Output] {
        let demuxer = try Demuxer(url: input)
        let decoder = try SourceDecoder(streams: demuxer.streams)
        let plan = KeyframePlan(segmentDuration: segment, frameRate: decoder.source.video?.frameRate)
        var files: [RenditionFile] = []
        var renditions: [RenditionEncoder] = []
        for rung in rungs {
            let file = try RenditionFile(path: directory.appendingPathComponent("\(rung.name).mp4").path)
            let rendition = try RenditionEncoder(
                name: rung.name, video: rung.video, audio: rung.audio, source: decoder.source, keyframes: plan,
                options: .init(deterministic: deterministic, globalHeader: file.muxer.requiresGlobalHeader),
                onPacket: { try file.write($0) })
            if let encoder = rendition.videoEncoder { file.videoStream = try file.muxer.addStream(encoder: encoder) }
            if let encoder = rendition.audioEncoder { file.audioStream = try file.muxer.addStream(encoder: encoder) }
            try file.muxer.writeHeader(options: deterministic ? ["fflags": "+bitexact"] : [:])
            files.append(file)
            renditions.append(rendition)
        }
        let packet = Packet()
        while try demuxer.read(into: packet) { try decoder.decode(packet, into: renditions) }
        try decoder.finish(into: renditions)
        var outputs: [Output] = []
        for (index, rendition) in renditions.enumerated() {
            let report = try rendition.finish()
            try files[index].muxer.finish()
            outputs.append(
                Output(
                    name: rendition.name, path: directory.appendingPathComponent("\(rendition.name).mp4").path,
                    report: report))
        }
        return outputs
    }

    /// Runs `/usr/bin/ffmpeg -v error -y` with `arguments` in `directory`.
    static func ffmpeg(_ arguments: [String], in directory: URL) throws {
        let output = try ExternalProgram.run("/usr/bin/ffmpeg", ["-v", "error", "-nostdin", "-y"] + arguments)
        guard output.status == 0 else {
            throw ProbeError.failed(
                command: "ffmpeg " + arguments.joined(separator: " "), status: output.status, stderr: output.stderrText)
        }
    }

    /// Two MPEG-TS parts, 640x360 then 320x240 (4 s each, 30 fps, with audio), joined by the
    /// concat demuxer without re-encoding: an input whose picture size changes mid-stream.
    ///
    /// - Returns: the path of the joined file in `directory`.
    static func resolutionChangeInput(in directory: URL) throws -> String {
        for (name, size) in [("wide", "640x360"), ("narrow", "320x240")] {
            try ffmpeg(
                [
                    "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=30:duration=4",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac",
                    directory.appendingPathComponent("\(name).ts").path,
                ], in: directory)
        }
        let list = directory.appendingPathComponent("list.txt")
        try "file '\(directory.path)/wide.ts'\nfile '\(directory.path)/narrow.ts'\n".write(
            to: list, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("joined.ts").path
        try ffmpeg(["-f", "concat", "-safe", "0", "-i", list.path, "-c", "copy", input], in: directory)
        return input
    }

    static var ffmpegInstalled: Bool { ExternalProgram.which("ffmpeg") != nil && FFprobe.isInstalled }

    /// The presentation times of the keyframes of `path`'s video, in milliseconds, and its packet count.
    static func keyframes(of path: String) throws -> (times: [Int], packets: Int) {
        let packets = try FFprobe.packets(of: path, stream: "v:0")
        let times = packets.filter(\.isKeyframe).compactMap(\.ptsTime).map { Int(($0 * 1000).rounded()) }.sorted()
        return (times, packets.count)
    }

    /// The SHA-256 of a file, as `sha256sum` prints it.
    static func sha256(_ path: String) throws -> String {
        let output = try ExternalProgram.run("/usr/bin/sha256sum", [path])
        return String(String(decoding: output.stdout, as: UTF8.self).prefix(64))
    }
}
