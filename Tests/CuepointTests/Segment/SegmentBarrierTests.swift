import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The barrier publishes segment N of every rendition together, in sequence order, whichever
/// rendition closes it first.
@Suite(.ownThreads) struct SegmentBarrierTests {
    static let t0 = WallClockTime(millisecondsSince1970: 1_700_000_000_000)

    static func publisher(_ store: DirectoryStore, renditions: [String]) -> RecordingPublisher {
        RecordingPublisher(
            store: store, recordingName: "barrier", container: .ts, segmentDuration: .seconds(6), isLive: true,
            renditions: renditions.map {
                RecordingPublisher.Rendition(
                    name: $0,
                    playlists: RenditionPlaylists(
                        kinds: [.index], windowSize: 6, finishAsVOD: false, targetMilliseconds: 6_000, firstSequence: 1),
                    description: VariantDescription(streams: []))
            }, warnings: WarningCollector())
    }

    static func segment(_ sequence: Int64) -> SegmentBarrier.Segment {
        SegmentBarrier.Segment(
            sequence: sequence, durationMilliseconds: 6_000, discontinuity: false,
            programDateTime: t0.advanced(by: .milliseconds(6_000 * (sequence - 1))),
            mediaStartMilliseconds: 6_000 * (sequence - 1), dateRanges: [], completedAt: 0)
    }

    static func file(_ sequence: Int64) -> SegmentBarrier.File {
        SegmentBarrier.File(uri: "seg_00000\(sequence).ts", byteCount: 1_000, initURI: nil)
    }

    /// The segments each rendition's index.m3u8 lists now.
    static func listed(_ store: DirectoryStore, _ renditions: [String]) throws -> [String: [String]] {
        var listed: [String: [String]] = [:]
        for name in renditions {
            guard let bytes = try store.read(RecordingLayout.playlistPath(.index, in: name)) else {
                listed[name] = []
                continue
            }
            listed[name] = try MediaPlaylist(parsing: String(decoding: bytes, as: UTF8.self)).segments.map(\.uri)
        }
        return listed
    }

    @Test func aSegmentIsPublishedOnlyWhenEveryRenditionHasItAndInOrder() throws {
        let root = try TemporaryDirectory.make(label: "barrier")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = DirectoryStore(root: root)
        try store.prepare(folders: ["copy", "720p"])
        let names = ["copy", "720p"]
        let barrier = SegmentBarrier(publisher: Self.publisher(store, renditions: names), clock: ManualClock(start: Self.t0))
        var published: [[String]] = []
        barrier.onPublished = { records, _ in published.append(records.map { "\($0.rendition) \($0.sequence)" }) }

        // The copy rendition closes 1 and 2 at once; the encoder is behind.
        try barrier.add(Self.segment(1))
        try barrier.add(Self.file(1), rendition: 0, sequence: 1)
        try barrier.add(Self.segment(2))
        try barrier.add(Self.file(2), rendition: 0, sequence: 2)
        #expect(published.isEmpty)
        #expect(barrier.incomplete.map(\.sequence) == [1, 2])
        #expect(barrier.incomplete.map(\.missing) == [["720p"], ["720p"]])
        #expect(try Self.listed(store, names) == ["copy": [], "720p": []])

        // The encoder closes 2 before 1 (never in practice, but the order must still hold).
        try barrier.add(Self.file(2), rendition: 1, sequence: 2)
        #expect(published.isEmpty)
        try barrier.add(Self.file(1), rendition: 1, sequence: 1)
        #expect(published == [["copy 1", "720p 1"], ["copy 2", "720p 2"]])
        #expect(barrier.publishedSegments == 2)
        #expect(barrier.incomplete.isEmpty)
        #expect(try Self.listed(store, names) == ["copy": ["seg_000001.ts", "seg_000002.ts"], "720p": ["seg_000001.ts", "seg_000002.ts"]])
    }

    @Test func filesBeforeTheSessionsDescriptionWaitForIt() throws {
        let root = try TemporaryDirectory.make(label: "barrier")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = DirectoryStore(root: root)
        try store.prepare(folders: ["a"])
        let barrier = SegmentBarrier(publisher: Self.publisher(store, renditions: ["a"]), clock: ManualClock(start: Self.t0))
        try barrier.add(Self.file(1), rendition: 0, sequence: 1)
        #expect(barrier.publishedSegments == 0)
        #expect(barrier.incomplete.isEmpty)  // nothing described yet
        try barrier.add(Self.segment(1))
        #expect(barrier.publishedSegments == 1)
        #expect(try Self.listed(store, ["a"]) == ["a": ["seg_000001.ts"]])
    }
}
