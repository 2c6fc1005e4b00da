import CuepointTestSupport
import CuepointFFmpeg
import Foundation
import Testing

/// Inputs made in the test by the `ffmpeg` program (formats the committed samples lack),
/// and a decoder loop over any file's audio.
enum GeneratedMedia {
    static var ffmpegInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") }

    /// Runs `/usr/bin/ffmpeg -v error -y` with `arguments`; throws with its error output when it fails.
    static func ffmpeg(_ arguments: [String]) throws {
        let output = try Program.runBlocking("/usr/bin/ffmpeg", ["-v", "error", "-nostdin", "-y"] + arguments)
        guard output.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "ffmpeg failed: \(output.stderrText)"])
        }
    }

    /// A WAV file of `seconds` of 5.1 (six channels) signed 16-bit audio at 22 050 Hz; the caller removes it.
    static func surroundWAV(seconds: Int) throws -> String {
        let path = TestMedia.temporaryPath(".wav")
        try ffmpeg([
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=\(seconds)",
            "-af", "pan=5.1|c0=c0|c1=0.5*c0|c2=0.25*c0|c3=0*c0|c4=c0|c5=c0", "-c:a", "pcm_s16le", path,
        ])
        return path
    }

    /// Decodes every audio frame of the first audio stream of `path` and passes it to `body`
    /// with the decoder's time base (the frame object is reused).
    static func decodeAudio(_ path: String, _ body: (Frame, StreamInfo) throws -> Void) throws {
        let demuxer = try Demuxer(url: path)
        let stream = try #require(demuxer.streams.first { $0.mediaType == .audio })
        let decoder = try Decoder(stream: stream)
        let packet = Packet()
        let frame = Frame()
        func drain() throws {
            while try decoder.receive(into: frame) == .frame { try body(frame, stream) }
        }
        while try demuxer.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            try decoder.send(packet)
            try drain()
        }
        try decoder.send(nil)
        try drain()
    }
}
