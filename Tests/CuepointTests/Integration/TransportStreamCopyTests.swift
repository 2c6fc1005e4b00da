import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

// The transport stream copy path against the libavformat path on the same inputs: the same
// playlists (text), the same decoded frames (the `ffmpeg` program's framemd5 of each rendition),
// the same in-band markers (PyAV), and the choice of path visible in the run's summary.

extension Integration {
    @Suite("Transport stream copy path", .enabled(if: ExternalProgram.which("ffmpeg") != nil, "needs the ffmpeg program"), .ownThreads)
    struct TransportStreamCopyPath {
        /// Runs `spec` into `directory` with the copy path allowed or not.
        static func run(_ spec: PipelineSpec, into directory: URL, copyPath: Bool) throws -> (RunSummary, [String]) {
            let collected = WarningLog()
            var options = RunOptions()
            options.clock = ManualClock(start: LibraryRun.fixedDate)
            options.warning = { collected.append($0) }
            options.transportStreamCopy = copyPath
            let summary = try PipelineRunner(spec: spec, directory: directory, options: options).runBlocking()
            return (summary, collected.messages)
        }

        /// The MD5 of every decoded frame of stream `selector` (`v:0`, `a:0`) of an HLS playlist,
        /// in order, as the `ffmpeg` program's framemd5 muxer prints them.
        static func frameHashes(_ playlist: URL, _ selector: String) throws -> [String] {
            let ffmpeg = try #require(ExternalProgram.which("ffmpeg"))
            let output = try ExternalProgram.run(
                ffmpeg, ["-v", "error", "-i", playlist.path, "-map", "0:\(selector)", "-f", "framemd5", "-"])
            #expect(output.status == 0, "\(output.stderrText)")
            return String(decoding: output.stdout, as: UTF8.self).split(separator: "\n")
                .filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } }
        }

        /// master.m3u8 without its measured bandwidths (the two paths' segments differ in bytes).
        static func masterWithoutBandwidths(_ directory: URL) throws -> String {
            let text = try String(contentsOf: directory.appendingPathComponent("master.m3u8"), encoding: .utf8)
            return text.replacingOccurrences(of: #"(AVERAGE-)?BANDWIDTH=\d+"#, with: "BANDWIDTH", options: .regularExpression)
        }

        /// Runs `spec` both ways into `folder/copy` and `folder/demux` and compares what players see.
        static func compareBothPaths(_ spec: PipelineSpec, in folder: URL, renditions: [String]) throws {
            let copy = folder.appendingPathComponent("copy"), demux = folder.appendingPathComponent("demux")
            let (fast, fastWarnings) = try run(spec, into: copy, copyPath: true)
            let (slow, slowWarnings) = try run(spec, into: demux, copyPath: false)
            #expect(fast.readPath == .transportStreamCopy)
            #expect(slow.readPath == .demuxer)
            #expect(fastWarnings == slowWarnings)
            _ = try verifyRecording(directory: copy, container: .ts, segmentMilliseconds: spec.output.segmentDuration.milliseconds)
            #expect(try masterWithoutBandwidths(copy) == masterWithoutBandwidths(demux))
            for rendition in renditions {
                let fastPlaylist = copy.appendingPathComponent("\(rendition)/index.m3u8")
                let slowPlaylist = demux.appendingPathComponent("\(rendition)/index.m3u8")
                #expect(try String(contentsOf: fastPlaylist, encoding: .utf8) == String(contentsOf: slowPlaylist, encoding: .utf8))
                for selector in ["v:0", "a:0"] {
                    let fastFrames = try frameHashes(fastPlaylist, selector)
                    #expect(!fastFrames.isEmpty)
                    #expect(fastFrames == (try frameHashes(slowPlaylist, selector)), "\(rendition) \(selector)")
                }
            }
        }

        @Test(
            "the same playlists, frames and in-band markers as libavformat's path, for sample.ts with markers",
            .enabled(if: TimedID3Reader.isAvailable, "needs python3 with PyAV (`av`) and mutagen"))
        func sameAsLibavformat() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ts-copy") { folder in
                let spec = MarkerRuns.spec(container: .ts, input: .ts)
                try Self.compareBothPaths(spec, in: folder, renditions: ["source"])
                // libavformat's MPEG-TS muxer (max_delay 0.7 s) moves every timestamp 1.4 s later;
                // the copy path keeps the input's. Tags are compared by their distance from the
                // segment's first video frame, which is what a player sees.
                func tags(_ directory: URL) throws -> [[String]] {
                    let folder = directory.appendingPathComponent("source")
                    let segments = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".ts") }
                        .sorted().map { folder.appendingPathComponent($0).path }
                    return try TimedID3Reader.read(segments).map { segment in
                        #expect(segment.error == nil, "\(segment.file): \(segment.error ?? "")")
                        let video = try #require(segment.first_video_pts, "\(segment.file)")
                        return segment.id3.map { tag in
                            let offset = tag.pts.map { Int((($0 - video) * 1000).rounded()) } ?? -1
                            return "\(offset) ms \(tag.markerJSON ?? "?")"
                        }
                    }
                }
                let copied = try tags(folder.appendingPathComponent("copy"))
                #expect(copied.joined().count == 6, "\(copied)")  // products.jsonl's six markers
                let demuxed = try tags(folder.appendingPathComponent("demux"))
                #expect(copied == demuxed, "copy path \(copied), libavformat path \(demuxed)")
            } }
        }

        @Test("the same across a timestamp jump (EXT-X-DISCONTINUITY), into two renditions")
        func sameAcrossDiscontinuity() async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ts-copy-jump") { folder in
                let later = try DamagedInputs.shiftedTS(bySeconds: 100, as: "later.ts", in: folder)
                let jump = try DamagedInputs.concatenated([SampleInput.ts.url, later], as: "jump.ts", in: folder)
                let spec = MarkerRuns.spec(container: .ts, renditions: ["a", "b"], inputPath: jump.path)
                try Self.compareBothPaths(spec, in: folder, renditions: ["a", "b"])
                let text = try String(contentsOf: folder.appendingPathComponent("copy/a/index.m3u8"), encoding: .utf8)
                #expect(text.components(separatedBy: "#EXT-X-DISCONTINUITY\n").count == 2)
            } }
        }

        @Test("the path taken: MPEG-TS into MPEG-TS only", arguments: [(SampleInput.ts, Container.ts), (.mp4, .ts), (.ts, .fmp4)])
        func pathTaken(input: SampleInput, container: Container) async throws {
            try await offThePool { try TemporaryDirectory.withBlocking(label: "ts-copy-path") { folder in
                let (summary, _) = try Self.run(
                    LibraryRun.spec(input: input.path, container: container), into: folder, copyPath: true)
                #expect(summary.readPath == (input == .ts && container == .ts ? .transportStreamCopy : .demuxer))
            } }
        }
    }
}
