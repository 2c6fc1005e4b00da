import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@Suite(.ownThreads) struct FilterGraphTests {
    static let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static var fontInstalled: Bool { FileManager.default.fileExists(atPath: font) }

    @Test func scalesAndCropsVideoKeepingTimestamps() throws {
        var graph: FilterGraph?
        var sent: [Int64] = []
        var received: [Int64] = []
        let output = Frame()
        try TestMedia.decodeVideo(count: 5) { frame, _ in
            let active =
                try graph
                ?? FilterGraph(
                    "scale=-2:640,crop=360:640,setsar=1,format=yuv420p",
                    inputs: [.video(.init(like: frame, timeBase: Rational(1, 15360)))], outputs: [.video()])
            graph = active
            sent.append(try #require(frame.pts))
            try active.send(frame)
            while try active.receive(into: output) == .frame {
                #expect(output.width == 360 && output.height == 640 && output.pixelFormat == .yuv420p)
                received.append(try #require(output.pts))
            }
        }
        let active = try #require(graph)
        try active.send(nil)
        while try active.receive(into: output) == .frame { received.append(try #require(output.pts)) }
        #expect(try active.receive(into: output) == .endOfStream)
        #expect(received == sent)
        let format = try #require(active.outputFormats.first)
        #expect(format.width == 360 && format.height == 640 && format.pixelFormat == .yuv420p)
        #expect(format.timeBase == Rational(1, 15360))
        #expect(format.sampleAspectRatio == Rational(1, 1))
    }

    @Test func audioSinkCutsFramesOfTheAskedSize() throws {
        var graph: FilterGraph?
        var sizes: [Int] = []
        var total = 0
        let output = Frame()
        try GeneratedMedia.decodeAudio(TestMedia.sample("audio-only.m4a")) { frame, stream in
            let active =
                try graph
                ?? FilterGraph(
                    "aresample=44100,aformat=sample_fmts=fltp",
                    inputs: [.audio(.init(sampleRate: frame.sampleRate, channels: frame.channels, sampleFormat: frame.sampleFormat, timeBase: stream.timeBase))],
                    outputs: [.audio(frameSize: 1000)])
            graph = active
            try active.send(frame)
            while try active.receive(into: output) == .frame { sizes.append(output.sampleCount) }
        }
        let active = try #require(graph)
        try active.send(nil)
        while try active.receive(into: output) == .frame { sizes.append(output.sampleCount) }
        total = sizes.reduce(0, +)
        #expect(sizes.dropLast().allSatisfy { $0 == 1000 })
        #expect((1...1000).contains(sizes.last ?? 0))
        #expect(active.outputFormats.first?.sampleRate == 44100)
        #expect(active.outputFormats.first?.channels == 2)
        #expect(active.outputFormats.first?.sampleFormat == .fltp)
        // 20 s at 44.1 kHz, give or take the AAC stream's priming and padding.
        #expect(abs(total - 20 * 44100) < 44100 / 10, "\(total) samples")
    }

    /// ebur128's measurement reaches the frames' metadata, and agrees with the `ffmpeg` program's.
    @Test(.enabled(if: GeneratedMedia.ffmpegInstalled, "needs /usr/bin/ffmpeg"))
    func frameMetadataCarriesLoudness() throws {
        var graph: FilterGraph?
        var integrated: Double?
        let output = Frame()
        func drain(_ graph: FilterGraph) throws {
            while try graph.receive(into: output) == .frame {
                if let value = output.metadata("lavfi.r128.I") { integrated = Double(value) }
            }
        }
        try GeneratedMedia.decodeAudio(TestMedia.sample("audio-only.m4a")) { frame, stream in
            let active =
                try graph
                ?? FilterGraph(
                    "ebur128=metadata=1",
                    inputs: [.audio(.init(sampleRate: frame.sampleRate, channels: frame.channels, sampleFormat: frame.sampleFormat, timeBase: stream.timeBase))],
                    outputs: [.audio()])
            graph = active
            try active.send(frame)
            try drain(active)
        }
        let active = try #require(graph)
        try active.send(nil)
        try drain(active)
        let ours = try #require(integrated)
        let theirs = try Self.ffmpegIntegratedLoudness(TestMedia.sample("audio-only.m4a"))
        #expect(abs(ours - theirs) < 0.15, "ours \(ours) LUFS, ffmpeg \(theirs) LUFS")
        #expect(active.option("metadata", ofFilter: "Parsed_ebur128_0") == "true")
        #expect(active.option("nosuch", ofFilter: "Parsed_ebur128_0") == nil)
    }

    /// Text with every character the graph syntax treats specially reaches drawtext unchanged.
    @Test(.enabled(if: FilterGraphTests.fontInstalled, "needs fonts-dejavu-core"))
    func quotedTextReachesTheFilterUnchanged() throws {
        let texts = [
            #"Chef's Knife 8" — 50% off: "today", [new]; a,b \ c"#, "  spaces at both ends  ", "two\nlines",
            #"\'"#, "''", "%{pts}",
        ]
        for text in texts {
            let graph = try FilterGraph(
                "drawtext@title=fontfile=\(FilterGraph.quoted(Self.font)):expansion=none:text=\(FilterGraph.quoted(text))",
                inputs: [.video(.init(width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25)))],
                outputs: [.video()])
            #expect(graph.option("text", ofFilter: "title") == text, "\(text)")
        }
    }

    @Test func anUnknownFilterIsNamed() throws {
        #expect {
            _ = try FilterGraph(
                "scale=32:32,nosuchfilter",
                inputs: [.video(.init(width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25)))],
                outputs: [.video()])
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avfilter_graph_parse_ptr" && error.message.contains("nosuchfilter")
        }
    }

    /// Debian's libavfilter is built with libfribidi: drawtext shapes right-to-left text when it is
    /// set up, and keeps it in visual order (a Hebrew line reversed), so it draws it right.
    @Test(.enabled(if: FilterGraphTests.fontInstalled, "needs fonts-dejavu-core"))
    func drawtextShapesRightToLeftText() throws {
        func stored(_ text: String, shaping: Bool) throws -> String? {
            try FilterGraph(
                "drawtext@t=fontfile=\(FilterGraph.quoted(Self.font)):expansion=none:text_shaping=\(shaping ? 1 : 0):text=\(FilterGraph.quoted(text))",
                inputs: [.video(.init(width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25)))],
                outputs: [.video()]
            ).option("text", ofFilter: "t")
        }
        #expect(try stored("שלום עולם", shaping: true) == "םלוע םולש")
        #expect(try stored("שלום עולם", shaping: false) == "שלום עולם")
        #expect(try stored("Chef's Knife", shaping: true) == "Chef's Knife")
    }

    /// drawtext falls back to fontconfig's default font when its font file is missing, so a graph
    /// with a wrong path still builds: callers check the file themselves (the shorts do).
    @Test func aMissingFontFileDoesNotFailTheGraph() throws {
        let graph = try FilterGraph(
            "drawtext@t=fontfile=/nonexistent/NoSuchFont.ttf:text=x",
            inputs: [.video(.init(width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25)))],
            outputs: [.video()])
        #expect(graph.option("fontfile", ofFilter: "t") == "/nonexistent/NoSuchFont.ttf")
    }

    @Test func aFilterOfTheWrongMediaTypeIsNamed() throws {
        #expect {
            _ = try FilterGraph(
                "volume=2",
                inputs: [.video(.init(width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25)))],
                outputs: [.video()])
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.function == "avfilter_graph_parse_ptr" && error.message.contains("volume=2")
        }
    }

    @Test func anUnconnectedLabelIsNamed() throws {
        #expect {
            _ = try FilterGraph(
                "[in]scale=32:32[out]",
                inputs: [
                    .video(.init(label: "in", width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25))),
                    .video(.init(label: "logo", width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25))),
                ],
                outputs: [.video()])
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.message.contains("[logo]")
        }
    }

    @Test func twoInputsOverlaid() throws {
        let graph = try FilterGraph(
            "[bg][fg]overlay=x=8:y=8,format=yuv420p[out]",
            inputs: [
                .video(.init(label: "bg", width: 64, height: 64, pixelFormat: .yuv420p, timeBase: Rational(1, 25))),
                .video(.init(label: "fg", width: 16, height: 16, pixelFormat: .yuv420p, timeBase: Rational(1, 25))),
            ],
            outputs: [.video()])
        let background = try Frame(width: 64, height: 64, pixelFormat: .yuv420p)
        let foreground = try Frame(width: 16, height: 16, pixelFormat: .yuv420p)
        background.pts = 0
        foreground.pts = 0
        try graph.send(background, to: 0)
        try graph.send(foreground, to: 1)
        try graph.send(nil, to: 0)
        try graph.send(nil, to: 1)
        let output = Frame()
        var count = 0
        while try graph.receive(into: output) == .frame {
            #expect(output.width == 64 && output.height == 64)
            count += 1
        }
        #expect(count == 1)
    }

    /// `ffmpeg -af ebur128` on `path`: the summary's integrated loudness, in LUFS.
    static func ffmpegIntegratedLoudness(_ path: String) throws -> Double {
        let text = try Program.runBlocking(
            "/usr/bin/ffmpeg", ["-nostdin", "-hide_banner", "-i", path, "-af", "ebur128", "-f", "null", "-"]
        ).stderrText
        // The summary's "Integrated loudness:" block: "    I:         -20.5 LUFS".
        let summary = try #require(text.range(of: "Integrated loudness:"))
        let line = try #require(text[summary.upperBound...].split(separator: "\n").first { $0.contains("I:") })
        return try #require(Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? ""))
    }
}
