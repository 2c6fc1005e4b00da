import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Captions in the recording (`captions:`): HLS subtitle renditions written while the show runs,
    /// judged by our strict parser, the `m3u8` package, ffprobe (X-TIMESTAMP-MAP against the media's
    /// own timestamps) and GStreamer's hlsdemux2.
    @Suite("Recording subtitles", .ownThreads)
    struct RecordingSubtitles {
        static let english = CaptionSource(path: Repository.sampleMedia("captions.en.vtt").path, language: "en")
        static let french = CaptionSource(path: Repository.sampleMedia("captions.fr.srt").path, language: "fr")

        /// `hh:mm:ss.ttt`, as WebVTT writes a cue time.
        static func cueTime(_ milliseconds: Int64) -> String {
            let seconds = milliseconds / 1000
            return String(format: "%02lld:%02lld:%02lld.%03lld", seconds / 3600, seconds / 60 % 60, seconds % 60, milliseconds % 1000)
        }

        @Test(
            "a file run with two caption languages: subtitle playlists that follow the media, cues in the segment that covers them, X-TIMESTAMP-MAP on the media's own timestamps",
            .enabled(if: FFprobe.isInstalled, "needs ffprobe (scripts/setup.sh --test installs it)"),
            arguments: [Container.ts, .fmp4])
        func fileRunWithTwoLanguages(container: Container) async throws {
            try await TemporaryDirectory.with(label: "subtitles-\(container.rawValue)") { directory in
                var spec = LibraryRun.spec(input: SampleInput.mp4.path, container: container, segmentMilliseconds: 4_000)
                spec.captions = [Self.english, Self.french]
                let (_, warnings) = try await LibraryRun.run(spec, into: directory)
                #expect(!warnings.contains { $0.contains("caption") || $0.contains("X-TIMESTAMP-MAP") }, "\(warnings)")
                try await offThePool { try Self.checkRecording(directory, container: container) }
            }
        }

        /// Everything a player and the replay read of a finished recording with `en` and `fr`.
        static func checkRecording(_ output: URL, container: Container) throws {
            let master = try MultivariantPlaylist(
                parsing: try String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))
            #expect(master.renditions.map(\.kind) == [.subtitles, .subtitles])
            #expect(master.renditions.map(\.language) == ["en", "fr"])
            #expect(master.renditions.map(\.name) == ["English", "Français"])
            #expect(master.renditions.map(\.isDefault) == [true, false] && master.renditions.allSatisfy(\.autoselect))
            #expect(master.renditions.map(\.uri) == ["subtitles/en/index.m3u8", "subtitles/fr/index.m3u8"])
            #expect(!master.variants.isEmpty && master.variants.allSatisfy { $0.subtitles == "subs" })

            let media = try MediaPlaylist(
                parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
            let english = CaptionFile.read(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Self.english.path)))).document
            for language in ["en", "fr"] {
                let folder = output.appendingPathComponent("subtitles/\(language)")
                // Our strict parser accepts the playlist, and it follows the media playlist.
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: folder.appendingPathComponent("index.m3u8"), encoding: .utf8))
                #expect(playlist.playlistType == .vod && playlist.endList)
                #expect(playlist.mediaSequence == media.mediaSequence && playlist.targetDuration == media.targetDuration)
                #expect(playlist.segments.map(\.uri) == media.segments.map { RecordingLayout.subtitleSegment(forMedia: $0.uri) })
                #expect(playlist.segments.map(\.durationMilliseconds) == media.segments.map(\.durationMilliseconds))
                #expect(playlist.segments.map(\.programDateTime) == media.segments.map(\.programDateTime))
                #expect(playlist.segments.map(\.discontinuity) == media.segments.map(\.discontinuity))
                var start: Int64 = 0
                for (segment, mediaSegment) in zip(playlist.segments, media.segments) {
                    defer { start += mediaSegment.durationMilliseconds }
                    let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(segment.uri)))
                    let reading = CaptionFile.read(bytes: bytes)
                    #expect(reading.format == .webVTT && reading.problems.isEmpty, "\(segment.uri): \(reading.problems)")
                    // X-TIMESTAMP-MAP: LOCAL is the segment's start on the recording's timeline,
                    // MPEGTS the media's own timestamp of its first video frame (90 kHz), as ffprobe reads it.
                    let header = String(decoding: bytes.prefix(80), as: UTF8.self)
                    let map = try #require(header.firstMatch(of: /X-TIMESTAMP-MAP=MPEGTS:([0-9]+),LOCAL:([0-9:.]+)\n/))
                    #expect(String(map.2) == Self.cueTime(start), "\(segment.uri)")
                    let mediaPath = output.appendingPathComponent("source/\(mediaSegment.uri)").path
                    let packets =
                        container == .ts
                        ? try FFprobe.packets(of: mediaPath)
                        : try FFprobe.packets(
                            ofFragment: mediaPath,
                            initSection: output.appendingPathComponent("source/\(try #require(mediaSegment.map?.uri))").path)
                    let firstVideo = try #require(packets.first?.ptsTime)
                    #expect(abs(Double(map.1)! / 90_000 - firstVideo) < 0.000_1, "\(segment.uri): MPEGTS \(map.1), ffprobe \(firstVideo)")
                    guard language == "en" else { continue }
                    // Every cue that shows during the segment is in it, times on the recording's timeline.
                    let end = start + mediaSegment.durationMilliseconds
                    let expected = english.cues.filter { $0.startMilliseconds < end && $0.endMilliseconds > start }
                    #expect(reading.document.cues.map(\.text) == expected.map(\.text), "\(segment.uri)")
                    #expect(reading.document.cues.map(\.startMilliseconds) == expected.map(\.startMilliseconds))
                }
            }
            // The known cue at 4.0-7.0 s is in the segment that covers 4 s, and only there.
            let grinder = try #require(english.cues.first { $0.text.hasPrefix("This grinder set") })
            var segmentStart: Int64 = 0
            for segment in media.segments {
                let text = try String(
                    contentsOf: output.appendingPathComponent("subtitles/en/\(RecordingLayout.subtitleSegment(forMedia: segment.uri))"),
                    encoding: .utf8)
                let covers = segmentStart < grinder.endMilliseconds && segmentStart + segment.durationMilliseconds > grinder.startMilliseconds
                #expect(text.contains("This grinder set is <i>classic</i>") == covers, "\(segment.uri) from \(segmentStart) ms")
                segmentStart += segment.durationMilliseconds
            }

            // recording.json knows the subtitle renditions.
            let state = try readJSONObject(output.appendingPathComponent("recording.json"))
            let subtitles = state["subtitles"] as? [[String: Any]] ?? []
            #expect(subtitles.map { $0["language"] as? String } == ["en", "fr"])
            #expect(subtitles.map { $0["uri"] as? String } == ["subtitles/en/index.m3u8", "subtitles/fr/index.m3u8"])

            // The `m3u8` package, an independent parser, reads the master and the renditions;
            // GStreamer's hlsdemux2 plays the recording with the English subtitle stream.
            try SubtitleRenditionChecks.m3u8Package(master: output.appendingPathComponent("master.m3u8"), media: media)
            guard let report = try SubtitleRenditionChecks.gstreamer(serving: output) else { return }
            #expect((report["video_frames"] as? Int ?? 0) > 0)
            let (seen, offsets, _) = SubtitleRenditionChecks.cueTiming(report, english: english)
            #expect(Set(english.cues.map { SubtitleRenditionChecks.plain($0.text) }).isSubset(of: Set(seen)), "every cue reaches GStreamer: \(seen)")
            // Every cue lands at the same distance from its time in the file: one mapping for the show.
            #expect(!offsets.isEmpty && (offsets.max() ?? 0) - (offsets.min() ?? 0) < 0.002, "\(offsets)")
        }

        /// What the media and subtitle folders held at one clock reading of a live run.
        struct WindowSnapshot {
            var time: WallClockTime
            var media: MediaPlaylist?
            var subtitles: MediaPlaylist?
            var mediaFiles: Set<String>
            var subtitleFiles: Set<String>

            init(_ directory: URL, at time: WallClockTime) {
                self.time = time
                func read(_ path: String) -> MediaPlaylist? {
                    (FileManager.default.contents(atPath: directory.appendingPathComponent(path).path))
                        .flatMap { try? MediaPlaylist(parsing: String(decoding: $0, as: UTF8.self)) }
                }
                func stems(_ folder: String, _ suffix: String) -> Set<String> {
                    Set(filesBelow(directory.appendingPathComponent(folder)).filter { $0.hasPrefix("seg_") && $0.hasSuffix(suffix) }
                        .map { String($0.dropLast(suffix.count)) })
                }
                media = read("source/live.m3u8")
                subtitles = read("subtitles/en/live.m3u8")
                mediaFiles = stems("source", ".ts")
                subtitleFiles = stems("subtitles/en", ".vtt")
            }
        }

        final class WindowLog: @unchecked Sendable {
            // Invariant: `entries` is only touched with `lock` held.
            private let lock = NSLock()
            private var entries: [WindowSnapshot] = []
            func append(_ snapshot: WindowSnapshot) { lock.withLock { entries.append(snapshot) } }
            var snapshots: [WindowSnapshot] { lock.withLock { entries } }
        }

        @Test("a live run with a 3-segment window: subtitle segments leave the window and are deleted as the media segments are")
        func liveWindow() async throws {
            try await TemporaryDirectory.with(label: "subtitles-live") { directory in
                let log = WindowLog()
                // Every reading moves the clock 2 s on, as if each 2 s segment took 2 s to arrive;
                // before each reading, the folders are photographed as the run left them.
                let clock = ManualClock(start: LibraryRun.fixedDate, stepMilliseconds: 2_000) { previous in
                    if let previous { log.append(WindowSnapshot(directory, at: previous)) }
                }
                var spec = LibraryRun.spec(
                    input: SampleInput.ts.path, container: .ts, segmentMilliseconds: 2_000, live: true, liveWindow: 3,
                    playlists: [.live])
                spec.captions = [Self.english]
                let (summary, warnings) = try await LibraryRun.run(spec, into: directory, clock: clock)
                #expect(!warnings.contains { $0.contains("X-TIMESTAMP-MAP") }, "\(warnings)")
                let total = try #require(summary.renditions.first?.segments)
                let final = WindowSnapshot(directory, at: try #require(clock.lastReading))
                let media = try #require(final.media)
                let subtitles = try #require(final.subtitles)
                #expect(subtitles.segments.count == 3 && subtitles.endList && subtitles.playlistType == nil)
                #expect(subtitles.mediaSequence == media.mediaSequence && subtitles.mediaSequence == 1 + Int64(total - 3))
                #expect(subtitles.discontinuitySequence == media.discontinuitySequence)
                #expect(subtitles.segments.map(\.durationMilliseconds) == media.segments.map(\.durationMilliseconds))
                #expect(subtitles.segments.map(\.programDateTime) == media.segments.map(\.programDateTime))
                let master = try MultivariantPlaylist(
                    parsing: try String(contentsOf: directory.appendingPathComponent("master.m3u8"), encoding: .utf8))
                #expect(master.renditions.map(\.uri) == ["subtitles/en/live.m3u8"])
                #expect(master.variants.map(\.uri) == ["source/live.m3u8"])
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("subtitles/en/index.m3u8").path))

                // While it ran: the subtitle window is the media window, every listed subtitle segment
                // exists, and subtitle files go exactly when their media segments go.
                let snapshots = log.snapshots + [final]
                #expect(snapshots.filter { $0.subtitles != nil }.count >= total - 1)
                for snapshot in snapshots {
                    #expect((snapshot.media == nil) == (snapshot.subtitles == nil), "at \(snapshot.time)")
                    guard let media = snapshot.media, let subtitles = snapshot.subtitles else { continue }
                    // The media playlist is written just before the subtitle playlist: a reading between the
                    // two (another thread may read the clock) sees the subtitles one segment behind.
                    let mediaWindow = media.segments.map { String($0.uri.dropLast(3)) }
                    let subtitleWindow = subtitles.segments.map { String($0.uri.dropLast(4)) }
                    let aligned = subtitleWindow == mediaWindow && subtitles.mediaSequence == media.mediaSequence
                    let oneBehind =
                        subtitles.mediaSequence + 1 == media.mediaSequence
                        && Array(subtitleWindow.dropFirst()) == Array(mediaWindow.dropLast())
                    #expect(aligned || oneBehind, "at \(snapshot.time): \(subtitleWindow) for \(mediaWindow)")
                    for segment in subtitles.segments {
                        #expect(snapshot.subtitleFiles.contains(String(segment.uri.dropLast(4))), "\(segment.uri) listed but missing")
                    }
                    // The clock is read before a new segment is published: its media file may be there
                    // already, its subtitle segment not yet. Otherwise the two folders hold the same numbers.
                    let newest = media.segments.last.map { String($0.uri.dropLast(3)) } ?? ""
                    #expect(snapshot.subtitleFiles.isSubset(of: snapshot.mediaFiles), "at \(snapshot.time)")
                    #expect(
                        snapshot.mediaFiles.subtracting(snapshot.subtitleFiles).allSatisfy { $0 > newest },
                        "at \(snapshot.time): \(snapshot.mediaFiles.subtracting(snapshot.subtitleFiles).sorted())")
                }
                #expect(!final.subtitleFiles.contains("seg_000001"), "old subtitle segments are deleted: \(final.subtitleFiles.sorted())")
                #expect(final.subtitleFiles.isSuperset(of: subtitles.segments.map { String($0.uri.dropLast(4)) }))
            }
        }

        @Test(
            "a live pipe:0 recording killed mid-show and resumed: the subtitle playlists continue from the published segments, a lost subtitle segment is written again",
            .enabled(if: FFprobe.isInstalled, "needs ffprobe (scripts/setup.sh --test installs it)"),
            .timeLimit(.minutes(3)))
        func resumedLiveRecording() async throws {
            try await TemporaryDirectory.with(label: "subtitles-resume") { folder in
                let output = folder.appendingPathComponent("out")
                let arguments = [
                    "segment", "pipe:0", "--live", "-o", output.path, "--segment", "2s", "--captions", "\(Self.english.path):en",
                ]
                let (first, second) = try await offThePool { () throws -> (LiveIngest.Job, LiveIngest.Job) in
                    let keyframes = try SampleFeed.keyframeOffsets()
                    let first = try LiveIngest.cuepoint(arguments, folder: folder, feeding: true, label: "first")
                    try SampleFeed.feed(first, 0..<SampleFeed.boundary(keyframes[4]))
                    guard SampleFeed.waitForSegments(output, atLeast: 3) else {
                        throw RecordingProblem(description: "no 3 segments before the crash:\n\(first.printed)")
                    }
                    kill(first.process.processIdentifier, SIGKILL)
                    first.wait(30)
                    // A crash between a media segment and its subtitle segment: the WebVTT file is lost.
                    try FileManager.default.removeItem(at: output.appendingPathComponent("subtitles/en/seg_000003.vtt"))
                    let second = try LiveIngest.cuepoint(arguments, folder: folder, feeding: true, label: "second")
                    try SampleFeed.feed(second, SampleFeed.boundary(keyframes[4])..<SampleFeed.bytes.count)
                    try SampleFeed.end(second)
                    try second.ended(within: 60)
                    return (first, second)
                }
                #expect(second.process.exitStatus == 0, "\(first.printed)\n\(second.printed)")
                #expect(second.stderr.contains("resuming the unfinished recording"), "\(second.printed)")
                let media = try MediaPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                let subtitles = try MediaPlaylist(
                    parsing: try String(contentsOf: output.appendingPathComponent("subtitles/en/index.m3u8"), encoding: .utf8))
                #expect(subtitles.endList && subtitles.playlistType == .event)
                #expect(subtitles.mediaSequence == media.mediaSequence)
                #expect(subtitles.segments.map(\.uri) == media.segments.map { RecordingLayout.subtitleSegment(forMedia: $0.uri) })
                #expect(subtitles.segments.map(\.durationMilliseconds) == media.segments.map(\.durationMilliseconds))
                #expect(subtitles.segments.map(\.discontinuity) == media.segments.map(\.discontinuity))
                #expect(media.segments.contains { $0.discontinuity }, "the restart is a discontinuity")
                var start: Int64 = 0
                for (segment, mediaSegment) in zip(subtitles.segments, media.segments) {
                    defer { start += mediaSegment.durationMilliseconds }
                    let text = try String(contentsOf: output.appendingPathComponent("subtitles/en/\(segment.uri)"), encoding: .utf8)
                    #expect(text.contains(",LOCAL:\(Self.cueTime(start))\n"), "\(segment.uri): \(text)")
                    let map = try #require(text.firstMatch(of: /MPEGTS:([0-9]+),/))
                    let firstVideo = try #require(
                        try FFprobe.packets(of: output.appendingPathComponent("source/\(mediaSegment.uri)").path).first?.ptsTime)
                    #expect(abs(Double(map.1)! / 90_000 - firstVideo) < 0.000_1, "\(segment.uri): MPEGTS \(map.1), ffprobe \(firstVideo)")
                }
                let rewritten = try String(contentsOf: output.appendingPathComponent("subtitles/en/seg_000003.vtt"), encoding: .utf8)
                #expect(rewritten.contains("This grinder set"), "seg_000003.vtt written again: \(rewritten)")
            }
        }

        @Test("the replay of a recording with subtitle renditions makes its own from the caption files and ignores the recording's")
        func replayOfARecordingWithSubtitles() async throws {
            try await TemporaryDirectory.with(label: "subtitles-replay") { directory in
                let recording = directory.appendingPathComponent("show")
                var spec = LibraryRun.spec(input: SampleInput.mp4.path, container: .ts, segmentMilliseconds: 4_000)
                spec.captions = [Self.english]
                _ = try await LibraryRun.run(spec, into: recording)
                let replay = directory.appendingPathComponent("replay")
                let run = try await offThePool {
                    try CuepointCLI.run([
                        "replay", recording.path, "-o", replay.path, "--no-mp4", "--clips", "none", "--no-thumbnails",
                        "--no-posters", "--no-storyboard", "--captions", "\(Self.english.path):en",
                    ])
                }
                #expect(run.status == 0, "\(run)")
                let master = try MultivariantPlaylist(
                    parsing: try String(contentsOf: replay.appendingPathComponent("master.m3u8"), encoding: .utf8))
                #expect(master.variants.map(\.uri) == ["source/index.m3u8"], "the subtitle folders are not media renditions")
                #expect(master.renditions.map(\.uri) == ["subtitles/en/index.m3u8"])
                #expect(!run.stderr.contains("/subtitles"), "no note about the recording's subtitle folders: \(run.stderr)")
                // The replay's own segments: cue time 0 is the replay's start (LOCAL 0), unlike the recording's.
                let second = try String(contentsOf: replay.appendingPathComponent("subtitles/en/seg_000002.vtt"), encoding: .utf8)
                #expect(second.contains(",LOCAL:00:00:00.000\n") && second.contains("This grinder set"), "\(second)")
            }
        }

        @Test("bad caption files: problems by file and line before the show, an unreadable file's language left out, the recording goes on")
        func badCaptionFiles() async throws {
            try await TemporaryDirectory.with(label: "subtitles-bad") { directory in
                let bad = directory.appendingPathComponent("bad.srt")
                try Data("1\n00:00:01,000 --> 00:00:02,000\nGood.\n\n2\n00:00:3,000 --> 00:00:04,000\nBad timing.\n".utf8).write(to: bad)
                let wide = directory.appendingPathComponent("wide.vtt")
                try Data([0xFF, 0xFE] + Array("WEBVTT\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: wide)
                let missing = directory.appendingPathComponent("missing.vtt")
                let recording = directory.appendingPathComponent("show")
                var spec = LibraryRun.spec(input: SampleInput.mp4.path, container: .ts, segmentMilliseconds: 4_000)
                spec.captions = [
                    Self.english, CaptionSource(path: bad.path, language: "de"), CaptionSource(path: wide.path, language: "fr"),
                    CaptionSource(path: missing.path, language: "es"),
                ]
                let (summary, warnings) = try await LibraryRun.run(spec, into: recording)
                #expect(summary.renditions.first?.segments == 5, "the recording goes on")
                #expect(warnings.contains { $0.hasPrefix("\(bad.path):6: ") && $0.contains("is not a timing line") }, "\(warnings)")
                #expect(warnings.contains("\(wide.path):1: the file is UTF-16, not UTF-8; save it as UTF-8"), "\(warnings)")
                #expect(warnings.contains("\(wide.path): the recording has no fr captions"), "\(warnings)")
                #expect(warnings.contains("\(missing.path): the caption file cannot be read; the recording has no es captions"))
                let master = try MultivariantPlaylist(
                    parsing: try String(contentsOf: recording.appendingPathComponent("master.m3u8"), encoding: .utf8))
                #expect(master.renditions.map(\.language) == ["en", "de"])
                let german = try String(contentsOf: recording.appendingPathComponent("subtitles/de/seg_000001.vtt"), encoding: .utf8)
                #expect(german.contains("Good.") && !german.contains("Bad timing."))
                #expect(!FileManager.default.fileExists(atPath: recording.appendingPathComponent("subtitles/fr").path))

                // `cuepoint validate` reports the same problems by file and line, before any show, and fails.
                let pipeline = directory.appendingPathComponent("show.yaml")
                try Data(
                    """
                    version: 1
                    name: show
                    input:
                      url: \(SampleInput.mp4.path)
                    captions:
                      - { file: \(bad.path), language: de }
                      - { file: \(missing.path), language: es }
                    """.utf8
                ).write(to: pipeline)
                let validated = try await offThePool { try CuepointCLI.run(["validate", pipeline.path]) }
                #expect(validated.status == 2, "\(validated)")
                #expect(validated.stderrLines.contains { $0.hasPrefix("cuepoint: \(bad.path):6: ") }, "\(validated)")
                #expect(validated.stderrLines.contains("cuepoint: \(missing.path): the caption file cannot be read; the recording has no es captions"))
                #expect(validated.stderrLines.last?.contains("2 problem(s) in the caption files") == true, "\(validated)")
                #expect(!validated.stdout.contains("valid"))
            }
        }

        @Test("a re-run of a file job replaces its subtitle segments (they are never overwritten in place)")
        func rerunOfAFileJob() async throws {
            try await TemporaryDirectory.with(label: "subtitles-rerun") { directory in
                var spec = LibraryRun.spec(input: SampleInput.mp4.path, container: .fmp4, segmentMilliseconds: 4_000)
                spec.captions = [Self.english]
                _ = try await LibraryRun.run(spec, into: directory)
                let (summary, _) = try await LibraryRun.run(spec, into: directory)
                #expect(summary.renditions.first?.segments == 5)
                let playlist = try MediaPlaylist(
                    parsing: try String(contentsOf: directory.appendingPathComponent("subtitles/en/index.m3u8"), encoding: .utf8))
                #expect(playlist.segments.count == 5 && playlist.endList)
            }
        }
    }
}
