import CuepointFFmpeg
import CuepointTime
import Foundation

/// Renders vertical videos from the replay's main rendition: a short (one moment) or the reel
/// (several moments back to back, a chapter each).
///
/// For each moment, the segments holding its window are read (``RenditionReader``, on the
/// replay's timeline) twice:
///
/// 1. **Measure**: the audio is decoded and its window measured (``ShortGraph/measurementAudio(startTicks:endTicks:)``).
/// 2. **Render**: video frames whose time falls in the window go through the video graph (scale,
///    crop or blur, text) into libx264 (High profile, a keyframe every 2 s, so the short starts on
///    one); the audio through the normalising graph into AAC (48 kHz stereo, 128 kbit/s).
///
/// Both encoders feed one MP4 muxer with `movflags=+faststart`. Times in the output start at 0
/// and the moments of a reel follow each other. Runs on the calling thread (the export's own);
/// libx264 and the decoder use their own threads.
final class ShortRenderer {
    /// One stretch of the replay to render.
    struct Moment {
        var window: ShortPlan.Window
        /// Text on the picture (the product's, and burned-in captions on this moment's timeline).
        var lines: [ShortGraph.TextLine]
        /// The crop's centre across the source (0 to 1), from the marker's `crop_x`.
        var cropX: Double?
        /// The chapter title (reel).
        var title: String
    }

    /// What was written.
    struct Rendered {
        var videoFrames: Int
        var durationMilliseconds: Int64
    }

    private let reader: RenditionReader
    private let video: StreamInfo
    private let audio: StreamInfo?
    private let options: ShortOptions

    /// The output frame rate: the source's, or 30 when it declares none.
    private var frameRate: Rational { video.frameRate ?? Rational(30, 1) }

    init(reader: RenditionReader, video: StreamInfo, audio: StreamInfo?, options: ShortOptions) {
        self.reader = reader
        self.video = video
        self.audio = audio
        self.options = options
    }

    /// Renders `moments` into the MP4 file at `path`, with one chapter per moment when `chapters`.
    ///
    /// - Throws: `FFmpegError` from the codecs, graphs or muxer, ``CuepointError`` when the
    ///   segments cannot be read.
    func render(_ moments: [Moment], to path: String, chapters: Bool) throws -> Rendered {
        let videoEncoder = try Encoder(
            video: VideoEncoderSettings(
                codecName: "libx264", width: options.width, height: options.height, pixelFormat: .yuv420p,
                timeBase: video.timeBase, frameRate: frameRate,
                gopSize: Int((2 * frameRate.numerator + frameRate.denominator - 1) / frameRate.denominator),
                sampleAspectRatio: Rational(1, 1), globalHeader: true,
                // force-cfr=1: the SPS's VUI timing gives the frame rate (see VideoSettings.encoderSettings).
                options: [
                    "preset": options.preset, "crf": String(options.quality), "profile": "high", "x264-params": "force-cfr=1",
                ]))
        let audioEncoder = try audio.map { _ in
            try Encoder(
                audio: AudioEncoderSettings(
                    codecName: "aac", sampleRate: 48000, channels: 2, sampleFormat: .fltp, bitRate: 128_000,
                    globalHeader: true))
        }
        let muxer = try Muxer(formatName: "mp4", path: path)
        var finished = false
        defer { if !finished { muxer.abandon() } }
        let videoIndex = try muxer.addStream(encoder: videoEncoder)
        let audioIndex = try audioEncoder.map { try muxer.addStream(encoder: $0) }
        if chapters {
            var start: Int64 = 0
            for (number, moment) in moments.enumerated() {
                try muxer.addChapter(
                    id: Int64(number + 1), start: start, end: start + moment.window.durationMilliseconds,
                    timeBase: .milliseconds, title: moment.title)
                start += moment.window.durationMilliseconds
            }
        }
        try muxer.writeHeader(options: ["movflags": "+faststart"])
        let frameTicks = MediaTime(ticks: 1, timeBase: Rational(frameRate.denominator, frameRate.numerator))
            .rescaled(to: video.timeBase).ticks
        // The encoder takes 1024-sample frames only, the last excepted; a reel's moments each end
        // with a shorter one, so the samples of every moment queue here first.
        let audioQueue = try audioEncoder.map { _ in
            try AudioFIFO(sampleFormat: .fltp, channels: 2, sampleRate: 48000, frameSize: 1024)
        }
        func writeVideo(_ packet: Packet) throws {
            if packet.duration == 0 { packet.duration = frameTicks }
            try muxer.write(packet, toStream: videoIndex)
        }
        var frames = 0
        var offset: Int64 = 0
        for moment in moments {
            let measurement = try audio.map { try measure(moment, stream: $0) } ?? nil
            frames += try renderMoment(
                moment, offsetMilliseconds: offset, measurement: measurement, videoEncoder: videoEncoder,
                audioEncoder: audioEncoder, audioQueue: audioQueue, writeVideo: writeVideo,
                writeAudio: { packet in if let audioIndex { try muxer.write(packet, toStream: audioIndex) } })
            offset += moment.window.durationMilliseconds
        }
        try drain(videoEncoder, flush: true, writeVideo)
        if let audioEncoder, let audioIndex, let audioQueue {
            let write: (Packet) throws -> Void = { try muxer.write($0, toStream: audioIndex) }
            while let rest = try audioQueue.drain() {
                try audioEncoder.send(rest)
                try drain(audioEncoder, flush: false, write)
            }
            try drain(audioEncoder, flush: true, write)
        }
        try muxer.finish()
        finished = true
        return Rendered(videoFrames: frames, durationMilliseconds: offset)
    }

    /// The first pass: the loudness of the moment's audio (nil when it has no audio frames).
    private func measure(_ moment: Moment, stream: StreamInfo) throws -> LoudnessMeasurement? {
        let window = moment.window
        let decoder = try Decoder(stream: stream)
        let frame = Frame()
        let output = Frame()
        var graph: FilterGraph?
        var measurement: LoudnessMeasurement?
        func drainGraph(_ graph: FilterGraph) throws {
            while try graph.receive(into: output) == .frame {
                guard let integrated = output.metadata("lavfi.r128.I").flatMap(Double.init) else { continue }
                let range = output.metadata("lavfi.r128.LRA").flatMap(Double.init) ?? 0
                let peak = output.metadata("lavfi.r128.true_peak").flatMap(Double.init) ?? 0
                measurement = LoudnessMeasurement(
                    integrated: integrated.isFinite ? max(-70, integrated) : -70, range: range,
                    truePeak: peak > 0 ? 20 * log10(peak) : -99)
            }
        }
        func decoded() throws {
            while try decoder.receive(into: frame) == .frame {
                let active =
                    try graph
                    ?? FilterGraph(
                        ShortGraph.measurementAudio(
                            startMilliseconds: window.startMilliseconds, endMilliseconds: window.endMilliseconds),
                        inputs: [.audio(Self.audioInput(frame, stream: stream))], outputs: [.audio()])
                graph = active
                try active.send(frame)
                try drainGraph(active)
            }
        }
        try reader.read(positions: reader.positions(from: window.startMilliseconds, to: window.endMilliseconds)) { item in
            guard item.kind == .audio else { return }
            try decoder.send(item.packet)
            try decoded()
        }
        try decoder.send(nil)
        try decoded()
        if let graph {
            try graph.send(nil)
            try drainGraph(graph)
        }
        return measurement
    }

    /// The second pass over one moment; returns the video frames encoded.
    private func renderMoment(
        _ moment: Moment, offsetMilliseconds: Int64, measurement: LoudnessMeasurement?, videoEncoder: Encoder,
        audioEncoder: Encoder?, audioQueue: AudioFIFO?, writeVideo: (Packet) throws -> Void,
        writeAudio: (Packet) throws -> Void
    ) throws -> Int {
        let window = moment.window
        let videoDecoder = try Decoder(stream: video, threadCount: 0)
        let audioDecoder = try audioEncoder == nil ? nil : audio.map { try Decoder(stream: $0) }
        let frame = Frame()
        let filtered = Frame()
        var videoGraph: FilterGraph?
        var audioGraph: FilterGraph?
        var frames = 0
        let videoStart = MediaTime.milliseconds(window.startMilliseconds).rescaled(to: video.timeBase).ticks
        let videoEnd = MediaTime.milliseconds(window.endMilliseconds).rescaled(to: video.timeBase).ticks
        let videoOffset = MediaTime.milliseconds(offsetMilliseconds).rescaled(to: video.timeBase).ticks
        let audioOffset = MediaTime.milliseconds(offsetMilliseconds).rescaled(to: Rational(1, 48000)).ticks

        func drainVideo(_ graph: FilterGraph) throws {
            while try graph.receive(into: filtered) == .frame {
                filtered.pts = (filtered.pts ?? 0) + videoOffset
                filtered.pictureType = .none
                try videoEncoder.send(filtered)
                frames += 1
                try drain(videoEncoder, flush: false, writeVideo)
            }
        }
        func decodedVideo() throws {
            while try videoDecoder.receive(into: frame) == .frame {
                guard let pts = frame.bestEffortTimestamp ?? frame.pts, pts >= videoStart, pts < videoEnd else { continue }
                frame.pts = pts - videoStart
                let graph =
                    try videoGraph
                    ?? FilterGraph(
                        ShortGraph(sourceWidth: frame.width, sourceHeight: frame.height, sampleAspectRatio: frame.sampleAspectRatio)
                            .video(
                                width: options.width, height: options.height, fit: options.fit, cropX: moment.cropX,
                                lines: moment.lines, font: options.font),
                        inputs: [.video(.init(like: frame, timeBase: video.timeBase, frameRate: frameRate))], outputs: [.video()])
                videoGraph = graph
                try graph.send(frame)
                try drainVideo(graph)
            }
        }
        func drainAudio(_ graph: FilterGraph) throws {
            guard let audioEncoder, let audioQueue else { return }
            while try graph.receive(into: filtered) == .frame {
                filtered.pts = (filtered.pts ?? 0) + audioOffset
                try audioQueue.push(filtered)
                while let full = try audioQueue.pop() {
                    try audioEncoder.send(full)
                    try drain(audioEncoder, flush: false, writeAudio)
                }
            }
        }
        func decodedAudio() throws {
            guard let audioDecoder, let audio else { return }
            while try audioDecoder.receive(into: frame) == .frame {
                let graph =
                    try audioGraph
                    ?? FilterGraph(
                        ShortGraph.normalisedAudio(
                            startMilliseconds: window.startMilliseconds, endMilliseconds: window.endMilliseconds,
                            measurement: measurement ?? LoudnessMeasurement(integrated: -70, range: 0, truePeak: -99),
                            options: options),
                        inputs: [.audio(Self.audioInput(frame, stream: audio))], outputs: [.audio()])
                audioGraph = graph
                try graph.send(frame)
                try drainAudio(graph)
            }
        }
        try reader.read(positions: reader.positions(from: window.startMilliseconds, to: window.endMilliseconds)) { item in
            switch item.kind {
            case .video:
                try videoDecoder.send(item.packet)
                try decodedVideo()
            case .audio:
                guard let audioDecoder else { return }
                try audioDecoder.send(item.packet)
                try decodedAudio()
            }
        }
        try videoDecoder.send(nil)
        try decodedVideo()
        if let videoGraph {
            try videoGraph.send(nil)
            try drainVideo(videoGraph)
        }
        if let audioDecoder {
            try audioDecoder.send(nil)
            try decodedAudio()
        }
        if let audioGraph {
            try audioGraph.send(nil)
            try drainAudio(audioGraph)
        }
        return frames
    }

    private func drain(_ encoder: Encoder, flush: Bool, _ write: (Packet) throws -> Void) throws {
        if flush { try encoder.send(nil) }
        while true {
            let packet = Packet()
            guard try encoder.receive(into: packet) == .packet else { return }
            try write(packet)
        }
    }

    private static func audioInput(_ frame: Frame, stream: StreamInfo) -> FilterGraph.AudioInput {
        FilterGraph.AudioInput(
            sampleRate: frame.sampleRate, channels: frame.channels, sampleFormat: frame.sampleFormat,
            timeBase: stream.timeBase)
    }
}
