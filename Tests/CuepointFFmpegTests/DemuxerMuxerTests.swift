import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

/// The FFmpeg wrappers against the committed sample media.
@Suite(.ownThreads) struct DemuxerMuxerTests {
    static var sampleMedia: URL { Repository.url("SampleMedia") }

    func sample(_ name: String) -> String { DemuxerMuxerTests.sampleMedia.appendingPathComponent(name).path }

    @Test func readsStreamParametersAsValues() throws {
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        #expect(demuxer.formatName.contains("mp4"))
        #expect(demuxer.duration?.milliseconds == 20_000 || demuxer.duration.map { abs($0.milliseconds - 20_000) < 50 } == true)
        let video = try #require(demuxer.streams.first { $0.mediaType == .video })
        #expect(video.codec == .h264)
        #expect(video.width == 640 && video.height == 360)
        #expect(video.frameRate == Rational(30, 1))
        #expect(video.extradata.first == 1)  // avcC
        let audio = try #require(demuxer.streams.first { $0.mediaType == .audio })
        #expect(audio.codec == .aac)
        #expect(audio.sampleRate == 48_000 && audio.channels == 2)
    }

    @Test func readsEveryPacketToTheEnd() throws {
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        let packet = Packet()
        var counts: [Int: Int] = [:]
        var keyframes = 0
        let videoIndex = demuxer.streams.first { $0.mediaType == .video }!.index
        while try demuxer.read(into: packet) {
            counts[packet.streamIndex, default: 0] += 1
            if packet.streamIndex == videoIndex && packet.isKeyframe { keyframes += 1 }
        }
        #expect(counts[videoIndex] == 600)
        #expect(keyframes == 10)
    }

    @Test func aMissingFileFailsWithTheFunctionAndCode() {
        #expect {
            _ = try Demuxer(url: "/nonexistent/file.mp4")
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.code == .noSuchFile && error.function == "avformat_open_input"
                && error.message.contains("No such file")
        }
    }

    @Test func garbageIsInvalidData() throws {
        let path = NSTemporaryDirectory() + "cuepoint-garbage-\(UUID().uuidString).bin"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: FFmpegError.self) { _ = try Demuxer(url: path) }
    }

    @Test func anUnknownForcedFormatIsNamed() {
        #expect {
            _ = try Demuxer(url: sample("sample.mp4"), format: "no-such-format")
        } throws: { error in
            (error as? FFmpegError)?.message.contains("no-such-format") == true
        }
    }

    @Test func aCancelledInterruptStopsTheRead() throws {
        let policy = InterruptPolicy()
        let demuxer = try Demuxer(url: sample("sample.ts"), interrupt: policy)
        policy.cancel()
        let packet = Packet()
        // Buffered packets may still come out; a read that needs I/O must stop with AVERROR_EXIT.
        var stopped = false
        for _ in 0..<100_000 {
            do {
                if try !demuxer.read(into: packet) { break }
            } catch {
                stopped = error.code == .exit
                break
            }
        }
        #expect(stopped)
    }

    @Test func muxesMPEGTSIntoSwappableSinks() throws {
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        let muxer = try Muxer(formatName: "mpegts")
        let first = MemorySink()
        let second = MemorySink()
        var outputIndex: [Int: Int] = [:]
        for stream in demuxer.streams { outputIndex[stream.index] = try muxer.addStream(copying: stream) }
        muxer.sink = first
        try muxer.writeHeader()
        let packet = Packet()
        var written = 0
        while try demuxer.read(into: packet) {
            if written == 300 {
                try muxer.flush()
                muxer.sink = second
            }
            try muxer.write(packet, toStream: outputIndex[packet.streamIndex]!)
            written += 1
        }
        try muxer.flush()
        try muxer.finish()
        // Both halves are whole TS packets starting with the sync byte.
        for sink in [first, second] {
            #expect(sink.bytes.count > 10_000)
            #expect(sink.bytes.count % 188 == 0)
            #expect(sink.bytes.first == 0x47)
        }
        #expect(Int64(first.bytes.count + second.bytes.count) == muxer.bytesWritten)
    }

    @Test func aFailingSinkSurfacesItsOwnError() throws {
        struct DiskFull: Error {}
        final class FailingSink: ByteSink {
            func write(_ bytes: UnsafeRawBufferPointer) throws { throw DiskFull() }
        }
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        let muxer = try Muxer(formatName: "mpegts")
        for stream in demuxer.streams { try muxer.addStream(copying: stream) }
        muxer.sink = FailingSink()
        #expect(throws: DiskFull.self) {
            try muxer.writeHeader()
            let packet = Packet()
            while try demuxer.read(into: packet) { try muxer.write(packet, toStream: packet.streamIndex) }
            try muxer.flush()
        }
        muxer.abandon()
    }

    @Test func anUnknownMuxerOptionIsAnError() throws {
        let demuxer = try Demuxer(url: sample("sample.mp4"))
        let muxer = try Muxer(formatName: "mp4")
        for stream in demuxer.streams { try muxer.addStream(copying: stream) }
        muxer.sink = MemorySink()
        #expect(throws: FFmpegError.self) { try muxer.writeHeader(options: ["no_such_option": "1"]) }
        try? muxer.finish()
    }
}
