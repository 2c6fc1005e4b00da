import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Long shows in minutes: generated MPEG-TS (`GeneratedShow`) whose 33-bit timestamps wrap
    /// inside the show, piped in as fast as the `ffmpeg` program makes it and sent as a live UDP
    /// input in real time. Across the wrap: no EXT-X-DISCONTINUITY, the EXTINF sum within one frame
    /// of the real duration, PROGRAM-DATE-TIME continuous, markers after the wrap at their time,
    /// memory flat.
    ///
    /// The suite runs a few minutes of media; `scripts/long-show.sh` runs hours
    /// (`CUEPOINT_LONG_SHOW_MINUTES`, `CUEPOINT_LONG_SHOW_BEFORE_WRAP`) and the live hour
    /// (`CUEPOINT_LIVE_SHOW_MINUTES`), printing the samples.
    @Suite("Long shows", .ownThreads)
    struct LongShowTests {
        static var environment: [String: String] { ProcessInfo.processInfo.environment }
        static var minutes: Int { Int(environment["CUEPOINT_LONG_SHOW_MINUTES"] ?? "") ?? 6 }

        @Test(
            "a show across the 33-bit PTS wrap, piped as fast as it is made: no discontinuity, EXTINF sum within a frame, PDT continuous, markers after the wrap in place, memory flat",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            arguments: [Container.ts, .fmp4])
        func wrapThroughAPipe(_ container: Container) async throws {
            let seconds = Self.minutes * 60
            // Less than 60 s before the wrap, libavformat's wrap correction moves the first timestamps below
            // zero; further, it moves those after the wrap up by 2^33: TS output takes one path, fMP4 the other.
            let beforeWrap = Double(Self.environment["CUEPOINT_LONG_SHOW_BEFORE_WRAP"] ?? "") ?? (container == .ts ? 30 : 90)
            try await TemporaryDirectory.with(label: "long-wrap") { folder in
                try await offThePool {
                    let markers = [Int(beforeWrap) + 20, seconds / 2, seconds - 20]
                    let markerFile = folder.appendingPathComponent("markers.jsonl")
                    try GeneratedShow.markerLines(startingAt: markers).write(to: markerFile, atomically: true, encoding: .utf8)
                    let output = folder.appendingPathComponent("out")
                    let pipe = Pipe()
                    let generator = try LiveIngest.Job(
                        executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
                        arguments: GeneratedShow.arguments(seconds: seconds, secondsBeforeWrap: beforeWrap, realTime: false, output: "-"),
                        folder: folder, label: "generator", standardOutput: pipe)
                    let job = try LiveIngest.Job(
                        executable: CuepointCLI.executable(),
                        arguments: [
                            "segment", "pipe:0", "-o", output.path, "--container", container.rawValue, "--markers", markerFile.path,
                        ], folder: folder, label: "cuepoint", standardInput: pipe)
                    // Only the two programs hold the pipe now, so cuepoint sees its end when ffmpeg's output ends.
                    try? pipe.fileHandleForReading.close()
                    try? pipe.fileHandleForWriting.close()
                    let sampler = ResourceSampler(pid: job.process.processIdentifier, playlist: output.appendingPathComponent("source/index.m3u8"))
                    sampler.start()
                    let generated = generator.wait(Double(seconds) * 2 + 120)
                    let finished = job.wait(Double(seconds) + 120)
                    let samples = sampler.stop()
                    #expect(generated && generator.process.exitStatus == 0, "ffmpeg: \(generator.printed)")
                    #expect(finished && job.process.exitStatus == 0, "\(job.printed)")
                    #expect(!job.stderr.contains("cuepoint: ") || job.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("cuepoint: warning") }, "\(job.printed)")

                    let recording = try Self.checkAcrossTheWrap(
                        output: output, container: container, seconds: seconds, beforeWrap: beforeWrap, markers: markers)
                    Self.report(samples, label: "pipe, \(container.rawValue), \(Self.minutes) min")
                    Self.expectFlatMemory(samples, totalMilliseconds: Int64(seconds) * 1000)
                    if seconds <= 900, GStreamer.isInstalled {
                        try expectPlays(
                            output.appendingPathComponent("master.m3u8"), videoFrames: seconds * 10)
                    }
                    _ = recording
                }
            }
        }

        @Test(
            "a show across the 33-bit PTS wrap as a live UDP input in real time: no discontinuity, EXTINF sum within a frame, PDT continuous",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            .timeLimit(.minutes(5)))
        func wrapThroughUDP() async throws {
            let seconds = Int(Self.environment["CUEPOINT_LONG_SHOW_UDP_SECONDS"] ?? "") ?? 40
            let beforeWrap = 15.0
            try await TemporaryDirectory.with(label: "long-wrap-udp") { folder in
                try await offThePool {
                    let markers = [Int(beforeWrap) + 10]
                    let markerFile = folder.appendingPathComponent("markers.jsonl")
                    try GeneratedShow.markerLines(startingAt: markers).write(to: markerFile, atomically: true, encoding: .utf8)
                    let output = folder.appendingPathComponent("out")
                    let port = LiveIngest.freePort(udp: true)
                    let job = try LiveIngest.cuepoint(
                        [
                            "segment", "udp://127.0.0.1:\(port)", "--listen", "-o", output.path, "--segment", "2s",
                            "--timeout", "3s", "--markers", markerFile.path,
                        ], folder: folder)
                    Thread.sleep(forTimeInterval: 1)
                    let generator = try LiveIngest.Job(
                        executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
                        arguments: GeneratedShow.arguments(
                            seconds: seconds, secondsBeforeWrap: beforeWrap, realTime: true, output: "udp://127.0.0.1:\(port)?pkt_size=1316"),
                        folder: folder, label: "generator")
                    #expect(generator.wait(Double(seconds) + 60) && generator.process.exitStatus == 0, "ffmpeg: \(generator.printed)")
                    #expect(job.wait(60) && job.process.exitStatus == 0, "\(job.printed)")
                    try Self.checkAcrossTheWrap(
                        output: output, container: .ts, seconds: seconds, beforeWrap: beforeWrap, markers: markers)
                }
            }
        }

        @Test(
            "a live show of real time (scripts/long-show.sh live): a marker every minute, steady client load, RSS and descriptors flat",
            .enabled(if: ProcessInfo.processInfo.environment["CUEPOINT_LIVE_SHOW_MINUTES"] != nil, "long form, run by scripts/long-show.sh live"),
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"))
        func liveShow() async throws {
            let minutes = Int(Self.environment["CUEPOINT_LIVE_SHOW_MINUTES"] ?? "") ?? 60
            let seconds = minutes * 60
            // The wrap falls half-way through the show.
            let beforeWrap = Double(seconds / 2)
            try await TemporaryDirectory.with(label: "long-live") { folder in
                try await offThePool {
                    let output = folder.appendingPathComponent("out")
                    let port = LiveIngest.freePort(udp: true)
                    let token = "token-\(UUID().uuidString)"
                    let job = try LiveIngest.cuepoint(
                        [
                            "segment", "udp://127.0.0.1:\(port)", "--listen", "-o", output.path, "--segment", "4s", "--timeout", "5s",
                            "--serve", "127.0.0.1:0", "--token-env", "LIVE_SHOW_TOKEN",
                        ], folder: folder, environment: ["LIVE_SHOW_TOKEN": token])
                    guard let root = job.servedRoot() else {
                        Issue.record("the job did not serve: \(job.printed)")
                        return
                    }
                    let generator = try LiveIngest.Job(
                        executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
                        arguments: GeneratedShow.arguments(
                            seconds: seconds, secondsBeforeWrap: beforeWrap, realTime: true, output: "udp://127.0.0.1:\(port)?pkt_size=1316"),
                        folder: folder, label: "generator")
                    _ = SampleFeed.waitForSegments(output, atLeast: 1, within: 60)
                    let load = SteadyLoad(root: root, players: 10)
                    load.start()
                    let sampler = ResourceSampler(
                        pid: job.process.processIdentifier, playlist: output.appendingPathComponent("source/index.m3u8"), interval: 10)
                    sampler.start()
                    var acknowledged: [String] = []
                    var minute = 0
                    let started = Date()
                    while generator.process.isRunning {
                        Thread.sleep(forTimeInterval: 1)
                        let elapsed = Int(Date().timeIntervalSince(started))
                        if elapsed / 60 > minute || minute == 0 && elapsed > 20 {
                            minute = max(minute + 1, elapsed / 60)
                            let id = "live-\(minute)"
                            let body = #"{"id": "\#(id)", "product": "SKU-LIVE", "title": "Minute \#(minute)", "url": "https://shop.example/live", "start": "now", "duration": 20}"#
                            if SampleFeed.request("POST", "\(root)/v1/markers", token: token, body: body).status == 201 {
                                acknowledged.append(id)
                            }
                        }
                    }
                    let samples = sampler.stop()
                    load.stop()
                    #expect(generator.process.exitStatus == 0, "ffmpeg: \(generator.printed)")
                    #expect(job.wait(60) && job.process.exitStatus == 0, "\(job.printed)")
                    Self.report(samples, label: "live, \(minutes) min, \(load.requestCount) requests")
                    #expect(load.problems.isEmpty, "\(load.problems)")
                    #expect(acknowledged.count >= minutes - 1, "markers acknowledged: \(acknowledged)")
                    let index = try MediaPlaylist(
                        parsing: String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8))
                    let ids = Set(index.segments.flatMap(\.dateRanges).map(\.id))
                    #expect(acknowledged.allSatisfy(ids.contains), "markers missing: \(acknowledged.filter { !ids.contains($0) })")
                    #expect(index.segments.filter(\.discontinuity).isEmpty, "no discontinuity in a show without a drop")
                    let total = index.segments.reduce(0) { $0 + $1.durationMilliseconds }
                    #expect(abs(total - Int64(seconds) * 1000) <= GeneratedShow.frameMilliseconds, "EXTINF sum \(total) ms")
                    // Flat: from the tenth minute (or the first quarter) to the last sample.
                    guard let early = samples.first(where: { $0.elapsed >= min(600, Double(seconds) / 4) }), let late = samples.last else {
                        Issue.record("too few samples: \(samples)")
                        return
                    }
                    print("long show: live RSS \(early.residentKilobytes) kB at \(Int(early.elapsed)) s, \(late.residentKilobytes) kB at \(Int(late.elapsed)) s; descriptors \(early.descriptors) → \(late.descriptors)")
                    #expect(abs(late.residentKilobytes - early.residentKilobytes) <= 5 * 1024, "RSS \(early) → \(late)")
                    #expect(abs(late.descriptors - early.descriptors) <= 4, "descriptors \(early) → \(late)")
                }
            }
        }

        // MARK: Checks

        /// The recording's playlists strictly parsed, and across the wrap: no discontinuity, the EXTINF
        /// sum within one frame of `seconds`, PDT continuous, every segment file there, the segments
        /// around the wrap starting with a keyframe where the previous one ended (modulo the wrap),
        /// each marker's date range at its start, and for TS its ID3 tag at its time.
        @discardableResult
        static func checkAcrossTheWrap(
            output: URL, container: Container, seconds: Int, beforeWrap: Double, markers: [Int],
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> MediaPlaylist {
            _ = try MultivariantPlaylist(parsing: String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8))
            let folder = output.appendingPathComponent("source")
            let playlist = try MediaPlaylist(parsing: String(contentsOf: folder.appendingPathComponent("index.m3u8"), encoding: .utf8))
            #expect(playlist.endList, sourceLocation: sourceLocation)
            #expect(
                playlist.segments.filter(\.discontinuity).isEmpty,
                "no EXT-X-DISCONTINUITY: \(playlist.segments.filter(\.discontinuity).map(\.uri))", sourceLocation: sourceLocation)
            let total = playlist.segments.reduce(0) { $0 + $1.durationMilliseconds }
            #expect(
                abs(total - Int64(seconds) * 1000) <= GeneratedShow.frameMilliseconds,
                "EXTINF sum \(total) ms for \(seconds) s of media", sourceLocation: sourceLocation)
            expectContinuousProgramDateTime(playlist, sourceLocation: sourceLocation)
            for segment in playlist.segments {
                #expect(
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent(segment.uri).path), "\(segment.uri) is missing",
                    sourceLocation: sourceLocation)
            }

            // ffprobe on the segments around the wrap, and the first and last: keyframe first, and
            // each starting where the one before ended, the wrap taken out.
            guard let firstDate = playlist.segments.first?.programDateTime?.millisecondsSince1970 else {
                Issue.record("no PROGRAM-DATE-TIME", sourceLocation: sourceLocation)
                return playlist
            }
            let scratch = try TemporaryDirectory.make(label: "wrap-probe")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var probed: [Int: (first: Double, end: Double, frame: Double)] = [:]
            // The wrap falls about `beforeWrap` into the show (the muxer's delay moves it ~1.4 s earlier).
            let wrapAt = Int64(beforeWrap * 1000)
            let wrapIndex = playlist.segments.lastIndex { $0.programDateTime!.millisecondsSince1970 - firstDate <= wrapAt } ?? 0
            let around = Set(
                [0, playlist.segments.count - 1]
                    + Array(max(0, wrapIndex - 2)...min(playlist.segments.count - 1, wrapIndex + 2)))
            for index in around.sorted() {
                let segment = playlist.segments[index]
                var path = folder.appendingPathComponent(segment.uri).path
                if let map = segment.map {
                    var data = try Data(contentsOf: folder.appendingPathComponent(map.uri))
                    data.append(try Data(contentsOf: folder.appendingPathComponent(segment.uri)))
                    path = scratch.appendingPathComponent(segment.uri + ".mp4").path
                    try data.write(to: URL(fileURLWithPath: path))
                }
                let packets = try FFprobe.packets(of: path)
                guard let first = packets.first, let pts = first.ptsTime else {
                    Issue.record("\(segment.uri): no video packet", sourceLocation: sourceLocation)
                    continue
                }
                #expect(first.isKeyframe, "\(segment.uri) starts with a keyframe", sourceLocation: sourceLocation)
                let end = packets.compactMap { packet in packet.ptsTime.map { $0 + (packet.durationTime ?? 0) } }.max() ?? pts
                probed[index] = (pts, end, packets.compactMap(\.durationTime).max() ?? 0.1)
            }
            for index in probed.keys.sorted() {
                guard let previous = probed[index - 1], let next = probed[index] else { continue }
                var gap = (next.first - previous.end).truncatingRemainder(dividingBy: GeneratedShow.wrapSeconds)
                if gap > GeneratedShow.wrapSeconds / 2 { gap -= GeneratedShow.wrapSeconds }
                if gap < -GeneratedShow.wrapSeconds / 2 { gap += GeneratedShow.wrapSeconds }
                #expect(
                    abs(gap) <= previous.frame + 1e-6,
                    "\(playlist.segments[index].uri) starts \(gap) s from where the one before ended", sourceLocation: sourceLocation)
            }

            // Markers: the date range at its start, before the segment holding it; for TS, its ID3 tag
            // in that segment at its time.
            for (number, start) in markers.enumerated() {
                let id = "long-\(number + 1)"
                guard let index = playlist.segments.firstIndex(where: { $0.dateRanges.contains { $0.id == id } }),
                    let range = playlist.segments[index].dateRanges.first(where: { $0.id == id }),
                    let segmentDate = playlist.segments[index].programDateTime?.millisecondsSince1970
                else {
                    Issue.record("marker \(id) at \(start) s is not in index.m3u8", sourceLocation: sourceLocation)
                    continue
                }
                let startDate = range.startDate.millisecondsSince1970
                #expect(startDate - firstDate == Int64(start) * 1000, "\(id): START-DATE \(startDate - firstDate) ms into the show, not \(start) s", sourceLocation: sourceLocation)
                #expect(
                    segmentDate <= startDate && startDate < segmentDate + playlist.segments[index].durationMilliseconds,
                    "\(id) is carried before the segment that holds its start", sourceLocation: sourceLocation)
                if container == .ts {
                    guard TimedID3Reader.isAvailable else {
                        Issue.record("PyAV and mutagen are missing (scripts/setup.sh --test installs them)", sourceLocation: sourceLocation)
                        continue
                    }
                    let read = try TimedID3Reader.read([folder.appendingPathComponent(playlist.segments[index].uri).path])
                    let tags = read.first?.id3.filter { $0.privateID == id } ?? []
                    guard let tag = tags.first, let pts = tag.pts, let firstVideo = read.first?.first_video_pts else {
                        Issue.record("\(id): no ID3 tag in \(playlist.segments[index].uri)", sourceLocation: sourceLocation)
                        continue
                    }
                    var offset = (pts - firstVideo).truncatingRemainder(dividingBy: GeneratedShow.wrapSeconds)
                    if offset < -GeneratedShow.wrapSeconds / 2 { offset += GeneratedShow.wrapSeconds }
                    let expected = Double(startDate - segmentDate) / 1000
                    #expect(
                        abs(offset - expected) <= Double(GeneratedShow.frameMilliseconds) / 1000 + 1e-6,
                        "\(id): its ID3 tag is \(offset) s into its segment, the date range \(expected) s", sourceLocation: sourceLocation)
                }
            }
            return playlist
        }

        /// Prints the samples (every tenth, the first and the last).
        static func report(_ samples: [ResourceSampler.Sample], label: String) {
            print("long show (\(label)): \(samples.count) samples")
            for (index, sample) in samples.enumerated() where index % 10 == 0 || index == samples.count - 1 {
                print("long show (\(label)): \(sample)")
            }
        }

        /// Memory flat: the resident size after the first hour (or, for a shorter show, after its
        /// first quarter) and the last sample before the end are within 5 MB.
        static func expectFlatMemory(
            _ samples: [ResourceSampler.Sample], totalMilliseconds: Int64, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let mark = min(3_600_000, totalMilliseconds / 4)
            guard let early = samples.first(where: { $0.mediaMilliseconds >= mark }),
                let late = samples.last(where: { $0.mediaMilliseconds < totalMilliseconds })
            else {
                Issue.record("too few samples to judge memory: \(samples)", sourceLocation: sourceLocation)
                return
            }
            let grown = late.residentKilobytes - early.residentKilobytes
            print("long show: RSS after \(mark / 1000) s of media \(early.residentKilobytes) kB, after \(late.mediaMilliseconds / 1000) s \(late.residentKilobytes) kB (\(grown) kB)")
            #expect(abs(grown) <= 5 * 1024, "RSS went from \(early) to \(late)", sourceLocation: sourceLocation)
        }
    }
}
