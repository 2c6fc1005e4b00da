import CuepointTestSupport
import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

extension Integration.Replay {
    @Suite("Reading a recording", .ownThreads) struct Reading {
        /// Reads every packet: (kind, replay time in ms, segment, offset in segment, keyframe).
        func packets(_ reader: RenditionReader) throws -> [String] {
            var lines: [String] = []
            try reader.read { item in
                lines.append(
                    "\(item.kind) \(item.replayTime?.milliseconds ?? -1) \(item.entryIndex) \(item.offsetInSegment ?? -1) \(item.packet.isKeyframe)")
            }
            return lines
        }

        @Test("fMP4 read in chunks of segments gives the same packets, times and offsets as one demuxer")
        func chunkedReadingIsSeamless() async throws {
            try await TemporaryDirectory.with(label: "replay-chunks") { directory in
                let recording = try await recordWithMarkers(directory, container: .fmp4)
                let source = try ReplaySource.load(directory: recording.path)
                let timeline = ReplayTimeline(
                    slots: source.slots, discontinuities: source.renditions[0].playlist.segments.map(\.discontinuity))
                let whole = try packets(
                    RenditionReader(rendition: source.renditions[0], timeline: timeline, container: .fmp4, fragmentedChunk: 100))
                let chunked = try packets(
                    RenditionReader(rendition: source.renditions[0], timeline: timeline, container: .fmp4, fragmentedChunk: 2))
                #expect(whole.count > 1500)
                #expect(whole == chunked)
                // Video starts at replay time 0 on a keyframe, in the first segment.
                #expect(whole.first { $0.hasPrefix("video") }?.hasPrefix("video 0 0 ") == true)
                #expect(whole.first { $0.hasPrefix("video") }?.hasSuffix("true") == true)
            }
        }
    }
}
