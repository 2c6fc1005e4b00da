import CuepointFFmpeg
import CuepointTime

/// One rendition's audio path, on its encoding thread: decoded frame → resampler (any rate,
/// layout and format to the rendition's) → queue of exactly 1024-sample frames → AAC →
/// packets.
///
/// When the source's audio format changes mid-stream, the old resampler's last samples are
/// flushed into the queue and a new one is made. Output timestamps are counted in samples
/// from the first frame's (see `AudioFIFO`). Owned by the rendition's thread.
final class AudioEncodingStage {
    let encoder: Encoder
    private let sampleRate: Int, channels: Int
    private let sourceTimeBase: Rational
    private var resampler: Resampler?
    private let fifo: AudioFIFO

    /// Opens the AAC encoder.
    ///
    /// - Throws: `FFmpegError` when the encoder refuses the settings.
    init(settings: AudioEncoderSettings, sourceTimeBase: Rational) throws(FFmpegError) {
        encoder = try Encoder(audio: settings)
        sampleRate = settings.sampleRate
        channels = settings.channels
        self.sourceTimeBase = sourceTimeBase
        // An encoder that takes any frame size (none of the ladder's) still gets AAC-sized frames.
        fifo = try AudioFIFO(
            sampleFormat: settings.sampleFormat, channels: channels, sampleRate: sampleRate,
            frameSize: encoder.frameSize > 0 ? encoder.frameSize : 1024)
    }

    /// Resamples one decoded frame (stamped in the source's time base) and encodes every
    /// full frame that is ready.
    func encode(_ frame: Frame, report: inout RenditionReport, emit: (Packet) throws -> Void) throws {
        guard frame.sampleCount > 0 else { return }
        if let resampler, !resampler.accepts(frame) {
            try flushResampler()
            let time = MediaTime(ticks: frame.pts ?? frame.bestEffortTimestamp ?? 0, timeBase: sourceTimeBase)
            let changed = try Resampler(
                from: frame, timeBase: sourceTimeBase, sampleRate: sampleRate, channels: channels,
                sampleFormat: fifo.sampleFormat)
            report.audioChanges.append(
                .init(time: time, from: resampler.sourceDescription, to: changed.sourceDescription))
            self.resampler = changed
        }
        let active =
            try resampler
            ?? Resampler(
                from: frame, timeBase: sourceTimeBase, sampleRate: sampleRate, channels: channels,
                sampleFormat: fifo.sampleFormat)
        resampler = active
        try fifo.push(active.convert(frame))
        while let full = try fifo.pop() { try send(full, report: &report, emit) }
    }

    /// Encodes what the resampler and the queue still hold (the last frame may be short),
    /// then drains the encoder.
    func finish(report: inout RenditionReport, emit: (Packet) throws -> Void) throws {
        try flushResampler()
        while let rest = try fifo.drain() { try send(rest, report: &report, emit) }
        try encoder.send(nil)
        try receive(emit)
    }

    private func flushResampler() throws {
        if let tail = try resampler?.flush() { try fifo.push(tail) }
    }

    private func send(_ frame: Frame, report: inout RenditionReport, _ emit: (Packet) throws -> Void) throws {
        try encoder.send(frame)
        report.audioSamples += frame.sampleCount
        try receive(emit)
    }

    private func receive(_ emit: (Packet) throws -> Void) throws {
        while true {
            let packet = Packet()
            guard try encoder.receive(into: packet) == .packet else { return }
            try emit(packet)
        }
    }
}
