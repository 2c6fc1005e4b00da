import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

/// `Muxer(formatName:path:)` and chapters, judged by `ffprobe` and by the file's top-level boxes.
@Suite(.ownThreads) struct MuxerFileTests {
    /// The four-character types of an MP4 file's top-level boxes, in file order.
    func topLevelBoxes(of path: String) throws -> [String] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var boxes: [String] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            var size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            if size == 1 {  // 64-bit largesize follows the type
                size = bytes[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) }
            } else if size == 0 {  // to the end of the file
                size = bytes.count - offset
            }
            guard size >= 8 else { break }
            boxes.append(type)
            offset += size
        }
        return boxes
    }

    static func title(_ index: Int) -> String { "Moment \(index + 1) – but what a goal é" }

    @Test func streamCopiesWithFaststartAnd300Chapters() throws {
        let path = TestMedia.temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let muxer = try Muxer(formatName: "mp4", path: path)
        #expect(muxer.path == path && muxer.sink == nil)
        for stream in demuxer.streams { try muxer.addStream(copying: stream) }
        // 300 chapters of 60 ms each, in milliseconds: 0–60, 60–120, … 17 940–18 000.
        for index in 0..<300 {
            try muxer.addChapter(
                id: Int64(index), start: Int64(index) * 60, end: Int64(index + 1) * 60, timeBase: .milliseconds,
                title: MuxerFileTests.title(index))
        }
        try muxer.writeHeader(options: ["movflags": "+faststart"])
        let packet = Packet()
        while try demuxer.read(into: packet) { try muxer.write(packet, toStream: packet.streamIndex) }
        try muxer.finish()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(muxer.bytesWritten == Int64(size))

        let boxes = try topLevelBoxes(of: path)
        let moov = try #require(boxes.firstIndex(of: "moov"))
        let mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "faststart puts moov before mdat: \(boxes)")

        let probe = try TestMedia.ffprobeJSON(["-show_chapters", path])
        let chapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(chapters.count == 300)
        for (index, chapter) in chapters.enumerated() {
            let base = try #require((chapter["time_base"] as? String)?.split(separator: "/").compactMap { Int64($0) })
            let start = try #require(chapter["start"] as? Int64 ?? (chapter["start"] as? Int).map(Int64.init))
            let end = try #require(chapter["end"] as? Int64 ?? (chapter["end"] as? Int).map(Int64.init))
            let tags = chapter["tags"] as? [String: String]
            // Back to milliseconds, exactly: ticks × num × 1000 / den.
            #expect(start * base[0] * 1000 % base[1] == 0 && end * base[0] * 1000 % base[1] == 0)
            #expect(start * base[0] * 1000 / base[1] == Int64(index) * 60, "chapter \(index) start")
            #expect(end * base[0] * 1000 / base[1] == Int64(index + 1) * 60, "chapter \(index) end")
            #expect(tags?["title"] == MuxerFileTests.title(index))
        }
        // The copied streams survive the second pass.
        let streams = try TestMedia.ffprobe(["-show_entries", "stream=codec_name", "-of", "csv=p=0", path])
        #expect(streams.split(separator: "\n").prefix(2) == ["h264", "aac"])
    }

    @Test func chaptersAfterTheHeaderAreRefused() throws {
        let path = TestMedia.temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let muxer = try Muxer(formatName: "mp4", path: path)
        for stream in demuxer.streams { try muxer.addStream(copying: stream) }
        #expect(throws: FFmpegError.self) {
            try muxer.addChapter(id: 1, start: 10, end: 5, timeBase: .milliseconds, title: "backwards")
        }
        try muxer.writeHeader()
        #expect {
            try muxer.addChapter(id: 1, start: 0, end: 5, timeBase: .milliseconds, title: "late")
        } throws: { error in
            (error as? FFmpegError)?.message.contains("before") == true
        }
        try muxer.finish()
    }

    @Test func anUncreatableFileIsNamed() {
        #expect {
            _ = try Muxer(formatName: "mp4", path: "/nonexistent-directory/out.mp4")
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avio_open" && error.code == .noSuchFile
                && error.message.contains("/nonexistent-directory/out.mp4")
        }
    }

    @Test func aMuxerAbandonedAfterTheHeaderClosesItsFile() throws {
        let path = TestMedia.temporaryPath(".ts")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        do {
            let muxer = try Muxer(formatName: "mpegts", path: path)
            for stream in demuxer.streams { try muxer.addStream(copying: stream) }
            try muxer.writeHeader()
            let packet = Packet()
            for _ in 0..<50 {
                if try demuxer.read(into: packet) { try muxer.write(packet, toStream: packet.streamIndex) }
            }
            try muxer.flush()
            #expect(muxer.bytesWritten > 0)
            muxer.abandon()
        }
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

/// `Muxer.write` drops, rather than fails on, a packet whose timestamps the muxer would refuse.
@Suite(.ownThreads) struct MuxerTimestampTests {
    /// The first five audio packets of sample.mp4 (decoding times -1024, 0, 1024, … of 1/48000 s), and a muxer of `format` writing that stream to a file.
    func audioInto(_ format: String) throws -> (muxer: Muxer, packets: [Packet], path: String) {
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let audio = try #require(demuxer.streams.first { $0.mediaType == .audio })
        let path = TestMedia.temporaryPath(format == "mp4" ? ".mp4" : ".mkv")
        let muxer = try Muxer(formatName: format, path: path)
        try muxer.addStream(copying: audio)
        try muxer.writeHeader()
        var packets: [Packet] = []
        let packet = Packet()
        while packets.count < 5, try demuxer.read(into: packet) {
            if packet.streamIndex == audio.index { packets.append(try packet.clone()) }
        }
        return (muxer, packets, path)
    }

    /// How many packets a file holds, read back with the demuxer.
    func packetCount(_ path: String) throws -> Int {
        let demuxer = try Demuxer(url: path)
        let packet = Packet()
        var count = 0
        while try demuxer.read(into: packet) { count += 1 }
        return count
    }

    @Test("MP4: a repeated decoding time and a presentation before decoding are dropped, and the muxer goes on")
    func strictFormat() throws {
        let (muxer, packets, path) = try audioInto("mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // (libavformat skips its order check while the last decoding time is 0, so the repeat is of 1024.)
        let (pts, dts) = (packets[2].pts, packets[2].dts)  // a write consumes the packet
        for packet in packets.prefix(3) { #expect(try muxer.write(packet, toStream: 0) == .written) }
        packets[3].pts = pts
        packets[3].dts = dts
        #expect(
            try muxer.write(packets[3], toStream: 0)
                == .droppedTimestamps(reason: "decoding time not after the previous packet's in the output"))
        packets[4].pts = packets[4].dts.map { $0 - 1 }
        #expect(try muxer.write(packets[4], toStream: 0) == .droppedTimestamps(reason: "presentation time before decoding time"))
        try muxer.finish()
        #expect(try packetCount(path) == 3)
    }

    @Test("Matroska (AVFMT_TS_NONSTRICT): an equal decoding time is written")
    func nonStrictFormat() throws {
        let (muxer, packets, path) = try audioInto("matroska")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (pts, dts) = (packets[2].pts, packets[2].dts)
        for packet in packets.prefix(3) { #expect(try muxer.write(packet, toStream: 0) == .written) }
        packets[3].pts = pts
        packets[3].dts = dts
        #expect(try muxer.write(packets[3], toStream: 0) == .written)
        try muxer.finish()
    }
}
