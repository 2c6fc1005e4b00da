import CuepointTestSupport
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// The replicator against real stores: order, coalescing, faults (a stalled store, a store
/// killed and restarted, a 503, an object already there, a wrong secret) and an HTTP origin.
@Suite(.ownThreads) struct ReplicatorTests {
    /// A recording being written: segment files on disk and the playlists that list them.
    struct Show {
        let directory: URL
        var enqueued: [(key: String, document: String?)] = []
        let prefix: String

        init(prefix: String) throws {
            directory = try TemporaryDirectory.make(label: "replication")
            self.prefix = prefix
        }

        func segmentName(_ number: Int) -> String { "source/seg_" + String(format: "%06d", number) + ".ts" }

        /// Writes segment `number` locally (its size varies with the number) and hands it over.
        mutating func commitSegment(_ number: Int, to replicator: Replicator) throws {
            let name = segmentName(number)
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let bytes = Data(repeating: UInt8(number % 251), count: 1000 + number * 97)
            try bytes.write(to: url)
            replicator.fileCommitted(key: name, path: url.path, byteCount: bytes.count)
            enqueued.append((ObjectKey.join(prefix, name), nil))
        }

        /// Replaces the playlist with one listing segments 1…`number`.
        mutating func replacePlaylist(through number: Int, to replicator: Replicator, key: String = "source/index.m3u8") {
            let text = Self.playlist(through: number)
            replicator.documentReplaced(key: key, bytes: Array(text.utf8), isFinal: false, targetDurationMilliseconds: 6000)
            enqueued.append((ObjectKey.join(prefix, key), text))
        }

        static func playlist(through number: Int) -> String {
            "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
                + (1...number).map { "#EXTINF:6.000,\nseg_" + String(format: "%06d", $0) + ".ts\n" }.joined()
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    final class Events: Sendable {
        private let box = NIOLockedValueBox<[ReplicationEvent]>([])
        func append(_ event: ReplicationEvent) { box.withLockedValue { $0.append(event) } }
        var all: [ReplicationEvent] { box.withLockedValue { $0 } }
    }

    /// Runs `body` with the replicator's task running beside it, then finishes it.
    func replicating(
        _ replicator: Replicator, timeoutMilliseconds: Int = 120_000, _ body: () async throws -> Void
    ) async throws -> ReplicationSummary {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await replicator.run() }
            do {
                try await body()
            } catch {
                _ = await replicator.finish(timeoutMilliseconds: 0)
                throw error
            }
            let summary = await replicator.finish(timeoutMilliseconds: timeoutMilliseconds)
            try await group.waitForAll()
            return summary
        }
    }

    /// Every segment 1…`count` is on the store with its local size.
    func expectSegments(_ show: Show, _ count: Int, on client: any ObjectStorageClient) async throws {
        for number in 1...count {
            let size = try await client.headObject(ObjectKey.join(show.prefix, show.segmentName(number)))?.size
            #expect(size == 1000 + number * 97, "segment \(number)")
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "gave up waiting (60 s): \(what)" }
    }

    /// Polls `condition` every 20 ms; a guard against a hung test, not a timing assertion.
    func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<3000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Timeout(what: what)
    }

    static let fastRetries = RetryPolicy(baseDelayMilliseconds: 50, maximumDelayMilliseconds: 1_000)

    // MARK: - Order and coalescing

    /// A stalled store (the proxy holds every request): the pipeline hands over eight segments
    /// and eight playlist versions without waiting; the backlog shows them; when the store
    /// answers again, every segment arrives, each playlist version that was still waiting was
    /// replaced by the newer one, and no playlist was PUT before the segments it lists.
    @Test(arguments: S3ClientTests.kinds)
    func aStalledStoreGetsEverythingInOrderWithPlaylistsCoalesced(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let proxy = try await FaultProxy.start(upstreamPort: server.port)
        defer { proxy.stop() }
        let recorder = RecordingClient(server.client(port: proxy.port))
        var show = try Show(prefix: uniqueKey("stalled"))
        defer { show.remove() }
        let replicator = Replicator(client: recorder, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 1)
        try proxy.hold()
        let summary = try await replicating(replicator) {
            for number in 1...8 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator)
            }
            // Nothing can have been acknowledged: the store holds every request.
            let lag = replicator.lag
            #expect(lag.pendingOperations == 9)  // 8 segments + the latest playlist version
            #expect(lag.pendingBytes == (1...8).reduce(0) { $0 + 1000 + $1 * 97 } + Show.playlist(through: 8).utf8.count)
            try proxy.release()
        }
        #expect(summary.isComplete, "\(summary.description)")
        #expect(summary.files == 8)
        #expect(summary.documents == 1)
        #expect(summary.droppedDocumentVersions == 7)
        try await expectSegments(show, 8, on: recorder.inner)
        let playlist = try await recorder.inner.getObject(ObjectKey.join(show.prefix, "source/index.m3u8"))
        #expect(String(buffer: playlist) == Show.playlist(through: 8))
        #expect(recorder.orderingViolations(enqueued: show.enqueued) == [])
        #expect(replicator.lag == ReplicationLag(pendingOperations: 0, pendingBytes: 0, oldestPendingMilliseconds: 0))
    }

    /// A slow store (every request delayed): a live show's rounds of segment + playlist arrive in
    /// order, segments left out of the live window are deleted in a batch after the playlist that
    /// stopped listing them.
    @Test(arguments: S3ClientTests.kinds)
    func aSlowStoreStaysInOrderAndDeletesInBatches(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let proxy = try await FaultProxy.start(upstreamPort: server.port)
        defer { proxy.stop() }
        try proxy.setDelay(milliseconds: 40)
        let recorder = RecordingClient(server.client(port: proxy.port))
        var show = try Show(prefix: uniqueKey("slow"))
        defer { show.remove() }
        let replicator = Replicator(client: recorder, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 2)
        let summary = try await replicating(replicator) {
            for number in 1...6 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator, key: "source/live.m3u8")
                try await Task.sleep(for: .milliseconds(30))
            }
            replicator.filesRemoved(keys: [show.segmentName(1), show.segmentName(2)])
        }
        #expect(summary.isComplete, "\(summary.description)")
        #expect(summary.files == 6)
        #expect(summary.deletedKeys == 2)
        #expect(recorder.orderingViolations(enqueued: show.enqueued) == [])
        let left = try await server.client().listObjects(prefix: show.prefix + "/").map(\.key)
        #expect(left == [show.segmentName(3), show.segmentName(4), show.segmentName(5), show.segmentName(6), "source/live.m3u8"].map { ObjectKey.join(show.prefix, $0) }.sorted())
        // The delete came after the last playlist version was acknowledged.
        let steps = recorder.recorded
        let deleteStart = try #require(steps.firstIndex { if case .started("DELETE", _, _) = $0 { true } else { false } })
        let lastPlaylistAck = try #require(steps.lastIndex { if case .succeeded("PUT", let key, _) = $0 { key.hasSuffix("live.m3u8") } else { false } })
        #expect(lastPlaylistAck < deleteStart)
    }

    // MARK: - Faults

    /// The store is killed in the middle of a show and started again about 10 s later: the
    /// pipeline keeps handing over segments meanwhile, and afterwards every one is on the store
    /// with the latest playlist, in order.
    @Test(.enabled(if: ServerTools.hasSeaweedFS, "SeaweedFS (weed) is not installed; scripts/setup.sh --test installs it"))
    func aStoreDownForTenSecondsGetsEverythingAfterwards() async throws {
        let server = try await offThePool { try S3Server.start(.seaweedFS) }
        defer { try? server.stop() }
        let recorder = RecordingClient(server.client())
        var show = try Show(prefix: uniqueKey("outage"))
        defer { show.remove() }
        let events = Events()
        let replicator = Replicator(
            client: recorder, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 3, onEvent: events.append)
        let summary = try await replicating(replicator) {
            for number in 1...3 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator)
            }
            try await waitUntil("the first three rounds are on the store") { replicator.lag.pendingOperations == 0 }
            try await offThePool { try server.stop() }
            for number in 4...8 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator)
                try await Task.sleep(for: .seconds(2))
            }
            #expect(replicator.lag.pendingOperations > 0)
            try await offThePool { try server.startProcess() }
        }
        #expect(summary.isComplete, "\(summary.description)")
        #expect(summary.files == 8)
        #expect(events.all.contains { if case .retrying(_, _, let error, _) = $0 { error.kind == .transport } else { false } })
        #expect(events.all.contains { if case .recovered = $0 { true } else { false } })
        try await expectSegments(show, 8, on: recorder.inner)
        let playlist = try await recorder.inner.getObject(ObjectKey.join(show.prefix, "source/index.m3u8"))
        #expect(String(buffer: playlist) == Show.playlist(through: 8))
        #expect(recorder.orderingViolations(enqueued: show.enqueued) == [])
    }

    /// One PUT answered 503 SlowDown: it is retried and the segment arrives.
    @Test(.enabled(if: ServerTools.hasSeaweedFS, "SeaweedFS (weed) is not installed; scripts/setup.sh --test installs it"))
    func aServerErrorOnOnePutIsRetried() async throws {
        let server = try await TestServers.shared.s3(.seaweedFS)
        let proxy = try await FaultProxy.start(upstreamPort: server.port)
        defer { proxy.stop() }
        try proxy.failNextPuts(1)
        var show = try Show(prefix: uniqueKey("503"))
        defer { show.remove() }
        let events = Events()
        let client = server.client(port: proxy.port)
        let replicator = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 4, onEvent: events.append)
        let summary = try await replicating(replicator) {
            try show.commitSegment(1, to: replicator)
            show.replacePlaylist(through: 1, to: replicator)
        }
        #expect(summary.isComplete, "\(summary.description)")
        let retries = events.all.compactMap { if case .retrying(let key, _, let error, _) = $0 { (key, error) } else { nil } }
        #expect(retries.count == 1)
        #expect(retries.first?.0 == show.segmentName(1))
        #expect(retries.first?.1.status == 503)
        #expect(retries.first?.1.kind == .slowDown)
        #expect(events.all.contains(.recovered(key: show.segmentName(1), failedAttempts: 1)))
        #expect(proxy.log.filter { $0.hasPrefix("failed PUT") }.count == 1)
        try await expectSegments(show, 1, on: client)
    }

    /// Objects already at two segment keys: one identical (reported as already present, done),
    /// one of another size (reported as a conflict, not overwritten, and the replicator halts:
    /// the playlist after it, which lists that key, never reaches the store).
    @Test(arguments: S3ClientTests.kinds)
    func anObjectWhereASegmentShouldGoIsReportedNeverOverwritten(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let client = server.client()
        var show = try Show(prefix: uniqueKey("exists"))
        defer { show.remove() }
        let events = Events()
        // Segments 1 and 2 with their playlist, then segment 2 handed over again (a resumed show).
        let first = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 5, onEvent: events.append)
        #expect(
            try await replicating(first) {
                try show.commitSegment(1, to: first)
                try show.commitSegment(2, to: first)
                show.replacePlaylist(through: 2, to: first)
            }.isComplete)
        let again = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 6, onEvent: events.append)
        #expect(try await replicating(again) { try show.commitSegment(2, to: again) }.isComplete)
        #expect(events.all.contains(.alreadyPresent(key: show.segmentName(2), size: 1194)))

        // Another machine's object where segment 3 goes.
        let foreign = ByteBuffer(string: "another machine's segment")
        try await client.putObject(
            ObjectKey.join(show.prefix, show.segmentName(3)), body: foreign, headers: CachePolicy.headersForFile(key: "a.ts"),
            ifNoneMatch: false)
        let third = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 7, onEvent: events.append)
        let summary = try await replicating(third, timeoutMilliseconds: 10_000) {
            try show.commitSegment(3, to: third)
            show.replacePlaylist(through: 3, to: third)
            try await waitUntil("the replicator halts") {
                events.all.contains(where: { if case .halted = $0 { true } else { false } })
            }
        }
        #expect(events.all.contains(.conflict(key: show.segmentName(3), storedSize: foreign.readableBytes, localSize: 1291)))
        #expect(summary.haltedBy?.kind == .alreadyExists)
        #expect(summary.haltedBy?.fix.hasPrefix("the object already exists and is never overwritten") == true)
        #expect(summary.left.flatMap(\.keys) == [show.segmentName(3), "source/index.m3u8"], "kept, reported as left")
        #expect(try await client.getObject(ObjectKey.join(show.prefix, show.segmentName(3))) == foreign)
        #expect(
            try await client.getObject(ObjectKey.join(show.prefix, "source/index.m3u8")) == ByteBuffer(string: Show.playlist(through: 2)),
            "the store's playlist does not list the foreign object")
    }

    /// "Already present" means the same bytes, not only the same size. An identical object
    /// stored by a multipart upload (its ETag is not an MD5 of the bytes: read back and
    /// compared) is already present; an object of the segment's size with other bytes (the
    /// store's single-part ETag, an MD5, differs from the local file's) is a conflict: not
    /// overwritten, the replicator halts, and the playlist listing it never reaches the store.
    @Test(arguments: S3ClientTests.kinds)
    func aForeignObjectOfTheSameSizeIsAConflict(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let client = server.client()
        var show = try Show(prefix: uniqueKey("same-size"))
        defer { show.remove() }
        let events = Events()

        // A 6 MB init section already on the store, put there in two parts by an earlier run.
        let initKey = "source/init_0.mp4"
        let initFile = show.directory.appendingPathComponent("init_0.mp4")
        var generator = SplitMix64(seed: 12)
        let initBytes = (0..<(6 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(initBytes).write(to: initFile)
        try await client.uploadFile(
            ObjectKey.join(show.prefix, initKey), path: initFile.path, headers: CachePolicy.headersForFile(key: initKey),
            partSize: 5 << 20, multipartThreshold: 5 << 20)
        let multipart = try #require(try await client.headObject(ObjectKey.join(show.prefix, initKey)))
        #expect(ObjectDigest.md5(fromETag: multipart.eTag) == nil, "a multipart ETag: \(String(describing: multipart.eTag))")

        // Segment 3's size, other bytes.
        let foreign = ByteBuffer(bytes: [UInt8](repeating: 0xEE, count: 1291))
        try await client.putObject(
            ObjectKey.join(show.prefix, show.segmentName(3)), body: foreign, headers: CachePolicy.headersForFile(key: "a.ts"),
            ifNoneMatch: false)
        let stored = try #require(try await client.headObject(ObjectKey.join(show.prefix, show.segmentName(3))))
        #expect(ObjectDigest.md5(fromETag: stored.eTag) == ObjectDigest.md5(of: foreign.readableBytesView), "the ETag is the MD5")

        // The init section handed over again (a resumed show): the store's bytes are its bytes.
        let resumed = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 12, onEvent: events.append)
        #expect(
            try await replicating(resumed) {
                resumed.fileCommitted(key: initKey, path: initFile.path, byteCount: initBytes.count)
            }.isComplete)
        #expect(events.all == [.alreadyPresent(key: initKey, size: initBytes.count)], "\(events.all)")

        let replicator = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 13, onEvent: events.append)
        let summary = try await replicating(replicator, timeoutMilliseconds: 10_000) {
            for number in 1...3 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator)
            }
            try await waitUntil("the replicator halts") {
                events.all.contains(where: { if case .halted = $0 { true } else { false } })
            }
        }
        #expect(events.all.contains(.conflict(key: show.segmentName(3), storedSize: 1291, localSize: 1291)), "\(events.all)")
        #expect(summary.haltedBy?.kind == .alreadyExists)
        #expect(summary.haltedBy?.message.contains("the same size, 1291 bytes, but MD5") == true, "\(summary)")
        #expect(summary.left.flatMap(\.keys) == [show.segmentName(3), "source/index.m3u8"], "kept, reported as left")
        #expect(try await client.getObject(ObjectKey.join(show.prefix, show.segmentName(3))) == foreign, "not overwritten")
        // The versions handed over quickly coalesce; whichever went up (if any) stops before segment 3.
        let playlist = try? await client.getObject(ObjectKey.join(show.prefix, "source/index.m3u8"))
        #expect(
            [nil, ByteBuffer(string: Show.playlist(through: 1)), ByteBuffer(string: Show.playlist(through: 2))].contains(playlist),
            "the store's playlist does not list the foreign object")
    }

    /// A wrong secret halts the replicator with the store's refusal; what was handed over is
    /// kept and reported as left.
    @Test(arguments: S3ClientTests.kinds)
    func aWrongSecretHaltsAndReportsWhatIsLeft(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        var show = try Show(prefix: uniqueKey("denied"))
        defer { show.remove() }
        let events = Events()
        let replicator = Replicator(
            client: server.client(secret: "wrong"), prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 7,
            onEvent: events.append)
        let summary = try await replicating(replicator, timeoutMilliseconds: 10_000) {
            try show.commitSegment(1, to: replicator)
            show.replacePlaylist(through: 1, to: replicator)
            try await waitUntil("the replicator halts") {
                events.all.contains(where: { if case .halted = $0 { true } else { false } })
            }
        }
        #expect(summary.haltedBy?.kind == .signatureRefused)
        #expect(summary.haltedBy?.fix.hasPrefix("check AWS_SECRET_ACCESS_KEY") == true)
        #expect(summary.left.flatMap(\.keys) == [show.segmentName(1), "source/index.m3u8"])
        #expect(!summary.isComplete)
        #expect(summary.description.contains("2 operations left"))
    }

    /// A finish that times out says what is left (the store holds every request).
    @Test(.enabled(if: ServerTools.hasSeaweedFS, "SeaweedFS (weed) is not installed; scripts/setup.sh --test installs it"))
    func aFinishThatTimesOutReportsWhatIsLeft() async throws {
        let server = try await TestServers.shared.s3(.seaweedFS)
        let proxy = try await FaultProxy.start(upstreamPort: server.port)
        defer { proxy.stop() }
        try proxy.hold()
        var show = try Show(prefix: uniqueKey("timeout"))
        defer { show.remove() }
        let replicator = Replicator(client: server.client(port: proxy.port), prefix: show.prefix, seed: 8)
        let summary = try await replicating(replicator, timeoutMilliseconds: 300) {
            try show.commitSegment(1, to: replicator)
            show.replacePlaylist(through: 1, to: replicator)
        }
        try proxy.release()
        #expect(summary.left.flatMap(\.keys) == [show.segmentName(1), "source/index.m3u8"])
        #expect(summary.haltedBy == nil)
        #expect(!summary.isComplete)
    }

    // MARK: - HTTP origin

    /// On nginx, whose ETag is its own (modification time and size, not an MD5): a segment
    /// already there with this recording's bytes is already present, and one of the same size
    /// with other bytes is a conflict, both found by reading the object back.
    @Test(.enabled(if: ServerTools.hasNginx, "nginx is not installed; scripts/setup.sh --test installs it"))
    func aSameSizeObjectOnAnHTTPOriginIsComparedByItsBytes() async throws {
        let server = try await TestServers.shared.nginx()
        let client = HTTPOriginClient(origin: server.origin, authorization: OriginServer.authorization)
        var show = try Show(prefix: uniqueKey("origin-same-size"))
        defer { show.remove() }
        let events = Events()
        let first = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 14, onEvent: events.append)
        #expect(try await replicating(first) { try show.commitSegment(2, to: first) }.isComplete)
        let present = try #require(try await client.headObject(ObjectKey.join(show.prefix, show.segmentName(2))))
        #expect(present.eTag != nil && ObjectDigest.md5(fromETag: present.eTag) == nil, "nginx's ETag: \(String(describing: present.eTag))")
        try await client.putObject(
            ObjectKey.join(show.prefix, show.segmentName(3)), body: ByteBuffer(bytes: [UInt8](repeating: 0xEE, count: 1291)),
            headers: CachePolicy.headersForFile(key: "a.ts"), ifNoneMatch: false)

        let again = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 15, onEvent: events.append)
        let summary = try await replicating(again, timeoutMilliseconds: 10_000) {
            try show.commitSegment(2, to: again)
            try show.commitSegment(3, to: again)
            show.replacePlaylist(through: 3, to: again)
            try await waitUntil("the replicator halts") {
                events.all.contains(where: { if case .halted = $0 { true } else { false } })
            }
        }
        #expect(events.all.contains(.alreadyPresent(key: show.segmentName(2), size: 1194)), "\(events.all)")
        #expect(events.all.contains(.conflict(key: show.segmentName(3), storedSize: 1291, localSize: 1291)), "\(events.all)")
        #expect(summary.haltedBy?.kind == .alreadyExists)
        let root = server.root.appendingPathComponent(show.prefix)
        #expect(try Data(contentsOf: root.appendingPathComponent(show.segmentName(3))) == Data(repeating: 0xEE, count: 1291))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("source/index.m3u8").path))
    }

    /// To nginx's WebDAV module (which ignores If-None-Match: the replicator asks with HEAD
    /// first): segments, playlists and deletes arrive; an existing segment is not replaced, and
    /// no playlist listing it goes up (the replicator halts there).
    @Test(.enabled(if: ServerTools.hasNginx, "nginx is not installed; scripts/setup.sh --test installs it"))
    func toAnHTTPOrigin() async throws {
        let server = try await TestServers.shared.nginx()
        let client = RecordingClient(HTTPOriginClient(origin: server.origin, authorization: OriginServer.authorization))
        var show = try Show(prefix: uniqueKey("origin"))
        defer { show.remove() }
        try await client.inner.putObject(
            ObjectKey.join(show.prefix, show.segmentName(3)), body: ByteBuffer(string: "other"),
            headers: CachePolicy.headersForFile(key: "a.ts"), ifNoneMatch: false)
        let events = Events()
        let replicator = Replicator(client: client, prefix: show.prefix, retryPolicy: Self.fastRetries, seed: 9, onEvent: events.append)
        let summary = try await replicating(replicator) {
            for number in 1...4 {
                try show.commitSegment(number, to: replicator)
                show.replacePlaylist(through: number, to: replicator)
            }
            replicator.filesRemoved(keys: [show.segmentName(1)])
        }
        #expect(summary.haltedBy?.kind == .alreadyExists, "\(summary.description)")
        #expect(events.all.contains(.conflict(key: show.segmentName(3), storedSize: 5, localSize: 1291)))
        let root = server.root.appendingPathComponent(show.prefix)
        #expect(try String(contentsOf: root.appendingPathComponent(show.segmentName(3)), encoding: .utf8) == "other")
        // The origin's playlist (if one went up before the halt) lists only this recording's
        // segments, each there with its bytes; the later ones and the deletion of segment 1 are
        // left in the spool.
        let stored = try? String(contentsOf: root.appendingPathComponent("source/index.m3u8"), encoding: .utf8)
        #expect([nil, Show.playlist(through: 1), Show.playlist(through: 2)].contains(stored), "\(stored ?? "none")")
        for number in 1...2 where stored == Show.playlist(through: 2) || (number == 1 && stored != nil) {
            #expect(try Data(contentsOf: root.appendingPathComponent(show.segmentName(number))).count == 1000 + number * 97)
        }
        #expect(summary.left.flatMap(\.keys).contains("source/index.m3u8"))
        #expect(summary.left.flatMap(\.keys).contains(show.segmentName(1)), "the deletion waits")
        #expect(client.orderingViolations(enqueued: show.enqueued.filter { !$0.key.hasSuffix(show.segmentName(3)) }) == [])
    }
}
