import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration.ProductMarkers {
    /// sample.mp4 with SampleMedia/products.jsonl through `PipelineRunner`: date ranges in every
    /// media playlist, timed ID3 in TS segments, `emsg` in fMP4 segments, the marker log.
    @Suite("Markers in playlists and segments", .ownThreads)
    struct InPlaylistsAndSegments {
        // MARK: TS

        /// The recorded inputs with video (the markers are cut on video).
        static let inputs: [SampleInput] = [.mp4, .ts]

        @Test(
            "TS, two renditions: one identical DATERANGE set per playlist, each at the segment holding its start",
            arguments: InPlaylistsAndSegments.inputs)
        func tsDateRanges(input: SampleInput) async throws {
            try await TemporaryDirectory.with(label: "markers-ts") { directory in
                let spec = MarkerRuns.spec(container: .ts, renditions: ["a", "b"], input: input)
                let (_, warnings) = try await LibraryRun.run(spec, into: directory)
                #expect(warnings.isEmpty, "valid markers on a clean input give no warnings: \(warnings)")
                let expected = try ExpectedMarker.sampleProducts()
                #expect(expected.count == 6)

                let recording = try verifyRecording(directory: directory, container: .ts, segmentMilliseconds: 4_000)
                #expect(recording.master.variants.map(\.uri) == ["a/index.m3u8", "b/index.m3u8"])
                // The timed-ID3 stream changes nothing in the variants (CODECS stays).
                try expectVariantDescribes(source: input.path, recording: recording)
                for rendition in recording.renditions {
                    let name = rendition.playlistURL.path
                    #expect(rendition.playlist.segments.first?.programDateTime == LibraryRun.fixedDate)
                    expectContinuousProgramDateTime(rendition.playlist)
                    expectDateRanges(
                        in: rendition.playlist, name: name, describe: expected, className: MarkerRuns.className,
                        recordingStart: LibraryRun.fixedDate)
                    expectRoundTrip(rendition.text, name)
                }
                // The same set everywhere: the parsed tags (ID and every attribute) and the lines as written.
                let a = recording.renditions[0], b = recording.renditions[1]
                #expect(a.playlist.placedDateRanges.map(\.range) == b.playlist.placedDateRanges.map(\.range))
                #expect(
                    a.playlist.placedDateRanges.map(\.segmentIndex) == b.playlist.placedDateRanges.map(\.segmentIndex))
                #expect(dateRangeLines(a.text) == dateRangeLines(b.text))
                #expect(dateRangeLines(a.text).count == expected.count)

                // ffprobe sees the timed-ID3 data stream in every segment.
                for rendition in recording.renditions {
                    for segment in rendition.segments {
                        let streams = try FFprobe.streams(of: segment.file.path)
                        #expect(
                            streams.contains { $0.codecType == "data" && $0.codecName == "timed_id3" },
                            "\(segment.file.path): no timed_id3 data stream (\(streams.map { "\($0.codecType)/\($0.codecName ?? "?")" }))"
                        )
                    }
                }

                // markers.jsonl: one add per marker, with the placed times.
                let events = try MarkerLogEvent.read(directory)
                #expect(events.map(\.event) == Array(repeating: "add", count: expected.count), "\(events.map(\.event))")
                #expect(events.compactMap(\.id).sorted() == expected.map(\.id).sorted())
                for marker in expected {
                    let logged = events.first { $0.id == marker.id }?.marker
                    #expect(
                        MarkerLogEvent.milliseconds(logged?["start"]) == marker.startMilliseconds,
                        "log start of \(marker.id)")
                    #expect(
                        MarkerLogEvent.milliseconds(logged?["duration"]) == marker.durationMilliseconds,
                        "log duration of \(marker.id)")
                    #expect(sameScalars(logged?["title"] as? String, marker.title), "log title of \(marker.id)")
                }
            }
        }

        @Test(
            "TS: each marker's timed ID3 (PyAV + mutagen) holds the card at its start, in the segment holding it",
            .enabled(if: TimedID3Reader.isAvailable, "needs python3 with PyAV (`av`) and mutagen"),
            arguments: InPlaylistsAndSegments.inputs)
        func tsTimedID3(input: SampleInput) async throws {
            try await TemporaryDirectory.with(label: "markers-ts-id3") { directory in
                _ = try await LibraryRun.run(
                    MarkerRuns.spec(container: .ts, renditions: ["a", "b"], input: input), into: directory)
                let expected = try ExpectedMarker.sampleProducts()
                for rendition in ["a", "b"] {
                    let playlistURL = directory.appendingPathComponent("\(rendition)/index.m3u8")
                    let playlist = try MediaPlaylist(
                        parsing: String(decoding: try Data(contentsOf: playlistURL), as: UTF8.self))
                    let files = playlist.segments.map {
                        directory.appendingPathComponent("\(rendition)/\($0.uri)").path
                    }
                    let segments = try TimedID3Reader.read(files)
                    try #require(segments.count == files.count)
                    let origin = try #require(
                        segments.first?.first_video_pts, "\(rendition): no video in the first segment")
                    let frame = 1.0 / 30
                    var seen: [String] = []
                    for (index, segment) in segments.enumerated() {
                        #expect(segment.error == nil, "\(segment.file): \(segment.error ?? "")")
                        #expect(
                            segment.data_streams?.contains { $0.codec == "timed_id3" } == true,
                            "\(segment.file): PyAV finds no timed_id3 stream: \(segment.data_streams ?? [])")
                        for tag in segment.id3 {
                            let where_ = "\(segment.file) ID3 at \(tag.pts ?? -1)"
                            #expect(tag.error == nil, "\(where_): mutagen: \(tag.error ?? "")")
                            #expect(
                                tag.header == "494433040000",
                                "\(where_): header \(tag.header ?? "?") is not ID3v2.4.0 without flags")
                            #expect(tag.version == [2, 4, 0], "\(where_): version \(tag.version ?? [])")
                            guard let json = tag.markerJSON, let id = cardObject(json)?["id"] as? String,
                                let marker = expected.first(where: { $0.id == id })
                            else {
                                Issue.record(
                                    "\(where_): no TXXX com.cuepoint.marker with a known marker's card: \(tag.txxx ?? [:])"
                                )
                                continue
                            }
                            seen.append(id)
                            expectCard(json, describes: marker, where_)
                            #expect(
                                tag.privateID == marker.id,
                                "\(where_): PRIV com.cuepoint.marker holds \(tag.privateID ?? "nothing")")
                            let offset = (tag.pts ?? .nan) - origin
                            #expect(
                                abs(offset - Double(marker.startMilliseconds) / 1000) <= frame + 1e-6,
                                "\(where_): \(offset) s after the first video frame; \(marker.id) starts at \(marker.startMilliseconds) ms"
                            )
                            #expect(
                                playlist.segmentIndex(holdingMilliseconds: marker.startMilliseconds) == index,
                                "\(where_): \(marker.id) is in-band in \(playlist.segments[index].uri), not in the segment holding its start"
                            )
                        }
                    }
                    #expect(
                        seen.sorted() == expected.map(\.id).sorted(),
                        "\(rendition): one ID3 tag per marker, found \(seen)")
                }
            }
        }

        @Test(
            "a recording with in-band markers (timed ID3 in TS, emsg in fMP4) plays to the end in GStreamer",
            .enabled(if: GStreamer.isInstalled), arguments: Container.allCases)
        func plays(container: Container) async throws {
            try await TemporaryDirectory.with(label: "markers-play") { directory in
                _ = try await LibraryRun.run(
                    MarkerRuns.spec(container: container, renditions: ["a", "b"], inline: [MarkerRuns.inlineMug]),
                    into: directory)
                try expectPlays(directory.appendingPathComponent("a/index.m3u8"), videoFrames: 600)
                try expectPlays(directory.appendingPathComponent("master.m3u8"), videoFrames: 600)
            }
        }

        // MARK: fMP4

        @Test(
            "fMP4: a version-1 ID3 emsg before moof in each segment holding a marker start, none elsewhere",
            arguments: InPlaylistsAndSegments.inputs)
        func fmp4EventMessages(input: SampleInput) async throws {
            try await TemporaryDirectory.with(label: "markers-fmp4") { directory in
                let spec = MarkerRuns.spec(container: .fmp4, inline: [MarkerRuns.inlineMug], input: input)
                let (_, warnings) = try await LibraryRun.run(spec, into: directory)
                #expect(warnings.isEmpty, "\(warnings)")
                let expected = try ExpectedMarker.sampleProducts() + [MarkerRuns.inlineMugExpected]
                let recording = try verifyRecording(directory: directory, container: .fmp4, segmentMilliseconds: 4_000)
                let rendition = recording.rendition
                expectDateRanges(
                    in: rendition.playlist, name: "index.m3u8", describe: expected, className: MarkerRuns.className,
                    recordingStart: LibraryRun.fixedDate)
                expectRoundTrip(rendition.text, "index.m3u8")

                let origin = try #require(rendition.segments.first?.firstPTS)
                var eventIDs: [UInt32] = []
                var seen: [String] = []
                for (index, segment) in rendition.segments.enumerated() {
                    let uri = segment.segment.uri
                    let boxes = try topLevelBoxes(Array(try Data(contentsOf: segment.file)))
                    let types = boxes.map(\.type)
                    let firstMoof = try #require(types.firstIndex(of: "moof"), "\(uri): no moof (\(types))")
                    #expect(
                        types.indices.filter { types[$0] == "emsg" }.allSatisfy { $0 < firstMoof },
                        "\(uri): an emsg after moof: \(types)")
                    let holds = expected.filter {
                        playlist(rendition.playlist, segment: index, holds: $0.startMilliseconds)
                    }
                    var found: [String] = []
                    for box in boxes where box.type == "emsg" {
                        #expect(
                            box.bytes.count > 8 && box.bytes[8] == 1,
                            "\(uri): emsg version \(box.bytes.count > 8 ? box.bytes[8] : 0), not 1")
                        guard let message = EventMessageBox(parsing: box.bytes) else {
                            Issue.record("\(uri): EventMessageBox(parsing:) rejects an emsg box")
                            continue
                        }
                        #expect(
                            message.schemeIDURI == "https://aomedia.org/emsg/ID3",
                            "\(uri): scheme \(message.schemeIDURI)")
                        eventIDs.append(message.id)
                        guard let tag = ID3Tag(parsing: message.messageData) else {
                            Issue.record("\(uri): ID3Tag(parsing:) rejects the emsg message_data")
                            continue
                        }
                        let texts = tag.frames.compactMap { frame -> String? in
                            if case .userText("com.cuepoint.marker", let value) = frame { return value }
                            return nil
                        }
                        guard texts.count == 1, let id = cardObject(texts[0])?["id"] as? String,
                            let marker = expected.first(where: { $0.id == id })
                        else {
                            Issue.record(
                                "\(uri): the emsg ID3 has no single TXXX com.cuepoint.marker card of a known marker: \(tag.frames)"
                            )
                            continue
                        }
                        found.append(id)
                        expectCard(texts[0], describes: marker, "\(uri) emsg \(id)")
                        #expect(
                            tag.frames.contains(
                                .privateData(owner: "com.cuepoint.marker", data: Array(marker.id.utf8))),
                            "\(uri) emsg \(id): no PRIV com.cuepoint.marker with the id")
                        // presentation_time on the track's presentation timeline (as ffprobe reports it).
                        let time = Double(message.presentationTime) / Double(message.timescale)
                        #expect(
                            abs(time - origin - Double(marker.startMilliseconds) / 1000) <= segment.frameDuration
                                + 1e-6,
                            "\(uri) emsg \(id): presentation_time \(time) s; the marker starts at \(marker.startMilliseconds) ms"
                        )
                        #expect(
                            time >= segment.firstPTS - 1e-6 && time < segment.end,
                            "\(uri) emsg \(id): presentation_time \(time) s is outside the fragment [\(segment.firstPTS), \(segment.end))"
                        )
                    }
                    #expect(
                        found.sorted() == holds.map(\.id).sorted(),
                        "\(uri) [\(rendition.playlist.segmentStartsMilliseconds[index]) ms…]: emsg for \(found), markers starting in it \(holds.map(\.id))"
                    )
                    seen += found
                }
                #expect(seen.sorted() == expected.map(\.id).sorted(), "one emsg per marker")
                #expect(Set(eventIDs).count == eventIDs.count, "emsg ids repeat: \(eventIDs)")
            }
        }

        @Test(
            "fMP4: mutagen reads the ID3 tag of every emsg box",
            .enabled(if: TimedID3Reader.isAvailable, "needs python3 with PyAV (`av`) and mutagen"))
        func fmp4EventMessagesWithMutagen() async throws {
            try await TemporaryDirectory.with(label: "markers-fmp4-mutagen") { directory in
                _ = try await LibraryRun.run(
                    MarkerRuns.spec(container: .fmp4, inline: [MarkerRuns.inlineMug]), into: directory)
                let expected = try ExpectedMarker.sampleProducts() + [MarkerRuns.inlineMugExpected]
                let playlist = try MediaPlaylist(
                    parsing: String(
                        decoding: try Data(contentsOf: directory.appendingPathComponent("source/index.m3u8")),
                        as: UTF8.self))
                let segments = try TimedID3Reader.read(
                    playlist.segments.map { directory.appendingPathComponent("source/\($0.uri)").path }, emsg: true)
                var seen: [String] = []
                for segment in segments {
                    #expect(segment.error == nil, "\(segment.file): \(segment.error ?? "")")
                    for tag in segment.id3 {
                        #expect(
                            tag.emsg_version == 1 && tag.scheme == "https://aomedia.org/emsg/ID3",
                            "\(segment.file): \(tag)")
                        #expect(
                            tag.error == nil && tag.version == [2, 4, 0],
                            "\(segment.file): mutagen: \(tag.error ?? "") \(tag.version ?? [])")
                        guard let json = tag.markerJSON, let id = cardObject(json)?["id"] as? String,
                            let marker = expected.first(where: { $0.id == id })
                        else {
                            Issue.record("\(segment.file): no TXXX com.cuepoint.marker card: \(tag.txxx ?? [:])")
                            continue
                        }
                        seen.append(id)
                        expectCard(json, describes: marker, "\(segment.file) emsg \(id) (mutagen)")
                        #expect(tag.privateID == id)
                    }
                }
                #expect(seen.sorted() == expected.map(\.id).sorted())
            }
        }

        @Test("fMP4 with ID3 emsg boxes signals the brand `aid3` (hls-reference §6, AOM ID3 in CMAF)")
        func fmp4SignalsAid3() async throws {
            try await TemporaryDirectory.with(label: "markers-aid3") { directory in
                _ = try await LibraryRun.run(MarkerRuns.spec(container: .fmp4), into: directory)
                let folder = directory.appendingPathComponent("source")
                let playlist = try MediaPlaylist(
                    parsing: String(
                        decoding: try Data(contentsOf: folder.appendingPathComponent("index.m3u8")), as: UTF8.self))
                // ftyp of the init section, or styp of each segment with emsg boxes.
                func brands(_ file: URL, box: String) throws -> [String] {
                    guard
                        let found = try topLevelBoxes(Array(try Data(contentsOf: file))).first(where: { $0.type == box }
                        )
                    else { return [] }
                    let bytes = found.bytes
                    // major_brand at 8, minor_version at 12, compatible brands from 16.
                    return stride(from: 8, to: bytes.count - 3, by: 4).filter { $0 != 12 }.map {
                        String(decoding: bytes[$0..<$0 + 4], as: UTF8.self)
                    }
                }
                let initBrands = try brands(folder.appendingPathComponent("init.mp4"), box: "ftyp")
                var unsignalled: [String] = []
                for segment in playlist.segments {
                    let file = folder.appendingPathComponent(segment.uri)
                    guard try topLevelBoxes(Array(try Data(contentsOf: file))).contains(where: { $0.type == "emsg" })
                    else { continue }
                    let segmentBrands = try brands(file, box: "styp")
                    if !initBrands.contains("aid3") && !segmentBrands.contains("aid3") {
                        unsignalled.append(segment.uri)
                    }
                }
                #expect(
                    unsignalled.isEmpty,
                    "\(unsignalled) carry ID3 emsg boxes, but neither init.mp4's ftyp (brands \(initBrands)) nor a styp lists aid3"
                )
            }
        }

        /// A marker that starts during the last frame (after its presentation time, before the
        /// recording's end: sample.mp4's last frame is at 19.967 s) is valid; it must be in-band too.
        static let lastFrameMarker =
            #"{"id":"e-last","title":"Last frame","url":"https://shop.example/p/e","start":19.98,"duration":0.01}"#

        @Test("fMP4: a marker starting during the last frame still gets its emsg")
        func fmp4MarkerInTheLastFrame() async throws {
            try await TemporaryDirectory.with(label: "markers-last-fmp4") { directory in
                let file = directory.appendingPathComponent("last.jsonl")
                try Data((Self.lastFrameMarker + "\n").utf8).write(to: file)
                var spec = MarkerRuns.spec(container: .fmp4)
                spec.markers?.files = [file.path]
                let output = directory.appendingPathComponent("out")
                let (_, warnings) = try await LibraryRun.run(spec, into: output)
                let rendition = try verifyRecording(directory: output, container: .fmp4, segmentMilliseconds: 4_000)
                    .rendition
                #expect(
                    rendition.playlist.placedDateRanges.map(\.range.id) == ["e-last"],
                    "the marker is accepted and published")
                var messages: [String] = []
                for segment in rendition.segments {
                    for box in try topLevelBoxes(Array(try Data(contentsOf: segment.file))) where box.type == "emsg" {
                        messages.append(segment.segment.uri)
                    }
                }
                #expect(
                    messages == [rendition.playlist.segments.last?.uri ?? "?"],
                    "one emsg, in the last segment; found emsg in \(messages); warnings: \(warnings)")
            }
        }

        @Test(
            "TS: a marker starting during the last frame still gets its timed ID3",
            .enabled(if: TimedID3Reader.isAvailable, "needs python3 with PyAV (`av`) and mutagen"))
        func tsMarkerInTheLastFrame() async throws {
            try await TemporaryDirectory.with(label: "markers-last-ts") { directory in
                let file = directory.appendingPathComponent("last.jsonl")
                try Data((Self.lastFrameMarker + "\n").utf8).write(to: file)
                var spec = MarkerRuns.spec(container: .ts)
                spec.markers?.files = [file.path]
                let output = directory.appendingPathComponent("out")
                let (_, warnings) = try await LibraryRun.run(spec, into: output)
                let rendition = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 4_000)
                    .rendition
                #expect(
                    rendition.playlist.placedDateRanges.map(\.range.id) == ["e-last"],
                    "the marker is accepted and published")
                let segments = try TimedID3Reader.read(rendition.segments.map(\.file.path))
                let tags = segments.flatMap { segment in segment.id3.map { (segment.file, $0) } }
                #expect(
                    tags.map { $0.1.privateID } == ["e-last"] && tags.first?.0 == rendition.segments.last?.file.path,
                    "one timed ID3, in the last segment; found \(tags.map { "\($0.0): \($0.1.privateID ?? "?")" }); warnings: \(warnings)"
                )
            }
        }

        // MARK: Across a discontinuity

        /// sample.ts followed by itself 100 s later: 40 s of recording with one discontinuity at 20 s.
        static let discontinuityMarkers = [
            #"{"id":"d-before","title":"Before","url":"https://shop.example/p/1","start":5,"duration":2}"#,
            #"{"id":"d-across","title":"Across","url":"https://shop.example/p/2","start":19,"duration":3}"#,
            #"{"id":"d-after","title":"After \"the\" jump","url":"https://shop.example/p/3","start":25.5,"duration":2}"#,
            #"{"id":"d-open","title":"Open","url":"https://shop.example/p/4","start":33}"#,
        ]

        /// Runs the jumped input with `discontinuityMarkers` into `folder/out` (TS, two renditions).
        private func runAcrossDiscontinuity(in folder: URL) async throws -> (output: URL, markers: [ExpectedMarker]) {
            let later = try DamagedInputs.shiftedTS(bySeconds: 100, as: "later.ts", in: folder)
            let jump = try DamagedInputs.concatenated([SampleInput.ts.url, later], as: "jump.ts", in: folder)
            let file = folder.appendingPathComponent("jump.jsonl")
            try Data((Self.discontinuityMarkers.joined(separator: "\n") + "\n").utf8).write(to: file)
            var spec = MarkerRuns.spec(container: .ts, renditions: ["a", "b"], inputPath: jump.path)
            spec.markers?.files = [file.path]
            let output = folder.appendingPathComponent("out")
            _ = try await LibraryRun.run(spec, into: output)
            return (output, try Self.discontinuityMarkers.map { try ExpectedMarker.parse(line: $0) })
        }

        @Test(
            "across a discontinuity: START-DATE on the PROGRAM-DATE-TIME timeline of the segment holding each marker",
            .enabled(if: ExternalProgram.which("ffmpeg") != nil, "needs the ffmpeg program to make the input"))
        func dateRangesAcrossDiscontinuity() async throws {
            try await TemporaryDirectory.with(label: "markers-jump") { folder in
                let (output, markers) = try await runAcrossDiscontinuity(in: folder)
                let recording = try verifyRecording(directory: output, container: .ts, segmentMilliseconds: 4_000)
                for rendition in recording.renditions {
                    #expect(rendition.discontinuityCount == 1)
                    expectContinuousProgramDateTime(rendition.playlist)
                    expectDateRanges(
                        in: rendition.playlist, name: rendition.playlistURL.path, describe: markers,
                        className: MarkerRuns.className,
                        recordingStart: LibraryRun.fixedDate)
                    expectRoundTrip(rendition.text, rendition.playlistURL.path)
                }
                #expect(dateRangeLines(recording.renditions[0].text) == dateRangeLines(recording.renditions[1].text))
            }
        }

        @Test(
            "across a discontinuity: each timed ID3 sits at its marker's start on its segment's own timeline",
            .enabled(
                if: TimedID3Reader.isAvailable && ExternalProgram.which("ffmpeg") != nil,
                "needs ffmpeg, PyAV and mutagen"))
        func timedID3AcrossDiscontinuity() async throws {
            try await TemporaryDirectory.with(label: "markers-jump-id3") { folder in
                let (output, markers) = try await runAcrossDiscontinuity(in: folder)
                for rendition in ["a", "b"] {
                    let playlist = try MediaPlaylist(
                        parsing: String(
                            decoding: try Data(contentsOf: output.appendingPathComponent("\(rendition)/index.m3u8")),
                            as: UTF8.self))
                    let segments = try TimedID3Reader.read(
                        playlist.segments.map { output.appendingPathComponent("\(rendition)/\($0.uri)").path })
                    var seen: [String] = []
                    for (index, segment) in segments.enumerated() {
                        for tag in segment.id3 {
                            guard let id = tag.privateID, let marker = markers.first(where: { $0.id == id }),
                                let first = segment.first_video_pts, let pts = tag.pts
                            else {
                                Issue.record("\(segment.file): an ID3 tag of no known marker: \(tag)")
                                continue
                            }
                            seen.append(id)
                            #expect(
                                playlist.segmentIndex(holdingMilliseconds: marker.startMilliseconds) == index,
                                "\(id) in \(segment.file)")
                            // On this segment's timeline: its first frame is at its EXTINF running sum.
                            let expected =
                                Double(marker.startMilliseconds - playlist.segmentStartsMilliseconds[index]) / 1000
                            #expect(
                                abs((pts - first) - expected) <= 1.0 / 30 + 1e-6,
                                "\(id): ID3 \(pts - first) s after the first frame of \(segment.file), expected \(expected) s"
                            )
                            expectCard(try #require(tag.markerJSON), describes: marker, "\(segment.file) \(id)")
                        }
                    }
                    #expect(seen.sorted() == markers.map(\.id).sorted(), "\(rendition): one ID3 per marker")
                }
            }
        }

        private func playlist(_ playlist: MediaPlaylist, segment index: Int, holds milliseconds: Int64) -> Bool {
            playlist.segmentIndex(holdingMilliseconds: milliseconds) == index
        }
    }

    /// `markers.align: true` and `--align-markers`: a segment starts at the first keyframe at or
    /// after each marker's start (sample.mp4 has keyframes every 2 s), and the grid cuts remain.
    @Suite("Segments aligned to markers", .ownThreads)
    struct AlignedCuts {
        @Test("markers.align through the library (TS): cuts at each marker's keyframe and on the 4 s grid")
        func alignedThroughTheLibrary() async throws {
            try await TemporaryDirectory.with(label: "markers-align") { directory in
                let (_, warnings) = try await LibraryRun.run(
                    MarkerRuns.spec(container: .ts, align: true), into: directory)
                #expect(warnings.isEmpty, "\(warnings)")
                let rendition = try verifyRecording(directory: directory, container: .ts, segmentMilliseconds: 4_000)
                    .rendition
                let expected = try ExpectedMarker.sampleProducts()
                try expectAlignedCuts(rendition, markers: expected)
                expectDateRanges(
                    in: rendition.playlist, name: "index.m3u8", describe: expected, className: MarkerRuns.className,
                    recordingStart: LibraryRun.fixedDate)
            }
        }

        @Test("`cuepoint segment --markers … --align-markers --container fmp4`: the same cuts")
        func alignedThroughTheCommandLine() async throws {
            try await TemporaryDirectory.with(label: "markers-align-cli") { directory in
                let output = directory.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", SampleInput.mp4.path, "-o", output.path, "--segment", "4s", "--container", "fmp4",
                    "--markers", Repository.sampleMedia("products.jsonl").path, "--align-markers",
                ])
                #expect(result.status == 0, "\(result)")
                #expect(result.warningLines.isEmpty, "\(result)")
                let rendition = try verifyRecording(directory: output, container: .fmp4, segmentMilliseconds: 4_000)
                    .rendition
                try expectAlignedCuts(rendition, markers: try ExpectedMarker.sampleProducts())
                expectRoundTrip(rendition.text, "index.m3u8")
            }
        }

        /// The cuts, by EXTINF and by ffprobe, are exactly the 4 s grid cuts of the source's
        /// keyframes plus the first keyframe at or after each marker's start.
        private func expectAligned(
            _ cuts: [Int64], _ what: String, grid: [Int64], markerCuts: [Int64], sourceLocation: SourceLocation
        ) {
            #expect(
                Set(markerCuts).isSubset(of: cuts), "\(what): cuts \(cuts) miss marker keyframes \(markerCuts)",
                sourceLocation: sourceLocation)
            #expect(
                Set(grid).isSubset(of: cuts), "\(what): cuts \(cuts) miss grid cuts \(grid)",
                sourceLocation: sourceLocation)
            #expect(cuts == Set(grid + markerCuts).sorted(), "\(what): cuts \(cuts)", sourceLocation: sourceLocation)
        }

        private func expectAlignedCuts(
            _ rendition: CheckedRendition, markers: [ExpectedMarker], sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let keyframes = try FFprobe.packets(of: SampleInput.mp4.path, stream: "v:0")
                .filter(\.isKeyframe).compactMap(\.ptsTime).map { Int64(($0 * 1000).rounded()) }.sorted()
            let origin = try #require(keyframes.first, sourceLocation: sourceLocation)
            let relative = keyframes.map { $0 - origin }
            #expect(
                relative == Array(stride(from: 0, through: 18_000, by: 2_000)), "sample.mp4's keyframes",
                sourceLocation: sourceLocation)
            // Each marker: the first keyframe at or after its start (none for a start on the first frame).
            let markerCuts = Set(
                markers.compactMap { marker in relative.first { $0 >= marker.startMilliseconds } }.filter { $0 > 0 }
            ).sorted()
            // The grid alone: first keyframe at or after each multiple of 4 s.
            var grid: [Int64] = []
            var start: Int64 = 0
            for keyframe in relative.dropFirst() where keyframe >= (start / 4_000 + 1) * 4_000 {
                grid.append(keyframe)
                start = keyframe
            }

            let byExtinf = Array(rendition.playlist.segmentStartsMilliseconds.dropFirst())
            expectAligned(byExtinf, "EXTINF", grid: grid, markerCuts: markerCuts, sourceLocation: sourceLocation)
            let first = try #require(rendition.segments.first?.firstPTS, sourceLocation: sourceLocation)
            let byProbe = rendition.segments.dropFirst().map { Int64((($0.firstPTS - first) * 1000).rounded()) }
            expectAligned(byProbe, "ffprobe", grid: grid, markerCuts: markerCuts, sourceLocation: sourceLocation)
        }
    }
}
