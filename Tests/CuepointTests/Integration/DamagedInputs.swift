import CuepointTestSupport
import Foundation

/// Makes damaged or unusual inputs from SampleMedia inside a test's folder: nothing here is
/// committed, and the same call always makes the same bytes.
enum DamagedInputs {
    /// The first `byteCount` bytes of `source`.
    static func truncated(_ source: URL, to byteCount: Int, as name: String, in folder: URL) throws -> URL {
        let data = try Data(contentsOf: source)
        precondition(byteCount < data.count, "\(source.lastPathComponent) is only \(data.count) bytes")
        let target = folder.appendingPathComponent(name)
        try data.prefix(byteCount).write(to: target)
        return target
    }

    /// `source` with `byteCount` pseudo-random bytes (from `seed`) written over its middle.
    static func garbled(
        _ source: URL, byteCount: Int = 64 * 1024, seed: UInt64 = 0x4375_6570_6F69_6E74, as name: String, in folder: URL
    ) throws -> URL {
        var data = try Data(contentsOf: source)
        var generator = SplitMix64(seed: seed)
        let start = data.count / 2 - byteCount / 2
        for offset in 0..<byteCount {
            data[data.startIndex + start + offset] = UInt8(truncatingIfNeeded: generator.next())
        }
        let target = folder.appendingPathComponent(name)
        try data.write(to: target)
        return target
    }

    /// The files one after the other, as `cat a b > name` would write them.
    static func concatenated(_ sources: [URL], as name: String, in folder: URL) throws -> URL {
        var data = Data()
        for source in sources { data.append(try Data(contentsOf: source)) }
        let target = folder.appendingPathComponent(name)
        try data.write(to: target)
        return target
    }

    /// An empty file.
    static func empty(as name: String, in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent(name)
        try Data().write(to: target)
        return target
    }

    /// `sample.ts` remuxed with its timestamps moved `seconds` later
    /// (`ffmpeg -i sample.ts -c copy -output_ts_offset <seconds> -f mpegts`).
    static func shiftedTS(bySeconds seconds: Int, as name: String, in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent(name)
        try ffmpeg([
            "-i", Repository.sampleMedia("sample.ts").path, "-c", "copy", "-output_ts_offset", String(seconds),
            "-f", "mpegts", target.path,
        ])
        return target
    }

    /// `sample.ts` played `times` times in a row as one MPEG-TS, as `ffmpeg -stream_loop N -i
    /// sample.ts -c copy -f mpegts` writes it: the timestamps run on across each loop point, where
    /// the audio steps by one 1/90000 tick instead of a frame (a repeated AAC frame's time, which
    /// a 48 kHz MP4 track cannot tell from the one before).
    static func looped(times: Int, as name: String, in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent(name)
        try ffmpeg([
            "-stream_loop", String(times - 1), "-i", Repository.sampleMedia("sample.ts").path, "-c", "copy", "-f", "mpegts",
            target.path,
        ])
        return target
    }

    /// `sample.mp4` with one composition offset of its video track flipped to about 2,048 s: in
    /// the `ctts` box (`moov/trak[video]/mdia/minf/stbl/ctts`: version and flags, an entry count,
    /// then (sample count, sample offset) pairs of 32-bit big-endian integers), the two high
    /// bytes of entry 100's sample offset become `01 E0` (offset 0x01E0_0200 = 31,457,792 ticks
    /// of 1/15360 s). The two frames of that entry then present 2,048 s after they decode, while
    /// their decoding times stay in place.
    static func cttsCorruptedMP4(as name: String, in folder: URL) throws -> URL {
        var data = try Data(contentsOf: Repository.sampleMedia("sample.mp4"))
        let bytes = [UInt8](data)
        func box(_ type: String, in range: Range<Int>) -> [Range<Int>] {
            var found: [Range<Int>] = []
            var offset = range.lowerBound
            while offset + 8 <= range.upperBound {
                let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                guard size >= 8, offset + size <= range.upperBound else { break }
                if String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self) == type { found.append(offset + 8..<offset + size) }
                offset += size
            }
            return found
        }
        func path(_ types: [String], in range: Range<Int>) -> [Range<Int>] {
            guard let first = types.first else { return [range] }
            return box(first, in: range).flatMap { path(Array(types.dropFirst()), in: $0) }
        }
        // The video track is the one whose stbl has a ctts (the audio track has none).
        guard let ctts = path(["moov", "trak", "mdia", "minf", "stbl", "ctts"], in: 0..<bytes.count).first else {
            throw RecordingProblem(description: "sample.mp4 has no ctts box")
        }
        let entry = 100
        let offsetField = ctts.lowerBound + 8 + entry * 8 + 4  // after version/flags and count; the offset of the pair
        precondition(offsetField + 4 <= ctts.upperBound && bytes[offsetField] == 0 && bytes[offsetField + 1] == 0)
        data[data.startIndex + offsetField] = 0x01
        data[data.startIndex + offsetField + 1] = 0xE0
        let target = folder.appendingPathComponent(name)
        try data.write(to: target)
        return target
    }

    /// An MP4 whose only stream is a `mov_text` subtitle track made from a small WebVTT file.
    static func subtitlesOnlyMP4(as name: String, in folder: URL) throws -> URL {
        let subtitles = folder.appendingPathComponent("subtitles.vtt")
        try Data(
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nNew arrivals\n\n00:00:02.000 --> 00:00:04.000\nOn sale now\n".utf8
        ).write(to: subtitles)
        let target = folder.appendingPathComponent(name)
        try ffmpeg(["-i", subtitles.path, "-c:s", "mov_text", "-f", "mp4", target.path])
        return target
    }

    /// Runs the `ffmpeg` program quietly, overwriting its output.
    private static func ffmpeg(_ arguments: [String]) throws {
        guard let ffmpeg = ExternalProgram.which("ffmpeg") else { throw ProbeError.notInstalled("ffmpeg") }
        let args = ["-v", "error", "-nostdin", "-y"] + arguments
        let output = try ExternalProgram.run(ffmpeg, args)
        guard output.status == 0 else {
            throw ProbeError.failed(command: "ffmpeg " + args.joined(separator: " "), status: output.status, stderr: output.stderrText)
        }
    }
}

