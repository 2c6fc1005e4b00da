import CuepointTestSupport
import CuepointHLS
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The LL-HLS answers of `PartStore` without a network: blocking reload (bis §6.2.5.2), the
/// 400 and 503 rules, delta updates, parts from memory, retention.
@Suite(.ownThreads) struct PartStoreTests {
    static let start = WallClockTime(millisecondsSince1970: 1_741_975_200_000)

    static func segmentURI(_ sequence: Int64) -> String { "seg_" + String(format: "%06lld", sequence) + ".m4s" }

    /// The URI of part `index` of segment `sequence` when every segment has four parts.
    static func partURI(_ sequence: Int64, _ index: Int) -> String {
        RecordingLayout.part(number: (sequence - 1) * 4 + Int64(index) + 1)
    }

    /// A store for one or two renditions of 2 s segments in 0.5 s parts.
    static func store(renditions: [String] = ["source"], timeout: Int64 = 300, window: Int = 6) -> PartStore {
        PartStore(
            renditions: renditions.map {
                (
                    $0,
                    RenditionPlaylists(
                        kinds: [.index, .live], windowSize: window, finishAsVOD: false, targetMilliseconds: 2000,
                        firstSequence: 1)
                )
            }, partTargetMilliseconds: 500, blockTimeoutMilliseconds: timeout)
    }

    /// Publishes `parts` parts of segment `sequence` in every rendition, closing it when it has four.
    static func publish(
        _ store: PartStore, sequence: Int64, parts: Range<Int>, playlists: inout [String: RenditionPlaylists],
        dateRanges: [DateRange] = []
    ) {
        for name in store.renditionNames {
            if parts.lowerBound == 0 {
                store.segmentOpened(
                    rendition: name, sequence: sequence, discontinuity: false,
                    map: MediaInitializationSection(uri: "init.mp4"),
                    programDateTime: start.advanced(by: .milliseconds((sequence - 1) * 2000)))
            }
            for index in parts {
                let uri = partURI(sequence, index)
                store.partCompleted(
                    rendition: name,
                    PartStore.Part(
                        sequence: sequence, index: index, number: (sequence - 1) * 4 + Int64(index) + 1, uri: uri,
                        durationMilliseconds: 500, independent: index == 0,
                        bytes: Array(uri.utf8), completedAt: DispatchTime.now().uptimeNanoseconds))
            }
        }
        guard parts.upperBound == 4 else { return }
        for name in store.renditionNames {
            var segment = MediaSegment(
                uri: segmentURI(sequence), durationMilliseconds: 2000,
                programDateTime: start.advanced(by: .milliseconds((sequence - 1) * 2000)),
                map: MediaInitializationSection(uri: "init.mp4"))
            segment.dateRanges = dateRanges
            _ = playlists[name]!.append(segment)
        }
        store.segmentsPublished(store.renditionNames.map { ($0, playlists[$0]!) })
    }

    static func emptyPlaylists(_ store: PartStore, window: Int = 6) -> [String: RenditionPlaylists] {
        Dictionary(
            uniqueKeysWithValues: store.renditionNames.map {
                (
                    $0,
                    RenditionPlaylists(
                        kinds: [.index, .live], windowSize: window, finishAsVOD: false, targetMilliseconds: 2000,
                        firstSequence: 1)
                )
            })
    }

    func text(_ response: PartStore.PlaylistAnswer) throws -> MediaPlaylist {
        guard case .playlist(let text) = response else {
            Issue.record("expected a playlist, got \(response)")
            throw CancellationError()
        }
        return try MediaPlaylist(parsing: text)
    }

    @Test func thePlaylistListsPartsTheOpenSegmentAHintAndReports() async throws {
        let store = Self.store(renditions: ["source", "low"])
        var playlists = Self.emptyPlaylists(store)
        Self.publish(store, sequence: 1, parts: 0..<4, playlists: &playlists)
        Self.publish(store, sequence: 2, parts: 0..<2, playlists: &playlists)
        let playlist = try text(
            await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives()))
        #expect(playlist.serverControl?.canBlockReload == true)
        #expect(playlist.serverControl?.partHoldBackMilliseconds == 1500, "three part targets")
        #expect(playlist.serverControl?.canSkipUntilMilliseconds == 12_000, "six target durations")
        #expect(playlist.partTargetMilliseconds == 500)
        #expect(playlist.segments.map(\.parts.count) == [4])
        #expect(playlist.segments[0].parts.map(\.independent) == [true, false, false, false])
        #expect(playlist.openSegment?.parts.map(\.uri) == ["part_000005.m4s", "part_000006.m4s"])
        #expect(playlist.preloadHints == [PreloadHint(type: .part, uri: "part_000007.m4s")])
        #expect(
            playlist.renditionReports == [
                PlaylistRenditionReport(uri: "../low/index.m3u8", lastSequence: 2, lastPart: 1)
            ])
        // live.m3u8 with a 6-segment window offers no delta updates.
        let live = try text(await store.playlist(rendition: "source", kind: .live, directives: DeliveryDirectives()))
        #expect(live.serverControl?.canSkipUntilMilliseconds == nil)
        #expect(
            await store.playlist(rendition: "source", kind: .live, directives: DeliveryDirectives(skip: .segments))
                == .beyondRules(
                    "_HLS_skip: this playlist offers no delta updates (no CAN-SKIP-UNTIL in its EXT-X-SERVER-CONTROL)"))
        #expect(await store.playlist(rendition: "nope", kind: .index, directives: DeliveryDirectives()) == .noSuchPlaylist)
    }

    @Test func aPlaylistTheRecordingDoesNotWriteIsNotServed() async {
        let store = PartStore(
            renditions: [
                (
                    "source",
                    RenditionPlaylists(
                        kinds: [.index], windowSize: 6, finishAsVOD: false, targetMilliseconds: 2000, firstSequence: 1)
                )
            ], partTargetMilliseconds: 500)
        #expect(await store.playlist(rendition: "source", kind: .live, directives: DeliveryDirectives()) == .noSuchPlaylist)
        #expect(await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives()) != .noSuchPlaylist)
    }

    @Test func blockingRequestsWaitForThePartAndAnswerWhenItIsPublished() async throws {
        let store = Self.store(timeout: 10_000)
        var playlists = Self.emptyPlaylists(store)
        Self.publish(store, sequence: 1, parts: 0..<2, playlists: &playlists)
        // Already there: at once.
        let ready = try text(
            await store.playlist(
                rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 1, part: 1)))
        #expect(ready.openSegment?.parts.count == 2)
        // Part 2 of segment 1 and the whole of segment 1: wait until published.
        async let part = store.playlist(
            rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 1, part: 2))
        async let segment = store.playlist(
            rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 1))
        async let hinted = store.part(rendition: "source", uri: "part_000003.m4s")
        try await Task.sleep(for: .milliseconds(100))
        Self.publish(store, sequence: 1, parts: 2..<4, playlists: &playlists)
        // Answered when part 2 was published: part 3, or the whole segment, may be published too
        // by the time the answer is rendered, but part 2 is listed either way.
        let answered = try text(await part)
        #expect(answered.segments.count == 1 || (answered.openSegment?.parts.count ?? 0) >= 3, "\(answered.render())")
        #expect(try text(await segment).segments.count == 1)
        #expect(await hinted == .part(Array("part_000003.m4s".utf8)))
        // Part 4 of a complete 4-part segment is part 0 of the next (bis §6.2.5.2).
        async let rolled = store.playlist(
            rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 1, part: 4))
        try await Task.sleep(for: .milliseconds(100))
        Self.publish(store, sequence: 2, parts: 0..<1, playlists: &playlists)
        #expect(try text(await rolled).openSegment?.parts.count == 1)
    }

    @Test func theNewestPartsCompletionTimeIsKeptPerRendition() {
        let store = Self.store()
        #expect(store.newestPartCompletedAt(rendition: "source") == nil, "no part yet")
        var playlists = Self.emptyPlaylists(store)
        let before = DispatchTime.now().uptimeNanoseconds
        Self.publish(store, sequence: 1, parts: 0..<2, playlists: &playlists)
        let newest = store.newestPartCompletedAt(rendition: "source")
        #expect(newest.map { $0 >= before && $0 <= DispatchTime.now().uptimeNanoseconds } == true)
        #expect(store.newestPartCompletedAt(rendition: "other") == nil, "no such rendition")
    }

    @Test func requestsTooFarAheadAre400AndUnansweredOnesAre503() async throws {
        let store = Self.store(timeout: 300)
        var playlists = Self.emptyPlaylists(store)
        Self.publish(store, sequence: 1, parts: 0..<4, playlists: &playlists)
        Self.publish(store, sequence: 2, parts: 0..<1, playlists: &playlists)
        // Last complete segment 1: _HLS_msn 3 may wait, 4 is more than two ahead.
        #expect(
            await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 4))
                == .beyondRules("_HLS_msn=4 is more than two segments beyond the last one (1)"))
        // Advance Part Limit for 0.5 s parts: 3 / 0.5 = 6 parts past the last one (part 0 of segment 2).
        #expect(
            await store.playlist(
                rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 2, part: 7))
                == .beyondRules(
                    "_HLS_part=7 of segment 2 is more than the Advance Part Limit (6 parts) beyond the last part"))
        let waited = await store.playlist(
            rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 2, part: 6))
        #expect(
            waited
                == .notPublishedInTime(
                    "_HLS_msn=2&_HLS_part=6: not published within 300 ms (three target durations); the input may have stalled"
                ))
        #expect(
            await store.part(rendition: "source", uri: "part_000006.m4s") == .notCompletedInTime, "the hinted part never came")
        #expect(await store.part(rendition: "source", uri: "part_000007.m4s") == .noSuchPart, "not the next part")
        #expect(await store.part(rendition: "source", uri: "part_000005.m4s") == .part(Array("part_000005.m4s".utf8)))
    }

    @Test func partsAreListedForThreeTargetDurationsAndKeptForSix() async throws {
        let store = Self.store()
        var playlists = Self.emptyPlaylists(store)
        for sequence in Int64(1)...10 { Self.publish(store, sequence: sequence, parts: 0..<4, playlists: &playlists) }
        let playlist = try text(
            await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives()))
        // 2 s segments, target 2: parts of the last 3 segments (6 s) are listed.
        #expect(playlist.segments.map { $0.parts.count } == [0, 0, 0, 0, 0, 0, 0, 4, 4, 4])
        #expect(await store.part(rendition: "source", uri: "part_000020.m4s") == .part(Array("part_000020.m4s".utf8)))
        #expect(
            await store.part(rendition: "source", uri: "part_000016.m4s") == .noSuchPart,
            "older than six target durations")
        #expect(await store.part(rendition: "source", uri: "part_000099.m4s") == .noSuchPart, "far ahead")
        #expect(await store.part(rendition: "source", uri: "part_.m4s") == .noSuchPart)
        #expect(await store.part(rendition: "source", uri: "junk.m4s") == .noSuchPart)
    }

    @Test func deltaUpdatesSkipOldSegmentsAndKeepOrDropTheirDateRanges() async throws {
        let store = Self.store()
        var playlists = Self.emptyPlaylists(store)
        let marker = DateRange(
            id: "p-1", classAttribute: "com.cuepoint.product", startDate: Self.start.advanced(by: .milliseconds(500)))
        Self.publish(store, sequence: 1, parts: 0..<4, playlists: &playlists, dateRanges: [marker])
        for sequence in Int64(2)...10 { Self.publish(store, sequence: sequence, parts: 0..<4, playlists: &playlists) }
        Self.publish(store, sequence: 11, parts: 0..<2, playlists: &playlists)
        let full = try text(await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives()))
        let keep = try text(
            await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives(skip: .segments)))
        // Skip Boundary 12 s; 1 s of open parts: segments ending 12 s or more before the end are skipped.
        // Segment 5 ends 11 s before the end (kept); segment 4, 13 s (skipped).
        #expect(keep.skip == PlaylistSkip(skippedSegments: 4))
        #expect(keep.segments.first?.uri == "seg_000005.m4s")
        #expect(keep.segments.first?.map == MediaInitializationSection(uri: "init.mp4"))
        #expect(keep.segments.first?.dateRanges.map(\.id) == ["p-1"], "YES keeps every date range")
        #expect(keep.segments.dropFirst() == full.segments.dropFirst(5))
        #expect(keep.openSegment == full.openSegment && keep.preloadHints == full.preloadHints)
        let drop = try text(
            await store.playlist(
                rendition: "source", kind: .index, directives: DeliveryDirectives(skip: .segmentsAndDateRanges)))
        #expect(drop.skip == PlaylistSkip(skippedSegments: 4))
        #expect(drop.segments.flatMap(\.dateRanges).isEmpty, "v2 drops the skipped segments' date ranges")
    }

    @Test func afterTheEndThePlaylistIsFinalAndDirectivesAreIgnored() async throws {
        let store = Self.store()
        var playlists = Self.emptyPlaylists(store)
        Self.publish(store, sequence: 1, parts: 0..<4, playlists: &playlists)
        async let waiting = store.playlist(
            rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 3))
        try await Task.sleep(for: .milliseconds(50))
        store.finish(store.renditionNames.map { ($0, playlists[$0]!) })
        for response in [
            await waiting,
            await store.playlist(rendition: "source", kind: .index, directives: DeliveryDirectives(sequence: 2)),
        ] {
            let playlist = try text(response)
            #expect(playlist.endList)
            #expect(playlist.preloadHints.isEmpty && playlist.openSegment == nil && playlist.serverControl == nil)
            #expect(playlist.segments.allSatisfy { $0.parts.isEmpty })
        }
        #expect(await store.part(rendition: "source", uri: "part_000001.m4s") == .noSuchPart)
    }
}
