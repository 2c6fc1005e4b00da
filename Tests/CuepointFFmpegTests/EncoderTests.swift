import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@Suite(.ownThreads) struct EncoderTests {
    /// Sends `frame` (or nil to drain) and writes every packet that comes out to the muxer.
    func encode(_ frame: Frame?, _ encoder: Encoder, _ muxer: Muxer, stream: Int, packet: Packet) throws {
        try encoder.send(frame)
        while try encoder.receive(into: packet) == .packet {
            try muxer.write(packet, toStream: stream)
        }
    }

    @Test func forcesKeyframesExactlyWhereAsked() throws {
        let settings = VideoEncoderSettings(
            codecName: "libx264", width: 640, height: 360, pixelFormat: .yuv420p, timeBase: Rational(1, 30),
            frameRate: Rational(30, 1), bitRate: 400_000, maxRate: 600_000, bufferSize: 800_000, gopSize: 300,
            threadCount: 2, globalHeader: true,
            options: ["preset": "veryfast", "profile": "high", "x264-params": "scenecut=0", "forced-idr": "1"])
        let encoder = try Encoder(video: settings)
        #expect(encoder.codecName == "libx264" && encoder.mediaType == .video)
        #expect(encoder.timeBase == Rational(1, 30))
        #expect(encoder.width == 640 && encoder.height == 360 && encoder.frameSize == 0)
        // Global header: SPS and PPS as Annex B NAL units in extradata.
        let extradata = encoder.extradata
        #expect(Array(extradata.prefix(4)) == [0, 0, 0, 1])
        let nalTypes = Set(
            zip(extradata, extradata.dropFirst()).enumerated().compactMap { offset, pair in
                offset >= 2 && pair.0 == 1 && extradata[offset - 1] == 0 && extradata[offset - 2] == 0
                    ? pair.1 & 0x1F : nil
            })
        #expect(nalTypes.isSuperset(of: [7, 8]))

        let path = TestMedia.temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let muxer = try Muxer(formatName: "mp4", path: path)
        #expect(muxer.requiresGlobalHeader)
        let stream = try muxer.addStream(encoder: encoder)
        try muxer.writeHeader()
        let packet = Packet()
        try TestMedia.decodeVideo(count: 60) { frame, index in
            frame.pts = Int64(index)
            frame.pictureType = .none  // do not copy the source's GOP
            if index == 0 || index == 30 { frame.forceKeyframe() }
            try encode(frame, encoder, muxer, stream: stream, packet: packet)
        }
        try encode(nil, encoder, muxer, stream: stream, packet: packet)
        #expect(try encoder.receive(into: packet) == .endOfStream)
        try muxer.finish()

        // Decode what was written: 60 frames, keyframes at 0 and 30 only.
        var keyframes: [Int] = []
        var frames = 0
        let demuxer = try Demuxer(url: path)
        let written = try #require(demuxer.streams.first)
        #expect(written.codec == .h264 && written.width == 640 && written.profile == 100)
        let decoder = try Decoder(stream: written)
        let frame = Frame()
        func drain() throws {
            while try decoder.receive(into: frame) == .frame {
                if frame.isKeyframe { keyframes.append(frames) }
                frames += 1
            }
        }
        while try demuxer.read(into: packet) {
            try decoder.send(packet)
            try drain()
        }
        try decoder.send(nil)
        try drain()
        #expect(frames == 60)
        #expect(keyframes == [0, 30])
    }

    @Test func encodesDecodedAudioToAACInMP4() throws {
        let demuxer = try Demuxer(url: TestMedia.sample("sample.mp4"))
        let source = try #require(demuxer.streams.first { $0.mediaType == .audio })
        let decoder = try Decoder(stream: source)
        let encoder = try Encoder(
            audio: AudioEncoderSettings(
                codecName: "aac", sampleRate: 48_000, channels: 2, sampleFormat: .fltp, bitRate: 96_000,
                globalHeader: true))
        #expect(encoder.frameSize == 1024)
        #expect(encoder.timeBase == Rational(1, 48_000))
        #expect(encoder.extradata.count >= 2)  // AudioSpecificConfig

        let path = TestMedia.temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let muxer = try Muxer(formatName: "mp4", path: path)
        let stream = try muxer.addStream(encoder: encoder)
        try muxer.writeHeader()
        let packet = Packet()
        let output = Packet()
        let frame = Frame()
        var samples: Int64 = 0
        func transcode() throws {
            while try decoder.receive(into: frame) == .frame {
                #expect(frame.sampleCount == encoder.frameSize)
                frame.pts = samples  // in 1/48000, the encoder's time base
                samples += Int64(frame.sampleCount)
                try encode(frame, encoder, muxer, stream: stream, packet: output)
            }
        }
        while try demuxer.read(into: packet) {
            guard packet.streamIndex == source.index else { continue }
            try decoder.send(packet)
            try transcode()
        }
        try decoder.send(nil)
        try transcode()
        try encode(nil, encoder, muxer, stream: stream, packet: output)
        try muxer.finish()

        // The source holds 20 s of audio (938 frames of 1024 samples after its priming frame).
        #expect(samples == 938 * 1024)
        let probe = try TestMedia.ffprobeJSON([
            "-show_entries", "stream=codec_name,sample_rate,channels,duration_ts,time_base:format=duration", path,
        ])
        let streams = try #require(probe["streams"] as? [[String: Any]])
        let audio = try #require(streams.first)
        #expect(audio["codec_name"] as? String == "aac")
        #expect(audio["sample_rate"] as? String == "48000")
        #expect(audio["channels"] as? Int == 2)
        #expect(audio["time_base"] as? String == "1/48000")
        // The encoder's priming samples are cut by the edit list, so the duration is what was
        // encoded, to the millisecond the edit list (in the movie's 1/1000 timescale) keeps.
        let duration = try #require(audio["duration_ts"] as? Int)
        #expect(abs(duration - 938 * 1024) < 48, "duration_ts \(duration)")
        // The sample is 20 s; its last AAC frame's padding is not trimmed by decoding, so
        // the file may be up to one frame (1024 samples, 21.3 ms) longer.
        let format = try #require(probe["format"] as? [String: Any])
        let seconds = try #require((format["duration"] as? String).flatMap(Double.init))
        #expect(seconds >= 20.0 && seconds < 20.0 + 1024.0 / 48_000, "format duration \(seconds)")
    }

    @Test func anUnknownEncoderIsNamed() {
        #expect {
            _ = try Encoder(
                video: VideoEncoderSettings(
                    codecName: "no-such-codec", width: 64, height: 64, timeBase: Rational(1, 30)))
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avcodec_find_encoder_by_name" && error.message.contains("no-such-codec")
        }
        #expect(throws: FFmpegError.self) {
            _ = try Encoder(audio: AudioEncoderSettings(codecName: "libx264", sampleRate: 48_000, channels: 2))
        }
    }

    @Test func anUnknownEncoderOptionIsAnError() {
        #expect {
            _ = try Encoder(
                video: VideoEncoderSettings(
                    codecName: "libx264", width: 64, height: 64, timeBase: Rational(1, 30),
                    options: ["preset": "ultrafast", "presett": "fast"]))
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avcodec_open2" && error.message.contains("presett")
                && !error.message.contains("ultrafast")
        }
    }
}
