import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Integration {
    /// `--part` on the command line: refused where parts cannot be, and on a file input (no
    /// server) segments made of one fragment per part.
    @Suite("LL-HLS options", .ownThreads)
    struct LowLatencyOptions {
        @Test(
            "--part is refused with MPEG-TS, at or above the segment duration, below 100 ms",
            arguments: [
                (["--container", "ts", "--part", "0.5s"], "--part: LL-HLS parts need --container fmp4"),
                (
                    ["--container", "fmp4", "--segment", "2s", "--part", "2s"],
                    "--part: must be shorter than the segment duration (2s), got 2s"
                ),
                (["--container", "fmp4", "--part", "50ms"], "--part: must be at least 100ms, got 50ms"),
                (
                    ["--container", "fmp4", "--part", "soon"],
                    "--part: expected a duration such as \"1s\" or \"500ms\", got \"soon\""
                ),
            ])
        func refused(arguments: [String], message: String) throws {
            let result = try CuepointCLI.run(["segment", SampleInput.ts.path, "-o", "/nonexistent/never"] + arguments)
            #expect(result.status == 2, "usage error: \(result)")
            #expect(result.stderr.contains(message), "\(result)")
        }

        @Test("a file input with --part: each segment is four fragments, one per 0.5 s part")
        func fileInputSegmentsAreFragmentsPerPart() async throws {
            try await TemporaryDirectory.with(label: "llhls-file") { folder in
                let output = folder.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", SampleInput.ts.path, "-o", output.path, "--container", "fmp4", "--segment", "2s",
                    "--part", "0.5s",
                ])
                #expect(result.status == 0, "\(result)")
                let recording = try verifyRecording(directory: output, container: .fmp4, segmentMilliseconds: 2000)
                let index = recording.rendition.playlist
                #expect(!index.segments.isEmpty && index.segments.allSatisfy { $0.parts.isEmpty })
                for segment in index.segments.dropLast() {
                    let bytes = try Data(contentsOf: output.appendingPathComponent("source/\(segment.uri)"))
                    var boxes: [String] = []
                    var offset = 0
                    while offset + 8 <= bytes.count {
                        let size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
                        boxes.append(String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self))
                        guard size >= 8 else { break }
                        offset += size
                    }
                    #expect(offset == bytes.count, "\(segment.uri): boxes tile the file")
                    #expect(
                        boxes == Array(repeating: ["moof", "mdat"], count: 4).flatMap { $0 }, "\(segment.uri): \(boxes)"
                    )
                }
            }
        }
    }

    /// LL-HLS end to end: `cuepoint segment FIFO --container fmp4 --segment 2s --part 0.5s --serve`
    /// on a live MPEG-TS fed in real time by the `ffmpeg` program, followed over HTTP as a
    /// low-latency player follows it (a blocking reload for the next part, the preload hint fetched
    /// while it is pending, every listed part fetched from memory); the parts then judged by
    /// `ffprobe` and against the segment files on disk.
    ///
    /// Decided and checked here: a segment file is its parts concatenated, byte for byte; each
    /// part is one `moof`+`mdat` that decodes after `init.mp4`; INDEPENDENT=YES exactly on the
    /// parts whose first video frame is a keyframe.
    @Suite("LL-HLS live", .ownThreads)
    struct LowLatencyLive {
        static var ffmpeg: String? { ExternalProgram.which("ffmpeg") }

        /// A GET over HTTP, blocking: the status (nil: no answer), the body, and when it arrived.
        static func get(_ url: String, timeout: TimeInterval = 20) -> (status: Int?, body: Data) {
            guard let address = URL(string: url) else { return (nil, Data()) }
            let request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: (status: Int?, body: Data) = (nil, Data())
            URLSession.shared.dataTask(with: request) { data, response, _ in
                result = ((response as? HTTPURLResponse)?.statusCode, data ?? Data())
                done.signal()
            }.resume()
            done.wait()
            return result
        }

        static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

        /// What the client saw while the job ran.
        struct Observations {
            var problem: String?
            var root: String?
            /// Every playlist the blocking requests returned, parsed.
            var playlists: [MediaPlaylist] = []
            /// Each request's (_HLS_msn, _HLS_part) and whether the answer listed that part.
            var answered: [(msn: Int64, part: Int64, listed: Bool)] = []
            /// Part bytes by URI, from memory.
            var parts: [String: Data] = [:]
            /// Preload hints fetched before they were listed: URI → status.
            var hinted: [String: Int?] = [:]
            var badRequests: [String: (Int?, String)] = [:]
            var stalled: (status: Int?, body: String, seconds: Double)?
            var goneAfterEviction: Int?
            var exitedAfterInterrupt = false
            var lastPlaylistText = ""
            /// A delta update (`_HLS_skip=YES`) and the full playlist fetched just before it.
            var delta: (full: String, status: Int?, text: String)?
        }

        /// The last listed part of a playlist (open segment first), as (msn, part index).
        static func lastPart(_ playlist: MediaPlaylist) -> (Int64, Int64)? {
            let last = playlist.mediaSequence + Int64(playlist.segments.count) - 1
            if let open = playlist.openSegment, !open.parts.isEmpty { return (last + 1, Int64(open.parts.count - 1)) }
            if let parts = playlist.segments.last?.parts, !parts.isEmpty { return (last, Int64(parts.count - 1)) }
            return nil
        }

        /// Follows `index.m3u8` as an LL-HLS player does until segment `untilSequence` is complete.
        static func follow(
            root: String, feeder: FFmpegFeeder, server: Process, untilSequence: Int64, seen: inout Observations
        ) {
            let playlistURL = root + "/source/index.m3u8"
            // The first playlist with parts (the first part is 0.5 s after the first keyframe).
            let deadline = Date().addingTimeInterval(30)
            var playlist: MediaPlaylist?
            while Date() < deadline {
                let response = get(playlistURL)
                if response.status == 200, let parsed = try? MediaPlaylist(parsing: text(response.body)),
                    lastPart(parsed) != nil
                {
                    playlist = parsed
                    break
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            guard var current = playlist else {
                seen.problem = "no playlist with parts within 30 s"
                return
            }
            // Bad requests while it runs.
            let lastComplete = current.mediaSequence + Int64(current.segments.count) - 1
            for (name, query) in [
                ("part without msn", "_HLS_part=0"),
                ("msn far ahead", "_HLS_msn=\(lastComplete + 3)"),
                ("msn not a number", "_HLS_msn=next"),
            ] {
                let response = get(playlistURL + "?" + query)
                seen.badRequests[name] = (response.status, text(response.body))
            }
            let skipOnWindow = get(root + "/source/live.m3u8?_HLS_skip=YES")
            seen.badRequests["skip on live.m3u8"] = (skipOnWindow.status, text(skipOnWindow.body))

            var iterations = 0
            while iterations < 200 {
                iterations += 1
                for segment in current.segments { fetchParts(segment.parts, root: root, seen: &seen) }
                fetchParts(current.openSegment?.parts ?? [], root: root, seen: &seen)
                let complete = current.mediaSequence + Int64(current.segments.count) - 1
                if complete >= untilSequence { break }
                guard let (msn, part) = lastPart(current) else {
                    seen.problem = "a playlist without parts:\n\(current.render())"
                    return
                }
                // Ask for the part after the last one listed; fetch the preload hint meanwhile.
                let next = (msn, part + 1)
                let hint = current.preloadHints.first { $0.type == .part }?.uri
                let hintResult = Box<(Int?, Data)>()
                let hintDone = DispatchSemaphore(value: 0)
                if let hint, seen.parts[hint] == nil {
                    Thread {
                        let response = get(root + "/source/" + hint)
                        hintResult.value = (response.status, response.body)
                        hintDone.signal()
                    }.start()
                }
                let response = get(playlistURL + "?_HLS_msn=\(next.0)&_HLS_part=\(next.1)")
                if let hint, seen.parts[hint] == nil {
                    hintDone.wait()
                    if let (status, body) = hintResult.value {
                        seen.hinted[hint] = status
                        if status == 200 { seen.parts[hint] = body }
                    }
                }
                guard response.status == 200, let parsed = try? MediaPlaylist(parsing: text(response.body)) else {
                    seen.problem =
                        "blocking request \(next) answered \(response.status.map(String.init) ?? "nothing"):\n"
                        + text(response.body)
                    return
                }
                seen.lastPlaylistText = text(response.body)
                // The answer lists the part asked for, or (past the segment's last part) part 0 of the next.
                let listed = lastPart(parsed).map { $0.0 > next.0 || ($0.0 == next.0 && $0.1 >= next.1) } ?? false
                seen.answered.append((next.0, next.1, listed))
                seen.playlists.append(parsed)
                current = parsed
            }

            // A delta update once the playlist is longer than the Skip Boundary (12 s).
            let full = text(get(playlistURL).body)
            let delta = get(playlistURL + "?_HLS_skip=YES")
            seen.delta = (full, delta.status, text(delta.body))

            // A stalled input: the next part never comes, and the request is answered 503 after
            // three target durations.
            feeder.pause()
            Thread.sleep(forTimeInterval: 0.5)
            if let latest = try? MediaPlaylist(parsing: text(get(playlistURL).body)), let (msn, part) = lastPart(latest)
            {
                let started = Date()
                let response = get(playlistURL + "?_HLS_msn=\(msn)&_HLS_part=\(part + 1)")
                seen.stalled = (response.status, text(response.body), Date().timeIntervalSince(started))
            }
            feeder.resume()
            // Parts of segment 1 are held for six target durations (12 s) after the live edge passed.
            seen.goneAfterEviction = get(root + "/source/part_000001.m4s").status
            server.interrupt()
            let exitDeadline = Date().addingTimeInterval(30)
            while server.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.1) }
            seen.exitedAfterInterrupt = !server.isRunning
        }

        static func fetchParts(_ parts: [PartialSegment], root: String, seen: inout Observations) {
            for part in parts where seen.parts[part.uri] == nil {
                let response = get(root + "/source/" + part.uri)
                if response.status == 200 { seen.parts[part.uri] = response.body }
            }
        }

        final class Box<T>: @unchecked Sendable {
            // Invariant: written by one thread before a semaphore signal, read after the wait.
            var value: T?
        }

        @Test(
            "segment --part 0.5s --serve: blocking reload, preload hints and parts from memory; parts concatenate to the segments",
            .enabled(
                if: LowLatencyLive.ffmpeg != nil && FFprobe.isInstalled && M3U8Package.isAvailable,
                "needs the ffmpeg and ffprobe programs and python3's m3u8 package (scripts/setup.sh --test installs them)"),
            .timeLimit(.minutes(3)))
        func followsTheLiveEdge() async throws {
            try await TemporaryDirectory.with(label: "llhls") { folder in
                let fifo = folder.appendingPathComponent("input.ts")
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, loops: 1)
                defer { feeder.stop() }

                let output = folder.appendingPathComponent("recording")
                // The job's output goes to files, read while it runs (LiveIngest.Job).
                let job = try LiveIngest.cuepoint(
                    [
                        "segment", "file://" + fifo.path, "-o", output.path, "--live", "--container", "fmp4",
                        "--segment", "2s", "--part", "0.5s", "--serve", "127.0.0.1:0",
                    ], folder: folder)
                let server = job.process  // ended (terminated if need be) when `job` goes

                let seen = await withCheckedContinuation { continuation in
                    Thread {
                        var seen = Observations()
                        seen.root = job.servedRoot(within: 30)
                        if let root = seen.root {
                            Self.follow(root: root, feeder: feeder, server: server, untilSequence: 8, seen: &seen)
                        } else {
                            seen.problem = "no serving line within 30 s"
                        }
                        continuation.resume(returning: seen)
                    }.start()
                }
                if let problem = seen.problem { Issue.record(Comment(rawValue: "\(problem)\n\(job.printed)")) }
                guard seen.problem == nil else { return }

                // The 400s of RFC 8216bis §6.2.5.2, and _HLS_skip where no delta updates are offered.
                for (name, response) in seen.badRequests {
                    #expect(response.0 == 400, "\(name): \(response)")
                }
                #expect(seen.badRequests["part without msn"]?.1.contains("_HLS_part needs _HLS_msn") == true)
                #expect(seen.badRequests["msn far ahead"]?.1.contains("more than two segments beyond") == true)
                #expect(seen.badRequests["skip on live.m3u8"]?.1.contains("no delta updates") == true)

                // Every blocking request was answered with the part it asked for (or a later one).
                #expect(seen.answered.count >= 20, "\(seen.answered.count) blocking requests")
                #expect(seen.answered.allSatisfy { $0.listed }, "\(seen.answered.filter { !$0.listed })")
                // Hinted parts were requestable before they were listed, and came when complete.
                #expect(seen.hinted.count >= 10, "\(seen.hinted.count) preload hints fetched")
                #expect(seen.hinted.values.allSatisfy { $0 == 200 }, "\(seen.hinted)")

                // Every LL playlist: SERVER-CONTROL and PART-INF as configured; parts within target.
                for playlist in seen.playlists {
                    #expect(playlist.serverControl?.canBlockReload == true)
                    #expect((playlist.serverControl?.partHoldBackMilliseconds ?? 0) >= 3 * 500)
                    #expect(playlist.partTargetMilliseconds == 500)
                    #expect(playlist.preloadHints.count == 1)
                    #expect(!playlist.endList)
                }

                // A delta update: the old segments become EXT-X-SKIP; the rest is the full playlist's.
                let delta = try #require(seen.delta)
                #expect(delta.status == 200, "\(delta.text)")
                let skipped = try MediaPlaylist(parsing: delta.text)
                let whole = try MediaPlaylist(parsing: delta.full)
                let skippedCount = Int(try #require(skipped.skip?.skippedSegments, "\(delta.text)"))
                #expect(skippedCount > 0)
                #expect(skipped.mediaSequence == whole.mediaSequence)
                #expect(skipped.segments.first?.map != nil, "the first listed segment states its EXT-X-MAP")
                // The live edge may have moved between the two requests: compare what both list.
                let overlap = skipped.segments.filter { segment in whole.segments.contains { $0.uri == segment.uri } }
                #expect(overlap.map(\.uri) == whole.segments.dropFirst(skippedCount).prefix(overlap.count).map(\.uri))

                // An independent parser (the `m3u8` package) reads the LL-HLS playlists as ours does.
                do {
                    for text in [seen.lastPlaylistText, delta.text] {
                        let ours = try MediaPlaylist(parsing: text)
                        let theirs = try M3U8Package.read(text, in: folder)
                        #expect(theirs.server_control?.can_block_reload == "YES")
                        #expect(theirs.server_control?.part_hold_back == 1.5)
                        #expect(theirs.part_target == 0.5)
                        #expect(theirs.skipped_segments == ours.skip.map { Int($0.skippedSegments) })
                        #expect(theirs.preload_hint?.uri == ours.preloadHints.first?.uri)
                        #expect(theirs.segments.map(\.uri) == ours.segments.map(\.uri))
                        #expect(
                            theirs.segments.map { $0.parts.map(\.uri) } == ours.segments.map { $0.parts.map(\.uri) })
                        #expect(
                            theirs.segments.flatMap { $0.parts.map(\.independent) }
                                == ours.segments.flatMap { $0.parts.map(\.independent) })
                        #expect(theirs.trailing_parts.map(\.uri) == (ours.openSegment?.parts ?? []).map(\.uri))
                        #expect(
                            theirs.trailing_parts.map { Int64(($0.duration * 1000).rounded()) }
                                == (ours.openSegment?.parts ?? []).map(\.durationMilliseconds))
                    }
                }

                // The stalled input: 503 after three target durations (2 s target → 6 s).
                let stalled = try #require(seen.stalled, "no stalled request was made")
                #expect(stalled.status == 503, "\(stalled)")
                #expect(stalled.body.contains("three target durations"))
                #expect(seen.goneAfterEviction == 404, "a part of segment 1 after the edge moved 12 s on")

                // SIGINT: exit 0; the final playlists on disk have no parts, no hints, and ENDLIST.
                try #require(seen.exitedAfterInterrupt, "the job did not end within 30 s of SIGINT:\n\(job.printed)")
                #expect(server.exitStatus == 0, "\(job.printed)")
                let rendition = output.appendingPathComponent("source")
                let finalText = try String(contentsOf: rendition.appendingPathComponent("index.m3u8"), encoding: .utf8)
                let final = try MediaPlaylist(parsing: finalText)
                #expect(final.endList)
                #expect(!finalText.contains("#EXT-X-PART") && !finalText.contains("#EXT-X-PRELOAD-HINT"))
                #expect(!finalText.contains("#EXT-X-SERVER-CONTROL"))

                // Parts against the files: every segment whose parts were all fetched equals them
                // concatenated, and its EXTINF is their durations' sum.
                let initSection = rendition.appendingPathComponent("init.mp4")
                let listedParts = Dictionary(
                    seen.playlists.flatMap { $0.segments.map { ($0.uri, $0.parts) } },
                    uniquingKeysWith: { $0.count >= $1.count ? $0 : $1 })
                var compared = 0
                var partFiles = folder.appendingPathComponent("parts")
                try FileManager.default.createDirectory(at: partFiles, withIntermediateDirectories: true)
                for segment in final.segments {
                    guard let parts = listedParts[segment.uri], !parts.isEmpty,
                        parts.allSatisfy({ seen.parts[$0.uri] != nil })
                    else { continue }
                    let file = try Data(contentsOf: rendition.appendingPathComponent(segment.uri))
                    let joined = parts.reduce(into: Data()) { $0.append(seen.parts[$1.uri]!) }
                    #expect(joined == file, "\(segment.uri): \(joined.count) bytes of parts, \(file.count) in the file")
                    #expect(
                        parts.reduce(0) { $0 + $1.durationMilliseconds } == segment.durationMilliseconds,
                        "\(segment.uri)")
                    #expect(
                        parts.dropLast().allSatisfy { $0.durationMilliseconds >= 425 },
                        "≥ 85 % of the target: \(parts.map(\.durationMilliseconds))")
                    compared += 1

                    // Each part decodes after init.mp4, with samples of both tracks (the muxer's
                    // interleaving puts the audio read so far into the open part); INDEPENDENT iff
                    // it starts with a keyframe.
                    for part in parts {
                        let path = partFiles.appendingPathComponent(part.uri)
                        try seen.parts[part.uri]!.write(to: path)
                        let video = try FFprobe.packets(ofFragment: path.path, initSection: initSection.path)
                        let audio = try FFprobe.packets(
                            ofFragment: path.path, initSection: initSection.path, stream: "a:0")
                        #expect(!video.isEmpty, "\(part.uri) has video")
                        #expect(
                            video.first?.isKeyframe == part.independent, "\(part.uri): INDEPENDENT=\(part.independent)")
                        #expect(
                            video.dropFirst().allSatisfy { !$0.isKeyframe }, "\(part.uri): one keyframe at most, first")
                        #expect(!audio.isEmpty, "\(part.uri) has audio")
                    }
                    let whole = try FFprobe.packets(
                        ofFragment: rendition.appendingPathComponent(segment.uri).path, initSection: initSection.path)
                    #expect(whole.first?.isKeyframe == true, "\(segment.uri) starts with a keyframe")
                }
                partFiles = folder
                #expect(compared >= 4, "segments compared with their parts: \(compared)")
            }
        }
    }
}

/// Tests/Support/read_llhls.py: an LL-HLS playlist as the `m3u8` package (an independent parser)
/// reads it.
enum M3U8Package {
    struct Part: Decodable {
        var uri: String
        var duration: Double
        var independent: Bool
    }

    struct Segment: Decodable {
        var uri: String
        var duration: Double
        var parts: [Part]
    }

    struct ServerControl: Decodable {
        var can_block_reload: String?
        var part_hold_back: Double?
        var can_skip_until: Double?
        var can_skip_dateranges: String?
    }

    struct Hint: Decodable {
        var type: String
        var uri: String
    }

    struct Playlist: Decodable {
        var server_control: ServerControl?
        var part_target: Double?
        var preload_hint: Hint?
        var segments: [Segment]
        var trailing_parts: [Part]
        var skipped_segments: Int?
        var endlist: Bool
    }

    static var script: URL { Repository.root.appendingPathComponent("Tests/Support/read_llhls.py") }

    /// python3 on PATH can import the `m3u8` package (`pip install m3u8`; scripts/setup.sh --test).
    static let isAvailable: Bool = {
        guard let python = ExternalProgram.which("python3") else { return false }
        return (try? ExternalProgram.run(python, ["-c", "import m3u8"]).status) == 0
    }()

    static func read(_ text: String, in folder: URL) throws -> Playlist {
        let python = try ExternalProgram.which("python3") ?? { throw ProbeError.notInstalled("python3") }()
        let file = folder.appendingPathComponent("m3u8-\(UUID().uuidString).m3u8")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let output = try ExternalProgram.run(python, [script.path, file.path])
        do {
            return try JSONDecoder().decode(Playlist.self, from: output.stdout)
        } catch {
            throw ProbeError.failed(
                command: "read_llhls.py", status: output.status, stderr: output.stderrText + " (\(error))")
        }
    }
}
