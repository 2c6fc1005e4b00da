import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration {
    /// Live behaviour: the sliding-window playlist, deletion after the availability time,
    /// EVENT recordings, and a live input on standard input.
    @Suite("Live recordings", .ownThreads)
    struct LiveRecordings {
        /// What the rendition folder held at one clock reading.
        struct Snapshot {
            /// The clock value the run had used for everything published so far.
            var time: WallClockTime
            var playlist: MediaPlaylist?
            var problem: String?
            var segmentFiles: Set<String>
        }

        final class SnapshotLog: @unchecked Sendable {
            // Invariant: `entries` is only touched with `lock` held.
            private let lock = NSLock()
            private var entries: [Snapshot] = []
            func append(_ snapshot: Snapshot) { lock.withLock { entries.append(snapshot) } }
            var snapshots: [Snapshot] { lock.withLock { entries } }
        }

        static func snapshot(of folder: URL, at time: WallClockTime) -> Snapshot {
            let files = Set(filesBelow(folder).filter { $0.hasPrefix("seg_") && !$0.hasSuffix(".tmp") })
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("live.m3u8").path) else {
                return Snapshot(time: time, segmentFiles: files)
            }
            let text = String(decoding: data, as: UTF8.self)
            do {
                return Snapshot(time: time, playlist: try MediaPlaylist(parsing: text), segmentFiles: files)
            } catch {
                return Snapshot(time: time, problem: "\(error)\n\(text)", segmentFiles: files)
            }
        }

        @Test("live.m3u8 alone: a 3-segment window, and segments deleted only after their availability time")
        func slidingWindowDeletesAfterAvailability() async throws {
            try await TemporaryDirectory.with(label: "live-window") { directory in
                let folder = directory.appendingPathComponent("source")
                let log = SnapshotLog()
                // Every reading moves the clock 2 s on, as if each 2 s segment took 2 s to arrive;
                // before each reading, the folder is photographed as the run left it.
                let clock = ManualClock(start: LibraryRun.fixedDate, stepMilliseconds: 2_000) { previous in
                    if let previous { log.append(LiveRecordings.snapshot(of: folder, at: previous)) }
                }
                let spec = LibraryRun.spec(
                    input: SampleInput.mp4.path, container: .ts, segmentMilliseconds: 2_000, live: true, liveWindow: 3,
                    playlists: [.live])
                let (summary, _) = try await LibraryRun.run(spec, into: directory, clock: clock)
                let snapshots = log.snapshots + [LiveRecordings.snapshot(of: folder, at: try #require(clock.lastReading))]
                let total = try #require(summary.renditions.first?.segments)
                #expect(total == 10, "20 s in 2 s segments")

                // The finished sliding window, checked like any recording.
                let recording = try verifyRecording(directory: directory, container: .ts, segmentMilliseconds: 2_000)
                #expect(recording.master.variants.map(\.uri) == ["source/live.m3u8"])
                let final = recording.rendition.playlist
                #expect(final.segments.count == 3)
                #expect(final.playlistType == nil, "a sliding-window playlist has no EXT-X-PLAYLIST-TYPE")
                #expect(final.endList)
                #expect(final.mediaSequence == 1 + Int64(total - 3))
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.m3u8").path))

                // While it ran: never more than 3 segments, MEDIA-SEQUENCE moving on one by one,
                // and every listed segment present.
                let published = snapshots.filter { $0.playlist != nil }
                #expect(published.count >= total - 1, "the clock is read at least once per segment")
                for snapshot in snapshots {
                    #expect(snapshot.problem == nil, "live.m3u8 at \(snapshot.time): \(snapshot.problem ?? "")")
                    guard let playlist = snapshot.playlist else { continue }
                    #expect(playlist.segments.count <= 3)
                    #expect(playlist.playlistType == nil)
                    for segment in playlist.segments {
                        #expect(snapshot.segmentFiles.contains(segment.uri), "\(segment.uri) listed but missing at \(snapshot.time)")
                    }
                }
                let sequences = published.compactMap { $0.playlist?.mediaSequence }
                #expect(sequences == sequences.sorted(), "MEDIA-SEQUENCE never goes back: \(sequences)")
                #expect(
                    Array(Set(sequences)).sorted() == Array(1...(1 + Int64(total - 3))),
                    "MEDIA-SEQUENCE advances by one: \(sequences)")

                // Availability (RFC 8216 §6.2.2): a segment removed from the playlist stays for its
                // duration plus the duration of the longest playlist that listed it.
                var deleted: [String] = []
                for uri in Set(published.flatMap { $0.playlist!.segments.map(\.uri) }).sorted() {
                    let listing = published.filter { $0.playlist!.segments.contains { $0.uri == uri } }
                    guard let lastListed = listing.last, let duration = lastListed.playlist!.segments.first(where: { $0.uri == uri })?.durationMilliseconds
                    else { continue }
                    let longestPlaylist = listing.map { $0.playlist!.segments.reduce(0) { $0 + $1.durationMilliseconds } }.max() ?? 0
                    let removed = published.first { $0.time > lastListed.time }
                    let gone = snapshots.first { $0.time > lastListed.time && !$0.segmentFiles.contains(uri) }
                    guard let gone else { continue }
                    deleted.append(uri)
                    let removedAt = try #require(removed, "\(uri) was deleted while still listed").time
                    let kept = gone.time.millisecondsSince1970 - removedAt.millisecondsSince1970
                    #expect(
                        kept >= duration + longestPlaylist,
                        "\(uri) deleted \(kept) ms after leaving the playlist; it must stay \(duration + longestPlaylist) ms")
                }
                #expect(deleted.contains("seg_000001.ts"), "old segments are deleted (deleted: \(deleted))")
                let remaining = Set(filesBelow(folder).filter { $0.hasPrefix("seg_") })
                #expect(remaining.isSuperset(of: final.segments.map(\.uri)))
                #expect(remaining.isDisjoint(with: deleted))
            }
        }

        @Test("a live input by default: an EVENT index.m3u8 ended with ENDLIST, and live.m3u8 beside it")
        func liveInputWritesEventAndWindow() async throws {
            try await TemporaryDirectory.with(label: "live-event") { directory in
                let spec = LibraryRun.spec(input: SampleInput.mp4.path, container: .fmp4, live: true)
                let (summary, _) = try await LibraryRun.run(spec, into: directory)
                let recording = try verifyRecording(directory: directory, container: .fmp4)
                #expect(recording.master.variants.map(\.uri) == ["source/index.m3u8"])
                let index = recording.rendition.playlist
                #expect(index.playlistType == .event)
                #expect(index.endList)
                #expect(summary.renditions.map(\.segments) == [index.segments.count])

                let live = try verifyMediaPlaylist(directory.appendingPathComponent("source/live.m3u8"), container: .fmp4).playlist
                let window = min(OutputSpec.defaultLiveWindow, index.segments.count)
                #expect(live.playlistType == nil)
                #expect(live.endList)
                #expect(live.segments == Array(index.segments.suffix(window)))
                #expect(live.mediaSequence == index.mediaSequence + Int64(index.segments.count - window))
            }
        }

        @Test("`cuepoint segment` reads a live MPEG-TS from standard input", arguments: ["pipe:0", "-"])
        func standardInput(name: String) async throws {
            try await TemporaryDirectory.with(label: "stdin") { directory in
                let output = directory.appendingPathComponent("out")
                let result = try CuepointCLI.run(["segment", name, "-o", output.path], standardInput: SampleInput.ts.url)
                #expect(result.status == 0, "\(result)")
                let recording = try verifyRecording(directory: output, container: .ts)
                let index = recording.rendition.playlist
                #expect(index.playlistType == .event, "input from a pipe is live: an EVENT playlist")
                #expect(index.endList)
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("source/live.m3u8").path))
                try expectDurationMatchesSource(recording.rendition, source: SampleInput.ts.path)
            }
        }

        @Test(
            "what `cuepoint segment` made from standard input plays to the end", .enabled(if: GStreamer.isInstalled),
            arguments: ["pipe:0", "-"])
        func standardInputPlays(name: String) async throws {
            try await TemporaryDirectory.with(label: "stdin-play") { directory in
                let output = directory.appendingPathComponent("out")
                let result = try CuepointCLI.run(["segment", name, "-o", output.path], standardInput: SampleInput.ts.url)
                #expect(result.status == 0, "\(result)")
                try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 600)
            }
        }
    }
}
