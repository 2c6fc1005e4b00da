import CuepointTestSupport
import CuepointObjectStorage
import Testing

/// The ordering and coalescing rules, without a store (the replicator tests check the same
/// rules against real servers).
@Suite(.ownThreads) struct ReplicationBacklogTests {
    func file(_ key: String) -> ReplicationOperation { .file(key: key, path: "/tmp/\(key)", byteCount: 100) }
    func document(_ key: String, _ version: String) -> ReplicationOperation {
        .document(key: key, bytes: Array(version.utf8), isFinal: false, targetDurationMilliseconds: 6000)
    }

    @Test func filesStartTogetherAndADocumentWaitsForEverythingBeforeIt() {
        var backlog = ReplicationBacklog()
        backlog.enqueue(file("seg1"), now: 0)
        backlog.enqueue(file("seg2"), now: 0)
        backlog.enqueue(document("index.m3u8", "v2"), now: 0)
        backlog.enqueue(file("seg3"), now: 0)
        let first = backlog.startable(limit: 8)
        #expect(first.map(\.operation) == [file("seg1"), file("seg2"), file("seg3")])
        backlog.complete(first[0].id)
        let whileSeg2IsInFlight = backlog.startable(limit: 8)
        #expect(whileSeg2IsInFlight.isEmpty)
        backlog.complete(first[1].id)
        let afterBoth = backlog.startable(limit: 8)
        #expect(afterBoth.map(\.operation) == [document("index.m3u8", "v2")])
    }

    /// The size of the backlog of a store that is down for an hour of a live-only show with
    /// 1 s segments, fed as ``ReplicatingStore`` feeds it (per segment: the file, the two
    /// playlists, `recording.json`, then the removal of the segment that left the window):
    /// documents coalesce to one waiting version per key, but files and removals alternate, so
    /// removals cannot merge: two entries per segment, 7,200 an hour per rendition. The figure
    /// in ``ReplicationBacklog``'s documentation comes from here. Each removal is followed by
    /// the question `ReplicatingStore.remove` asks (is the file still to be uploaded?): with a
    /// scan of the backlog per question and per document version this took 5.1 s in a debug
    /// build; with the backlog's maps, 0.03 s.
    @Test func anHourOfOneSecondSegmentsWhileTheStoreIsDown() {
        var backlog = ReplicationBacklog()
        for second in 1...3600 {
            backlog.enqueue(file("source/seg_\(second).m4s"), now: Int64(second) * 1000)
            backlog.enqueue(document("source/index.m3u8", "\(second)"), now: Int64(second) * 1000)
            backlog.enqueue(document("source/live.m3u8", "\(second)"), now: Int64(second) * 1000)
            backlog.enqueue(document("recording.json", "\(second)"), now: Int64(second) * 1000)
            if second > 6 {
                let removed = "source/seg_\(second - 6).m4s"
                backlog.enqueue(.removal(keys: [removed]), now: Int64(second) * 1000)
                // As `ReplicatingStore.remove` asks: the local file stays while the store lacks it.
                #expect(backlog.hasPendingFile(key: removed))
            }
        }
        #expect(!backlog.hasPendingFile(key: "source/seg_3601.m4s"))
        #expect(backlog.entries.count == 3600 + 3594 + 3)
        #expect(backlog.droppedDocumentVersions == 3 * 3599)
        #expect(backlog.lag(now: 3_600_000).oldestPendingMilliseconds == 3_599_000)
    }

    /// The counted map behind ``ReplicationBacklog/hasPendingFile(key:)``: a key stays pending
    /// while any entry holds it (waiting or in flight), and a document version returned by a
    /// stopped replicator is still the one a newer version replaces.
    @Test func pendingFilesFollowTheEntriesThatHoldThem() {
        var backlog = ReplicationBacklog()
        backlog.enqueue(file("seg1"), now: 0)
        backlog.enqueue(file("seg1"), now: 0)
        backlog.enqueue(document("index.m3u8", "v1"), now: 0)
        #expect(backlog.hasPendingFile(key: "seg1") && !backlog.hasPendingFile(key: "index.m3u8"))
        let started = backlog.startable(limit: 1)
        backlog.complete(started[0].id)
        #expect(backlog.hasPendingFile(key: "seg1"), "the second upload of seg1 still waits")
        let second = backlog.startable(limit: 1)
        #expect(second.map(\.operation) == [file("seg1")])
        backlog.returnInFlight()
        backlog.enqueue(document("index.m3u8", "v2"), now: 1)
        #expect(backlog.entries.map(\.operation) == [file("seg1"), document("index.m3u8", "v2")])
        let again = backlog.startable(limit: 1)
        backlog.complete(again[0].id)
        #expect(!backlog.hasPendingFile(key: "seg1"))
        #expect(backlog.startable(limit: 1).map(\.operation) == [document("index.m3u8", "v2")])
    }

    @Test func theLimitBoundsRequestsInFlight() {
        var backlog = ReplicationBacklog()
        for index in 1...5 { backlog.enqueue(file("seg\(index)"), now: 0) }
        let first = backlog.startable(limit: 2)
        let second = backlog.startable(limit: 2)
        #expect(first.count == 2)
        #expect(second.isEmpty)
    }

    @Test func aWaitingDocumentIsReplacedAndTheNewVersionKeepsItsLaterPlace() {
        var backlog = ReplicationBacklog()
        backlog.enqueue(file("seg1"), now: 0)
        backlog.enqueue(document("index.m3u8", "v1"), now: 1)
        backlog.enqueue(file("seg2"), now: 2)
        backlog.enqueue(document("index.m3u8", "v2"), now: 3)
        #expect(backlog.entries.map(\.operation) == [file("seg1"), file("seg2"), document("index.m3u8", "v2")])
        #expect(backlog.droppedDocumentVersions == 1)
    }

    @Test func aVersionInFlightIsNotReplacedButFollowed() {
        var backlog = ReplicationBacklog()
        backlog.enqueue(document("index.m3u8", "v1"), now: 0)
        let started = backlog.startable(limit: 4)
        #expect(started.map(\.operation) == [document("index.m3u8", "v1")])
        backlog.enqueue(document("index.m3u8", "v2"), now: 1)
        #expect(backlog.entries.count == 2)
        let behindTheFirst = backlog.startable(limit: 4)
        #expect(behindTheFirst.isEmpty)
        backlog.complete(started[0].id)
        let afterIt = backlog.startable(limit: 4)
        #expect(afterIt.map(\.operation) == [document("index.m3u8", "v2")])
    }

    @Test func removalsBatchAndComeAfterWhatWasHandedOverBefore() {
        var backlog = ReplicationBacklog(deleteBatch: 3)
        backlog.enqueue(file("seg1"), now: 0)
        backlog.enqueue(document("live.m3u8", "v"), now: 0)
        backlog.enqueue(.removal(keys: ["old1", "old2"]), now: 0)
        backlog.enqueue(.removal(keys: ["old3", "seg1", "old4"]), now: 0)
        // seg1 is still uploaded: live.m3u8, handed over before its removal, lists it.
        #expect(
            backlog.entries.map(\.operation) == [
                file("seg1"), document("live.m3u8", "v"), .removal(keys: ["old1", "old2", "old3"]),
                .removal(keys: ["seg1", "old4"]),
            ])
        let first = backlog.startable(limit: 8)
        #expect(first.map(\.operation) == [file("seg1")])
    }

    @Test func lagCountsOperationsBytesAndTheOldestAge() {
        var backlog = ReplicationBacklog()
        #expect(backlog.lag(now: 50) == ReplicationLag(pendingOperations: 0, pendingBytes: 0, oldestPendingMilliseconds: 0))
        backlog.enqueue(file("seg1"), now: 1000)
        backlog.enqueue(document("index.m3u8", "12345"), now: 1500)
        #expect(backlog.lag(now: 4000) == ReplicationLag(pendingOperations: 2, pendingBytes: 105, oldestPendingMilliseconds: 3000))
    }
}
