import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Shoppable replays: recordings of SampleMedia with SampleMedia/products.jsonl turned into
    /// packages, every file judged by our parsers, ffprobe, GStreamer (and Chromium for the page).
    @Suite("Replay", .ownThreads) enum Replay {}
}

/// One chapter of an MP4 file as ffprobe reads it.
struct ProbeChapter: Equatable {
    var startMilliseconds: Int64
    var endMilliseconds: Int64
    var title: String
}

enum ReplayProbe {
    static func chapters(of path: String) throws -> [ProbeChapter] {
        let output = try ExternalProgram.run(
            "/usr/bin/ffprobe", ["-v", "error", "-show_chapters", "-of", "json", path])
        guard output.status == 0 else { throw RecordingProblem(description: "ffprobe \(path): \(output.stderrText)") }
        let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
        let chapters = object?["chapters"] as? [[String: Any]] ?? []
        return chapters.map { chapter in
            let base = (chapter["time_base"] as? String ?? "1/1000").split(separator: "/").compactMap { Int64($0) }
            func ms(_ key: String) -> Int64 {
                let ticks = (chapter[key] as? NSNumber)?.int64Value ?? 0
                return base.count == 2 ? ticks * 1000 * base[0] / base[1] : ticks
            }
            let tags = chapter["tags"] as? [String: String] ?? [:]
            return ProbeChapter(startMilliseconds: ms("start"), endMilliseconds: ms("end"), title: tags["title"] ?? "")
        }
    }

    /// Whether `moov` comes before `mdat` at the top level of an MP4 file (faststart).
    static func moovFirst(_ path: String) throws -> Bool {
        let boxes = try topLevelBoxes(Array(Data(contentsOf: URL(fileURLWithPath: path))))
        let types = boxes.map(\.type)
        guard let moov = types.firstIndex(of: "moov"), let mdat = types.firstIndex(of: "mdat") else { return false }
        return moov < mdat
    }

    /// The video frames of the bytes an I-frame playlist entry points at (with its MAP bytes in front).
    static func iFrameEntryFrames(_ segment: MediaSegment, in folder: URL) throws -> [ProbePacket] {
        func bytes(_ uri: String, _ range: ByteRange?) throws -> Data {
            let data = try Data(contentsOf: folder.appendingPathComponent(uri))
            guard let range else { return data }
            let start = Int(range.offset ?? 0)
            return data.subdata(in: start..<min(data.count, start + Int(range.length)))
        }
        var joined = Data()
        if let map = segment.map { joined.append(try bytes(map.uri, map.byteRange)) }
        joined.append(try bytes(segment.uri, segment.byteRange))
        let scratch = try TemporaryDirectory.make(label: "iframe")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent(segment.uri.hasSuffix(".ts") ? "entry.ts" : "entry.mp4")
        try joined.write(to: file)
        return try FFprobe.packets(of: file.path, stream: "v:0")
    }
}

/// Reads a JSON file as a dictionary.
func readJSONObject(_ url: URL) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    return try #require(object as? [String: Any], "\(url.path) is not a JSON object")
}

/// The inode of a file (to check that a segment was linked, not copied).
func inode(_ url: URL) -> UInt64? {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.systemFileNumber] as? NSNumber)?.uint64Value
}

/// Records SampleMedia with products.jsonl (4 s segments) into `directory/recording`.
func recordWithMarkers(
    _ directory: URL, container: Container, renditions: [String] = ["source"], input: SampleInput = .mp4
) async throws -> URL {
    let recording = directory.appendingPathComponent("recording")
    let spec = MarkerRuns.spec(container: container, renditions: renditions, input: input)
    _ = try await LibraryRun.run(spec, into: recording)
    return recording
}

/// Exports on a thread of its own (the export blocks in FFmpeg calls).
func exportReplay(_ recording: URL, to output: URL, options: ReplayOptions = ReplayOptions()) async throws -> ReplayResult {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ReplayResult, any Error>) in
        Thread {
            do throws(CuepointError) {
                continuation.resume(
                    returning: try ReplayExporter.export(
                        recordingDirectory: recording.path, outputDirectory: output.path, options: options))
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}
