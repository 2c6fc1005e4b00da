import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@Suite(.ownThreads) struct ResamplerTests {
    @Test func sameFormatPassesSamplesAndTimestampsThrough() throws {
        var resampler: Resampler?
        var frames = 0
        try GeneratedMedia.decodeAudio(TestMedia.sample("sample.mp4")) { frame, stream in
            let active =
                try resampler
                ?? Resampler(
                    from: frame, timeBase: stream.timeBase, sampleRate: 48_000, channels: 2, sampleFormat: .fltp)
            resampler = active
            let output = try active.convert(frame)
            #expect(output.sampleCount == frame.sampleCount)
            #expect(output.pts == frame.pts)
            frames += 1
        }
        #expect(frames == 938)
        #expect(try resampler?.flush() == nil)
        #expect(resampler?.sourceDescription == "48000 Hz stereo fltp")
    }

    @Test func convertsRateLayoutAndFormatWithContinuousTimestamps() throws {
        var resampler: Resampler?
        var inputSamples = 0
        var outputSamples = 0
        var stamps: [(pts: Int64, count: Int)] = []
        try GeneratedMedia.decodeAudio(TestMedia.sample("sample.mp4")) { frame, stream in
            let active =
                try resampler
                ?? Resampler(
                    from: frame, timeBase: stream.timeBase, sampleRate: 44_100, channels: 1, sampleFormat: .s16)
            resampler = active
            inputSamples += frame.sampleCount
            let output = try active.convert(frame)
            #expect(output.sampleRate == 44_100 && output.channels == 1)
            if output.sampleCount > 0 {
                #expect(output.sampleFormat == .s16)
                stamps.append((try #require(output.pts), output.sampleCount))
            }
            outputSamples += output.sampleCount
        }
        let active = try #require(resampler)
        #expect(active.timeBase == Rational(1, 44_100))
        if let tail = try active.flush() {
            stamps.append((try #require(tail.pts), tail.sampleCount))
            outputSamples += tail.sampleCount
        }
        // 938 × 1024 samples at 48 kHz are 20 s: 882 000 samples at 44.1 kHz.
        #expect(inputSamples == 938 * 1024)
        #expect(abs(outputSamples - inputSamples * 44_100 / 48_000) <= 1, "\(outputSamples) samples")
        #expect(stamps.first?.pts == 0)
        // Each output frame starts where the one before ended (to the sample the delay rounds to).
        let gaps = zip(stamps, stamps.dropFirst()).map { $1.pts - ($0.pts + Int64($0.count)) }
        #expect(gaps.allSatisfy { abs($0) <= 1 }, "gaps \(Set(gaps))")
    }

    @Test(.enabled(if: GeneratedMedia.ffmpegInstalled, "needs /usr/bin/ffmpeg to generate 5.1 audio"))
    func downmixesSurroundAndUpsamples() throws {
        let path = try GeneratedMedia.surroundWAV(seconds: 2)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var resampler: Resampler?
        var outputSamples = 0
        var firstPts: Int64?
        try GeneratedMedia.decodeAudio(path) { frame, stream in
            let active =
                try resampler
                ?? Resampler(
                    from: frame, timeBase: stream.timeBase, sampleRate: 48_000, channels: 2, sampleFormat: .fltp)
            resampler = active
            let output = try active.convert(frame)
            #expect(output.channels == 2 && output.sampleRate == 48_000)
            if firstPts == nil, output.sampleCount > 0 { firstPts = output.pts }
            outputSamples += output.sampleCount
        }
        let active = try #require(resampler)
        #expect(active.sourceSampleRate == 22_050 && active.sourceChannels == 6 && active.sourceFormat == .s16)
        #expect(active.sourceDescription == "22050 Hz 5.1 s16")
        outputSamples += try active.flush()?.sampleCount ?? 0
        #expect(firstPts == 0)
        #expect(abs(outputSamples - 2 * 48_000) <= 1, "\(outputSamples) samples")
    }

    @Test func aFrameOfAnotherFormatIsNamed() throws {
        let stereo = try Frame(sampleCount: 1024, sampleRate: 48_000, channels: 2, sampleFormat: .fltp)
        let resampler = try Resampler(
            from: stereo, timeBase: Rational(1, 48_000), sampleRate: 48_000, channels: 2, sampleFormat: .fltp)
        #expect(resampler.accepts(stereo))
        let surround = try Frame(sampleCount: 512, sampleRate: 22_050, channels: 6, sampleFormat: .s16)
        #expect(!resampler.accepts(surround))
        #expect {
            _ = try resampler.convert(surround)
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.code == .invalidArgument && error.message.contains("22050 Hz 5.1 s16")
                && error.message.contains("48000 Hz stereo fltp")
        }
        let video = try Frame(width: 16, height: 16, pixelFormat: .yuv420p)
        #expect(throws: FFmpegError.self) {
            _ = try Resampler(
                from: video, timeBase: Rational(1, 30), sampleRate: 48_000, channels: 2, sampleFormat: .fltp)
        }
    }
}
