import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Testing

/// `Decoder` and `Frame` against `sample.mp4` (H.264 High 640x360 30 fps with B-frames, AAC 48 kHz stereo).
@Suite(.ownThreads) struct DecoderTests {
    @Test func decodesVideoFramesInPresentationOrder() throws {
        var pts: [Int64] = []
        var keyframes: [Int] = []
        try TestMedia.decodeVideo(count: 90) { frame, index in
            #expect(frame.width == 640 && frame.height == 360)
            #expect(frame.pixelFormat == .yuv420p)
            #expect(frame.sampleRate == 0 && frame.sampleCount == 0 && frame.sampleFormat == .none)
            pts.append(try #require(frame.pts))
            if frame.isKeyframe { keyframes.append(index) }
        }
        #expect(pts.count == 90)
        // 1/15360 time base at 30 fps: 512 ticks a frame, strictly increasing from 0.
        #expect(pts.first == 0)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $1 - $0 == 512 })
        #expect(keyframes == [0, 60])  // IDR every 2 s
    }

    @Test func drainsToTheEndAndFlushesForReuse() throws {
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let stream = try #require(demuxer.streams.first { $0.mediaType == .video })
        let decoder = try Decoder(stream: stream, threadCount: 2, threading: .frame)
        #expect(decoder.codecName == "h264")
        #expect(decoder.timeBase == stream.timeBase)
        let packet = Packet()
        let frame = Frame()
        var firstPacket: Packet?
        var frames = 0
        while try demuxer.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            if firstPacket == nil { firstPacket = try packet.clone() }
            try decoder.send(packet)
            while try decoder.receive(into: frame) == .frame { frames += 1 }
        }
        try decoder.send(nil)
        var outcome = Decoder.ReceiveOutcome.frame
        while outcome == .frame {
            outcome = try decoder.receive(into: frame)
            if outcome == .frame { frames += 1 }
        }
        #expect(outcome == .endOfStream)
        #expect(frames == 600)
        // A drained decoder refuses input until flushed.
        #expect(throws: FFmpegError.self) { try decoder.send(firstPacket) }
        decoder.flush()
        try decoder.send(firstPacket)
        try decoder.send(nil)
        #expect(try decoder.receive(into: frame) == .frame)
        #expect(frame.isKeyframe && frame.pictureType == .intra)
    }

    @Test func decodesAudioFields() throws {
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let stream = try #require(demuxer.streams.first { $0.mediaType == .audio })
        let decoder = try Decoder(stream: stream)
        let packet = Packet()
        let frame = Frame()
        var received = false
        while !received, try demuxer.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            try decoder.send(packet)
            received = try decoder.receive(into: frame) == .frame
        }
        #expect(received)
        #expect(frame.sampleRate == 48_000 && frame.channels == 2)
        #expect(frame.sampleCount == 1024)
        #expect(frame.sampleFormat == .fltp)
        #expect(frame.width == 0 && frame.pixelFormat == .none)
        #expect(frame.pts != nil)
    }

    @Test func anUnknownDecoderOptionIsAnError() throws {
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let stream = try #require(demuxer.streams.first { $0.mediaType == .video })
        #expect {
            _ = try Decoder(stream: stream, options: ["no_such_option": "1"])
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avcodec_open2" && error.message.contains("no_such_option")
        }
    }

    @Test func framesNameTheirFormats() throws {
        #expect(PixelFormat.yuv420p.name == "yuv420p")
        #expect(PixelFormat.yuvj420p.name == "yuvj420p")
        #expect(PixelFormat.nv12.name == "nv12")
        #expect(PixelFormat.rgb24.name == "rgb24")
        #expect(SampleFormat.fltp.name == "fltp" && SampleFormat.s16.name == "s16")
        #expect(PictureType.intra.description == "I" && PictureType.bidirectional.description == "B")
        let frame = try Frame(width: 64, height: 32, pixelFormat: .nv12)
        #expect(frame.hasBuffers && frame.width == 64 && frame.pixelFormat == .nv12 && frame.pts == nil)
        frame.forceKeyframe()
        #expect(frame.pictureType == .intra)
        let audio = try Frame(sampleCount: 1024, sampleRate: 48_000, channels: 2, sampleFormat: .s16)
        #expect(audio.sampleCount == 1024 && audio.channels == 2 && audio.sampleFormat == .s16)
        let copy = try audio.clone()
        audio.reset()
        #expect(!audio.hasBuffers && copy.hasBuffers && copy.sampleRate == 48_000)
    }
}
