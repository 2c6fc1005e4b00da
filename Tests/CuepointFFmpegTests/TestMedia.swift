import CuepointTestSupport
import CuepointFFmpeg
import Foundation
import Testing

/// The committed sample media, temporary output files, and the `ffprobe` program as an
/// independent judge of what the wrappers wrote.
enum TestMedia {
    /// `SampleMedia/` at the package root, found from this file's path.
    static var directory: URL { Repository.url("SampleMedia") }

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
        let output = try Program.runBlocking("/usr/bin/ffprobe", ["-v", "error"] + arguments)
        #expect(output.status == 0, "ffprobe \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        return output.stdoutText
    }

    /// `ffprobe -of json` output decoded as a dictionary.
    static func ffprobeJSON(_ arguments: [String]) throws -> [String: Any] {
        let text = try ffprobe(arguments + ["-of", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
