import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Testing

@Suite(.ownThreads) struct AudioFIFOTests {
    func frame(_ count: Int, pts: Int64?, rate: Int = 48_000, channels: Int = 2) throws -> Frame {
        let frame = try Frame(sampleCount: count, sampleRate: rate, channels: channels, sampleFormat: .fltp)
        frame.pts = pts
        return frame
    }

    @Test func popsFramesOfExactlyFrameSizeStampedFromTheFirstSample() throws {
        let fifo = try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48_000, frameSize: 1024)
        #expect(fifo.timeBase == Rational(1, 48_000))
        // 3 × 700 samples from pts 5000: two full frames of 1024, a tail of 52.
        for index in 0..<3 { try fifo.push(frame(700, pts: 5000 + Int64(index) * 700)) }
        #expect(fifo.sampleCount == 2100)
        var popped: [(count: Int, pts: Int64?)] = []
        while let frame = try fifo.pop() { popped.append((frame.sampleCount, frame.pts)) }
        #expect(popped.map(\.count) == [1024, 1024])
        #expect(popped.map(\.pts) == [5000, 6024])
        #expect(try fifo.pop() == nil)
        let tail = try #require(try fifo.drain())
        #expect(tail.sampleCount == 52 && tail.pts == 7048)
        #expect(tail.sampleRate == 48_000 && tail.channels == 2 && tail.sampleFormat == .fltp)
        #expect(try fifo.drain() == nil)
        #expect(fifo.sampleCount == 0)
    }

    @Test func drainTakesFullFramesFirstWhenMoreIsLeft() throws {
        let fifo = try AudioFIFO(sampleFormat: .fltp, channels: 1, sampleRate: 22_050, frameSize: 1024)
        try fifo.push(frame(2500, pts: 0, rate: 22_050, channels: 1))
        var counts: [Int] = []
        var stamps: [Int64?] = []
        while let frame = try fifo.drain() {
            counts.append(frame.sampleCount)
            stamps.append(frame.pts)
        }
        #expect(counts == [1024, 1024, 452])
        #expect(stamps == [0, 1024, 2048])
    }

    @Test func laterTimestampsAreNotReadSoOutputStaysContinuous() throws {
        let fifo = try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48_000, frameSize: 1024)
        // A resampler's output can be off by a sample from the running count; the queue keeps counting.
        try fifo.push(frame(1000, pts: 0))
        try fifo.push(frame(1000, pts: 999))
        try fifo.push(frame(1000, pts: 2001))
        #expect(try fifo.pop()?.pts == 0)
        #expect(try fifo.pop()?.pts == 1024)
        #expect(try fifo.drain()?.pts == 2048)
    }

    @Test func unstampedSamplesAreDatedBackFromTheFirstStampedFrame() throws {
        let fifo = try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48_000, frameSize: 1024)
        try fifo.push(frame(512, pts: nil))
        #expect(fifo.headPts == nil)
        try fifo.push(frame(1024, pts: 10_000))
        let backdated: Int64 = 10_000 - 512
        #expect(fifo.headPts == backdated)
        #expect(try fifo.pop()?.pts == backdated)
    }

    @Test func aFrameOfAnotherFormatIsNamed() throws {
        let fifo = try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48_000, frameSize: 1024)
        #expect {
            try fifo.push(frame(1024, pts: 0, rate: 44_100, channels: 6))
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.code == .invalidArgument && error.message.contains("44100 Hz, 6 channels")
                && error.message.contains("48000 Hz, 2 channels")
        }
        #expect(throws: FFmpegError.self) {
            _ = try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48_000, frameSize: 0)
        }
    }
}
