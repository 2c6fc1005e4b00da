import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration.Replay {
    /// The selling side of a replay: vertical shorts and the reel (ffprobe, ffmpeg's ebur128),
    /// posters, the storyboard, products.vtt, and captions as HLS subtitle renditions (our parser,
    /// the `m3u8` package, GStreamer's hlsdemux2), all from one export of the sample recording.
    @Suite("Shorts, posters, storyboard, captions", .ownThreads) struct Shorts {
        /// The test pipeline's look: small and short, so the suite stays fast.
        static var shortOptions: ShortOptions {
            var options = ShortOptions()
            options.width = 360
            options.height = 640
            options.minimumMilliseconds = 3000
            options.maximumMilliseconds = 6000
            options.burnCaptions = "fr"
            return options
        }

        static var options: ReplayOptions {
            var options = ReplayOptions()
            options.shorts = shortOptions
            var reel = ReelOptions()
            reel.count = 3
            reel.momentMilliseconds = 4000
            options.reel = reel
            options.storyboard?.intervalMilliseconds = 5000
            options.captions = [
                CaptionSource(path: Repository.sampleMedia("captions.en.vtt").path, language: "en"),
                CaptionSource(path: Repository.sampleMedia("captions.fr.srt").path, language: "fr"),
            ]
            return options
        }

        /// Every short's planned window (ShortPlan's rule on the sample's markers, 2 s rolls, 3–6 s).
        static let plannedSeconds: [String: Double] = [
            "p-0001": 6, "p-0002": 6, "p-0003": 6, "p-0004": 6, "p-0005": 6, "p-0006": 4.2,
        ]

        @Test(
            "shorts, reel, posters, storyboard, products track and subtitle renditions of one export",
            .enabled(if: FFprobe.isInstalled, "needs ffprobe and ffmpeg (apt install ffmpeg)"), .timeLimit(.minutes(5)))
        func wholeExport() async throws {
            try await TemporaryDirectory.with(label: "replay-shorts") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output, options: Self.options)
                #expect(result.shorts == 6 && result.reel && result.posters == 12)
                #expect(result.storyboardSheets == 1)
                #expect(result.captions == ["en", "fr"])
                // Bad inputs that are only noted: the pre-roll at the start, the small source, emoji.
                #expect(result.notes.contains("marker p-0001 starts 1.500s into the replay, less than the 2.000s pre-roll; its short starts at 0.000s"))
                #expect(result.notes.contains("the source (640x360) is smaller than the 360x640 shorts: the picture is scaled up 1.78 times (crop)"))
                #expect(result.notes.contains("the title of marker p-0004 has emoji, which the font cannot draw: they are left out of the short"))

                // ffprobe, ffmpeg, python and GStreamer block: off the cooperative pool, which the
                // in-process servers of other suites need meanwhile.
                try await offThePool {
                    try checkShorts(output)
                    try checkReel(output)
                    try checkPostersAndStoryboard(output)
                    try checkProductsTrack(output)
                    try checkCaptions(output)
                    try checkManifest(output)
                }
            }
        }

        func checkShorts(_ output: URL) throws {
            for (id, seconds) in Self.plannedSeconds.sorted(by: { $0.key < $1.key }) {
                let path = output.appendingPathComponent("shorts/\(id).mp4").path
                let probe = try ShortProbe.video(path)
                #expect(probe.codec == "h264" && probe.profile == "High", "\(id): \(probe)")
                #expect(probe.width == 360 && probe.height == 640, "\(id): \(probe)")
                #expect(probe.sampleAspectRatio == "1:1", "\(id): \(probe)")
                // The SPS says the frame rate (VUI timing), so a frame's duration is known from the stream.
                let timing = try H264Timing.read(path)
                #expect(timing.present && timing.fixedFrameRate == true && timing.framesPerSecond == 30, "\(id): \(timing)")
                let frame = 1.0 / 30
                #expect(abs(probe.formatDuration - seconds) <= frame + 0.001, "\(id): \(probe.formatDuration) s, planned \(seconds) s")
                #expect(abs(Double(probe.frames) - seconds * 30) <= 1, "\(id): \(probe.frames) frames")
                let audio = try #require(try FFprobe.streams(of: path).first { $0.codecType == "audio" }, "\(id) has audio")
                #expect(audio.codecName == "aac" && audio.sampleRate == 48000 && audio.channels == 2)
                #expect(try FFprobe.packets(of: path).first?.isKeyframe == true, "\(id) starts on a keyframe")
                #expect(try ReplayProbe.moovFirst(path), "\(id) is faststart")
                let loudness = try ShortProbe.integratedLoudness(path)
                #expect(abs(loudness - Self.shortOptions.loudnessTarget) <= 1, "\(id): \(loudness) LUFS")
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("shorts/\(id).fr.vtt").path))
            }
        }

        func checkReel(_ output: URL) throws {
            let path = output.appendingPathComponent("reel.mp4").path
            let chapters = try ReplayProbe.chapters(of: path)
            let products = try ExpectedMarker.sampleProducts().sorted { $0.startMilliseconds < $1.startMilliseconds }
            #expect(chapters.map(\.title) == products.prefix(3).map(\.title))
            #expect(chapters.first?.startMilliseconds == 0)
            for (left, right) in zip(chapters, chapters.dropFirst()) { #expect(left.endMilliseconds == right.startMilliseconds) }
            let probe = try ShortProbe.video(path)
            #expect(probe.width == 360 && probe.height == 640 && probe.sampleAspectRatio == "1:1")
            let last = try #require(chapters.last)
            #expect(abs(probe.formatDuration * 1000 - Double(last.endMilliseconds)) <= 40, "\(probe.formatDuration) s")
            #expect(abs(try ShortProbe.integratedLoudness(path) - Self.shortOptions.loudnessTarget) <= 1)
        }

        func checkPostersAndStoryboard(_ output: URL) throws {
            for id in Self.plannedSeconds.keys {
                for (suffix, width, height) in [("16x9", 1280, 720), ("9x16", 720, 1280)] {
                    let stream = try #require(try FFprobe.streams(of: output.appendingPathComponent("posters/\(id)-\(suffix).jpg").path).first)
                    #expect(stream.codecName == "mjpeg" && stream.width == width && stream.height == height, "\(id)-\(suffix)")
                }
            }
            let sheet = try #require(try FFprobe.streams(of: output.appendingPathComponent("storyboard.jpg").path).first)
            // Keyframes every 2 s, a tile every 5 s: 0, 6, 10 and 16 s in one row of 160x90 tiles.
            #expect(sheet.width == 640 && sheet.height == 90)
            let reading = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("storyboard.vtt"))))
            #expect(reading.problems.isEmpty)
            #expect(reading.document.cues.map(\.text) == (0..<4).map { "storyboard.jpg#xywh=\($0 * 160),0,160,90" })
            #expect(reading.document.cues.map(\.startMilliseconds) == [0, 6000, 10_000, 16_000])
            #expect(reading.document.cues.last?.endMilliseconds == 20_000)
        }

        func checkProductsTrack(_ output: URL) throws {
            let reading = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("products.vtt"))))
            #expect(reading.format == .webVTT && reading.problems.isEmpty, "\(reading.problems)")
            let chapters = try WebVTTChapters.parse(
                try String(contentsOf: output.appendingPathComponent("chapters.vtt"), encoding: .utf8))
            let cues = reading.document.cues
            #expect(cues.map(\.identifier) == chapters.cues.map(\.identifier), "one card per product chapter")
            #expect(cues.map(\.startMilliseconds) == chapters.cues.map(\.startMilliseconds))
            #expect(cues.map(\.endMilliseconds) == chapters.cues.map(\.endMilliseconds))
            let products = try ExpectedMarker.sampleProducts()
            for cue in cues {
                let card = try #require(try JSONSerialization.jsonObject(with: Data(cue.text.utf8)) as? [String: Any])
                let marker = try #require(products.first { $0.id == cue.identifier })
                #expect(card["id"] as? String == marker.id && card["title"] as? String == marker.title)
                #expect(card["price"] as? String == marker.price && card["url"] as? String == marker.url)
                #expect(card["short"] as? String == "shorts/\(marker.id).mp4")
                #expect((card["posters"] as? [String: String])?["9x16"] == "posters/\(marker.id)-9x16.jpg")
            }
        }

        func checkCaptions(_ output: URL) throws {
            let masterText = try String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8)
            let master = try MultivariantPlaylist(parsing: masterText)
            #expect(master.renditions.map(\.language) == ["en", "fr"])
            #expect(master.renditions.map(\.name) == ["English", "Français"])
            #expect(master.renditions.map(\.isDefault) == [true, false])
            #expect(master.variants.allSatisfy { $0.subtitles == "subs" })
            let media = try MediaPlaylist(
                parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
            let expectedCues = ["en": 5, "fr": 5]
            for rendition in master.renditions {
                let language = try #require(rendition.language)
                let folder = output.appendingPathComponent("subtitles/\(language)")
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: folder.appendingPathComponent("index.m3u8"), encoding: .utf8))
                #expect(playlist.endList && playlist.playlistType == .vod)
                #expect(playlist.targetDuration == media.targetDuration)
                #expect(playlist.segments.map(\.durationMilliseconds) == media.segments.map(\.durationMilliseconds))
                #expect(playlist.segments.map(\.programDateTime) == media.segments.map(\.programDateTime))
                var texts: Set<String> = []
                for (segment, mediaSegment) in zip(playlist.segments, media.segments) {
                    let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(segment.uri)))
                    let reading = CaptionFile.read(bytes: bytes)
                    #expect(reading.problems.isEmpty, "\(segment.uri): \(reading.problems)")
                    texts.formUnion(reading.document.cues.map(\.text))
                    // X-TIMESTAMP-MAP: cue time 0 is the first video frame of the media, in its own PTS.
                    let header = String(decoding: bytes.prefix(80), as: UTF8.self)
                    let mpegts = try #require(header.firstMatch(of: /X-TIMESTAMP-MAP=MPEGTS:([0-9]+),LOCAL:00:00:00.000/))
                    let firstVideo = try #require(
                        try FFprobe.packets(of: output.appendingPathComponent("source/\(mediaSegment.uri)").path)
                            .compactMap(\.ptsTime).min())
                    let replayStart = Double(
                        media.segments.prefix { $0.uri != mediaSegment.uri }.reduce(0) { $0 + $1.durationMilliseconds }) / 1000
                    #expect(abs(Double(mpegts.1)! / 90_000 - (firstVideo - replayStart)) < 0.002, "\(segment.uri)")
                }
                #expect(texts.count == expectedCues[language], "\(language): \(texts)")
                let sidecar = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("captions/\(language).vtt"))))
                #expect(sidecar.document.cues.count == expectedCues[language] && sidecar.problems.isEmpty)
            }
            // The clips' excerpts start at the clip: p-0002's keyframe clip starts at 4 s, as its first cue.
            let excerpt = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("clips/p-0002.en.vtt"))))
            #expect(excerpt.document.cues.first?.startMilliseconds == 0)
            #expect(excerpt.document.cues.first?.text.hasPrefix("This grinder set") == true)

            // The m3u8 package reads the same renditions and playlists. GStreamer's hlsdemux2 plays
            // the package with the default rendition's cues, every segment's X-TIMESTAMP-MAP putting
            // each cue at the same distance from its replay time.
            try SubtitleRenditionChecks.m3u8Package(master: output.appendingPathComponent("master.m3u8"), media: media)
            guard let report = try SubtitleRenditionChecks.gstreamer(serving: output) else { return }
            #expect(report["video_frames"] as? Int == 600)
            let english = CaptionFile.read(bytes: Array(try Data(contentsOf: output.appendingPathComponent("captions/en.vtt")))).document
            let (seen, offsets, delivered) = SubtitleRenditionChecks.cueTiming(report, english: english)
            #expect(Set(english.cues.map { SubtitleRenditionChecks.plain($0.text) }).isSubset(of: Set(seen)), "every cue reaches GStreamer: \(seen)")
            #expect(offsets.count == delivered && (offsets.max() ?? 0) - (offsets.min() ?? 0) < 0.002, "\(offsets)")
        }

        func checkManifest(_ output: URL) throws {
            let manifest = try readJSONObject(output.appendingPathComponent("replay.json"))
            let files = manifest["files"] as? [String] ?? []
            let onDisk = filesBelow(output).filter { path in
                let parts = path.split(separator: "/")
                return path != "replay.json" && !(parts.count == 2 && parts[0] == "source" && !path.hasSuffix(".m3u8"))
            }
            #expect(Set(files) == Set(onDisk), "replay.json lists every file: \(Set(onDisk).symmetricDifference(files))")
            let outputs = manifest["outputs"] as? [String: Any] ?? [:]
            #expect((outputs["shorts"] as? [String])?.count == 6)
            #expect(outputs["reel"] as? String == "reel.mp4")
            #expect((outputs["posters"] as? [String])?.count == 12)
            #expect(outputs["storyboard"] as? [String] == ["storyboard.jpg", "storyboard.vtt"])
            #expect(outputs["subtitles"] as? [String] == ["subtitles/en/index.m3u8", "subtitles/fr/index.m3u8"])
            #expect(outputs["captions"] as? [String: String] == ["en": "captions/en.vtt", "fr": "captions/fr.vtt"])
            #expect(outputs["products_track"] as? String == "products.vtt")
        }
    }
}

/// ffprobe and ffmpeg's ebur128 on a short.
enum ShortProbe {
    struct Video: CustomStringConvertible {
        var codec: String
        var profile: String
        var width: Int
        var height: Int
        var sampleAspectRatio: String
        var frames: Int
        var formatDuration: Double
        var description: String {
            "\(codec) \(profile) \(width)x\(height) SAR \(sampleAspectRatio), \(frames) frames, \(formatDuration) s"
        }
    }

    static func video(_ path: String) throws -> Video {
        let output = try ExternalProgram.run(
            "/usr/bin/ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
             "stream=codec_name,profile,width,height,sample_aspect_ratio,nb_read_packets:format=duration", "-of", "json", path])
        let object = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any], "\(output.stderrText)")
        let stream = try #require((object["streams"] as? [[String: Any]])?.first)
        let format = object["format"] as? [String: Any] ?? [:]
        return Video(
            codec: stream["codec_name"] as? String ?? "", profile: stream["profile"] as? String ?? "",
            width: stream["width"] as? Int ?? 0, height: stream["height"] as? Int ?? 0,
            sampleAspectRatio: stream["sample_aspect_ratio"] as? String ?? "", frames: Int(stream["nb_read_packets"] as? String ?? "") ?? 0,
            formatDuration: Double(format["duration"] as? String ?? "") ?? 0)
    }

    /// The integrated loudness ffmpeg's `ebur128` filter measures, in LUFS.
    static func integratedLoudness(_ path: String) throws -> Double {
        let output = try ExternalProgram.run(
            "/usr/bin/ffmpeg", ["-nostdin", "-hide_banner", "-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"])
        let text = output.stderrText
        let summary = try #require(text.range(of: "Integrated loudness:"), "no ebur128 summary: \(text.suffix(400))")
        let line = try #require(text[summary.upperBound...].split(separator: "\n").first { $0.contains("I:") })
        return try #require(Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? ""))
    }
}
