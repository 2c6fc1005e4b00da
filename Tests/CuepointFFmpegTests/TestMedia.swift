import CuepointFFmpeg
import Foundation
import Testing

/// The committed sample media, temporary output files, and the `ffprobe` program as an
/// independent judge of what the wrappers wrote.
enum TestMedia {
    /// `SampleMedia/` at the package root, found from this file's path.
    static let directory: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("SampleMedia")
    }()

    static func sample(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A path in the temporary directory that no other test uses; the caller removes it.
    static func temporaryPath(_ suffix: String) -> String {
        NSTemporaryDirectory() + "cuepoint-ffmpeg-\(UUID().uuidString)\(suffix)"
    }

    /// Decodes the first `count` video frames of `sample.mp4` in presentation order and
    /// passes each to `body` (the frame object is reused; clone it to keep it).
    static func decodeVideo(count: Int, _ body: (Frame, Int) throws -> Void) throws {
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        let stream = try #require(demuxer.streams.first { $0.mediaType == .video })
        let decoder = try Decoder(stream: stream, threadCount: 2)
        let packet = Packet()
        let frame = Frame()
        var decoded = 0
        func drain() throws -> Bool {
            while decoded < count, try decoder.receive(into: frame) == .frame {
                try body(frame, decoded)
                decoded += 1
            }
            return decoded == count
        }
        while try demuxer.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            try decoder.send(packet)
            if try drain() { return }
        }
        try decoder.send(nil)
        _ = try drain()
    }

    /// Runs `/usr/bin/ffprobe` with `arguments` and returns its standard output.
    static func ffprobe(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        process.arguments = ["-v", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ffprobe \(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }

    /// `ffprobe -of json` output decoded as a dictionary.
    static func ffprobeJSON(_ arguments: [String]) throws -> [String: Any] {
        let text = try ffprobe(arguments + ["-of", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
