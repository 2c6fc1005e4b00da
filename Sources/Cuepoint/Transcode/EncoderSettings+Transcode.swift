import CuepointFFmpeg
import CuepointTime

extension VideoSettings {
    /// The libx264 configuration of this rendition: the source's time base (timestamps pass
    /// through exactly, variable frame rate included), the keyframe plan's options, and in
    /// deterministic mode one thread, `+bitexact` and no AVX-512 (see
    /// `CPUFeatures.x264AssemblyWithoutAVX512`).
    ///
    /// With a known frame rate, x264 is told the stream is constant-rate (`force-cfr=1`): its SPS
    /// then carries VUI timing of the frame rate (`num_units_in_tick` = the frame duration's
    /// numerator, `time_scale` twice its denominator, `fixed_frame_rate_flag` 1), so a decoder or
    /// `ffprobe` can tell a frame's duration from the stream itself. Without it x264 writes the
    /// time base as the tick (1/90000 s from MPEG-TS) and no fixed rate. The timestamps of the
    /// packets do not change: x264 passes presentation times through and derives decoding times
    /// from them either way.
    ///
    /// - Parameters:
    ///   - threadCount: x264's threads; nil lets x264 choose (`threads=0`: about 1.5 per core; an
    ///     `AVCodecContext` left alone would run one). Ignored (1) when deterministic.
    ///   - globalHeader: SPS/PPS in `extradata` (MP4, fMP4) rather than before each IDR (TS).
    func encoderSettings(
        source: TranscodeSource.Video, keyframes: KeyframePlan, deterministic: Bool, threadCount: Int?,
        globalHeader: Bool
    ) -> VideoEncoderSettings {
        var options = keyframes.encoderOptions
        options["preset"] = preset
        if let profile { options["profile"] = profile }
        if let level { options["level"] = H264Level.named(level)?.name ?? level }
        if let crf { options["crf"] = String(crf) }
        var x264Parameters = [options["x264-params"]]
        if deterministic {
            options["flags"] = "+bitexact"
            // x264's AVX-512 code reads memory it never wrote: without it, the bits no longer
            // depend on what the heap held before (CPUFeatures.x264AssemblyWithoutAVX512).
            if let assembly = CPUFeatures.x264AssemblyWithoutAVX512 { x264Parameters.append("asm=\(assembly)") }
        }
        if source.frameRate?.isValid == true { x264Parameters.append("force-cfr=1") }
        let joined = x264Parameters.compactMap { $0 }.joined(separator: ":")
        if !joined.isEmpty { options["x264-params"] = joined }
        return VideoEncoderSettings(
            codecName: "libx264", width: width, height: height, pixelFormat: .yuv420p, timeBase: source.timeBase,
            frameRate: source.frameRate, bitRate: bitrate, maxRate: maxrate, bufferSize: bufsize,
            gopSize: keyframes.maximumKeyframeInterval, threadCount: deterministic ? 1 : (threadCount ?? 0),
            globalHeader: globalHeader, options: options)
    }
}

extension AudioSettings {
    /// The `aac` encoder's configuration: planar float samples at the output rate, stamped in
    /// samples (`1/sampleRate`), `+bitexact` in deterministic mode.
    func encoderSettings(deterministic: Bool, globalHeader: Bool) -> AudioEncoderSettings {
        AudioEncoderSettings(
            codecName: "aac", sampleRate: sampleRate, channels: channels, sampleFormat: .fltp, bitRate: bitrate,
            globalHeader: globalHeader, options: deterministic ? ["flags": "+bitexact"] : [:])
    }
}
