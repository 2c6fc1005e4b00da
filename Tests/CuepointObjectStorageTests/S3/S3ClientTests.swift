import CuepointTestSupport
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import NIOCore
import Testing

/// The S3 client against real servers: SeaweedFS (fast) and Ceph RGW (strict about
/// `x-amz-content-sha256`, lengths and signatures).
@Suite(.serialized, .ownThreads) struct S3ClientTests {
    static let kinds = S3ServerKind.allCases.filter {
        $0 == .seaweedFS ? ServerTools.hasSeaweedFS : ServerTools.hasCephRGW
    }

    static let playlistHeaders = ObjectHeaders(contentType: "application/vnd.apple.mpegurl", cacheControl: "max-age=3")

    @Test(arguments: S3ClientTests.kinds)
    func putGetHeadAndDelete(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client()
        let key = uniqueKey("odd keys/seg 1+é~") + ".m3u8"
        let body = ByteBuffer(string: "#EXTM3U\n#EXT-X-VERSION:7\n")
        try await client.putObject(key, body: body, headers: Self.playlistHeaders, ifNoneMatch: false)
        let metadata = try #require(try await client.headObject(key))
        #expect(metadata.size == body.readableBytes)
        #expect(metadata.contentType == "application/vnd.apple.mpegurl")
        #expect(metadata.cacheControl == "max-age=3")
        #expect(try await client.getObject(key) == body)
        try await client.deleteObject(key)
        #expect(try await client.headObject(key) == nil)
        // Deleting what is gone is not an error.
        try await client.deleteObject(key)
    }

    @Test(arguments: S3ClientTests.kinds)
    func ifNoneMatchNeverOverwrites(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client()
        let key = uniqueKey("segment") + ".m4s"
        let headers = CachePolicy.headersForFile(key: key)
        try await client.putObject(key, body: ByteBuffer(string: "first"), headers: headers, ifNoneMatch: true)
        await #expect(throws: ObjectStorageError.self) {
            try await client.putObject(key, body: ByteBuffer(string: "second!"), headers: headers, ifNoneMatch: true)
        }
        do throws(ObjectStorageError) {
            try await client.putObject(key, body: ByteBuffer(string: "second!"), headers: headers, ifNoneMatch: true)
        } catch {
            #expect(error.kind == .alreadyExists)
            #expect(error.status == 412)
            #expect(error.fix.hasPrefix("the object already exists and is never overwritten"))
        }
        #expect(try await client.getObject(key) == ByteBuffer(string: "first"))
    }

    @Test(arguments: S3ClientTests.kinds)
    func listFollowsContinuationTokensAndDeleteObjectsBatches(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client()
        let prefix = uniqueKey("list")
        let keys = (1...7).map { "\(prefix)/seg_\(String(format: "%06d", $0)).ts" }
        for key in keys {
            try await client.putObject(key, body: ByteBuffer(string: key), headers: CachePolicy.headersForFile(key: key), ifNoneMatch: true)
        }
        let listed = try await client.listObjects(prefix: prefix + "/", pageSize: 3)
        #expect(listed.map(\.key) == keys)
        #expect(listed.allSatisfy { $0.size == $0.key.utf8.count })
        // 1200 keys: two DeleteObjects requests (S3 takes at most 1000); keys that were never
        // there are not failures.
        let absent = (1...1195).map { "\(prefix)/never-there-\($0).ts" }
        let failures = try await client.deleteObjects(Array(keys.prefix(5)) + absent)
        #expect(failures.isEmpty)
        #expect(try await client.listObjects(prefix: prefix + "/").map(\.key) == Array(keys.suffix(2)))
    }

    @Test(arguments: S3ClientTests.kinds)
    func largeFilesGoUpInParts(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client()
        let directory = try TemporaryDirectory.make(label: "multipart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("replay.mp4").path
        var random = SeededRandom(seed: 5)
        var bytes = [UInt8](repeating: 0, count: (11 << 20) + 12345)
        for index in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: random.next()) { word in
                for offset in 0..<min(8, bytes.count - index) { bytes[index + offset] = word[offset] }
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let key = uniqueKey("replay") + "/replay.mp4"
        try await client.uploadFile(
            key, path: path, headers: CachePolicy.headersForFile(key: key), partSize: 5 << 20, multipartThreshold: 5 << 20)
        let stored = try await client.getObject(key)
        #expect(stored.readableBytes == bytes.count)
        #expect(Array(stored.readableBytesView) == bytes)
        #expect(try await client.headObject(key)?.contentType == "video/mp4")
    }

    @Test(arguments: S3ClientTests.kinds)
    func checkAccessPassesWithGoodKeys(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client()
        let report = try await client.checkAccess(prefix: uniqueKey("show"))
        #expect(report.clockOffsetSeconds == 0)
    }

    /// The keys a target reads from the environment, as `cuepoint` gets them.
    static let keys = ["AWS_ACCESS_KEY_ID": S3Server.accessKey, "AWS_SECRET_ACCESS_KEY": S3Server.secretKey]

    /// The client `cuepoint` makes for a resolved target (``Publication/client(for:)``'s S3 case).
    static func client(for target: PublishTarget) throws -> S3Client {
        guard case .s3(let s3) = target else { throw TargetIsNotS3(target: target.url) }
        return S3Client(
            endpoint: s3.endpoint, credentials: s3.credentials, region: s3.region, storageClass: s3.storageClass,
            targetDescription: s3.url, requestTimeout: .seconds(20))
    }

    struct TargetIsNotS3: Error { var target: String }

    /// A target's storage class (`storage_class:` in the pipeline file, `storage-class` in the
    /// URL: both become ``PublishOptions/storageClass``) goes with every kind of upload, signed
    /// (Ceph RGW checks it), and the store keeps it: HEAD answers it in `x-amz-storage-class`.
    /// Both servers define STANDARD_IA besides STANDARD (`scripts/servers/`).
    @Test(arguments: S3ClientTests.kinds)
    func uploadsCarryTheTargetsStorageClass(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let prefix = uniqueKey("storage-class")
        let target = try PublishTarget.parse(
            "s3://\(server.bucket)/\(prefix)",
            options: PublishOptions(endpoint: "http://127.0.0.1:\(server.port)", storageClass: "STANDARD_IA"),
            environment: Self.keys)
        let client = try Self.client(for: target)
        #expect(client.storageClass == "STANDARD_IA")

        let playlist = "\(prefix)/source/index.m3u8"
        try await client.putObject(playlist, body: ByteBuffer(string: "#EXTM3U\n"), headers: Self.playlistHeaders, ifNoneMatch: false)
        let directory = try TemporaryDirectory.make(label: "storage-class")
        defer { try? FileManager.default.removeItem(at: directory) }
        let segmentPath = directory.appendingPathComponent("seg_000001.m4s").path
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: segmentPath))
        let segment = "\(prefix)/source/seg_000001.m4s"
        try await client.putFile(segment, path: segmentPath, headers: CachePolicy.headersForFile(key: segment), ifNoneMatch: true)
        // Two parts: the class is given when the multipart upload is created.
        let largePath = directory.appendingPathComponent("replay.mp4").path
        try Data(repeating: 9, count: (5 << 20) + 100).write(to: URL(fileURLWithPath: largePath))
        let large = "\(prefix)/replay/replay.mp4"
        try await client.uploadFile(
            large, path: largePath, headers: CachePolicy.headersForFile(key: large), partSize: 5 << 20, multipartThreshold: 5 << 20)

        for key in [playlist, segment, large] {
            let metadata = try #require(try await client.headObject(key), "\(key) on \(kind)")
            #expect(metadata.storageClass == "STANDARD_IA", "\(key) on \(kind): \(metadata)")
        }
        // Without a class, the store's default.
        let plain = "\(prefix)/plain.m3u8"
        try await server.client().putObject(plain, body: ByteBuffer(string: "#EXTM3U\n"), headers: Self.playlistHeaders, ifNoneMatch: false)
        let stored = try #require(try await client.headObject(plain))
        #expect(stored.storageClass == nil || stored.storageClass == "STANDARD", "\(stored)")
    }

    /// Virtual-host addressing against a real server: the bucket is in the host name
    /// (`shows.localhost:PORT`, the servers' `rgw dns name` / `-s3.domainName`) and the path is the
    /// key alone. glibc resolves no `*.localhost` name without an `/etc/hosts` line, so the client
    /// connects to 127.0.0.1 (``S3Endpoint/connectAddress``, used only here) while the `Host` header
    /// and the signature carry the name. Were the request read path-style, the key's first segment
    /// (`tests`) would be taken for a bucket and every call would fail with NoSuchBucket.
    @Test(arguments: S3ClientTests.kinds)
    func virtualHostAddressing(kind: S3ServerKind) async throws {
        let server = try await TestServers.shared.s3(kind)
        let prefix = uniqueKey("virtual-host")
        let target = try PublishTarget.parse(
            "s3://\(server.bucket)/\(prefix)?addressing=virtual-host",
            options: PublishOptions(endpoint: "http://localhost:\(server.port)"), environment: Self.keys)
        guard case .s3(var s3) = target else { throw TargetIsNotS3(target: target.url) }
        #expect(s3.endpoint.hostHeader == "\(server.bucket).localhost:\(server.port)")
        s3.endpoint.connectAddress = "127.0.0.1"
        #expect(s3.endpoint.url(key: "a b", canonicalQuery: "") == "http://127.0.0.1:\(server.port)/a%20b")
        let client = try Self.client(for: .s3(s3))

        let keys = (1...3).map { "\(prefix)/source/seg \($0)+.ts" }
        for key in keys {
            try await client.putObject(key, body: ByteBuffer(string: key), headers: CachePolicy.headersForFile(key: key), ifNoneMatch: true)
        }
        #expect(try await client.getObject(keys[0]) == ByteBuffer(string: keys[0]))
        #expect(try await client.headObject(keys[1])?.size == keys[1].utf8.count)
        #expect(try await client.listObjects(prefix: prefix + "/", pageSize: 2).map(\.key) == keys)
        let folder = try await client.listFolder(prefix: prefix + "/")
        #expect(folder.folders == ["\(prefix)/source/"])
        // The same bucket, read path-style: the objects are where virtual-host addressing put them.
        let pathStyle = server.client()
        #expect(try await pathStyle.getObject(keys[2]) == ByteBuffer(string: keys[2]))
        #expect(try await client.deleteObjects(Array(keys.prefix(2))).isEmpty)
        try await client.deleteObject(keys[2])
        #expect(try await pathStyle.listObjects(prefix: prefix + "/").isEmpty)
        #expect(try await client.checkAccess(prefix: prefix).clockOffsetSeconds == 0)
    }

    // MARK: - Bad input: each is a clear error naming the target and the fix

    @Test(arguments: S3ClientTests.kinds)
    func aWrongSecretIsARefusedSignature(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client(secret: "not-the-secret")
        do throws(ObjectStorageError) {
            _ = try await client.checkAccess(prefix: "show")
            Issue.record("a wrong secret was accepted")
        } catch {
            #expect(error.kind == .signatureRefused)
            #expect(error.code == "SignatureDoesNotMatch")
            #expect(error.status == 403)
            #expect(error.description.contains("s3://shows"))
            #expect(error.fix.hasPrefix("check AWS_SECRET_ACCESS_KEY"))
        }
    }

    @Test(arguments: S3ClientTests.kinds)
    func anUnknownAccessKey(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client(accessKey: "NOSUCHKEY")
        do throws(ObjectStorageError) {
            _ = try await client.checkAccess(prefix: "show")
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.kind == .unknownAccessKey)
            #expect(error.fix.hasPrefix("check AWS_ACCESS_KEY_ID"))
        }
    }

    @Test(arguments: S3ClientTests.kinds)
    func anUnknownBucket(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client(bucket: "no-such-bucket-here")
        do throws(ObjectStorageError) {
            _ = try await client.checkAccess(prefix: "show")
            Issue.record("a missing bucket was accepted")
        } catch {
            #expect(error.kind == .noSuchBucket)
            #expect(error.code == "NoSuchBucket")
            #expect(error.description.contains("s3://no-such-bucket-here"))
            #expect(error.fix.hasPrefix("create the bucket"))
        }
    }

    @Test(arguments: S3ClientTests.kinds)
    func nothingListeningIsATransportError(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client(port: try freePort())
        do throws(ObjectStorageError) {
            _ = try await client.checkAccess(prefix: "show")
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.fix.contains("check that the store at s3://shows"))
            #expect(RetryPolicy.isTransient(error))
        }
    }

    /// The machine's clock is 20 minutes fast: the store answers RequestTimeTooSkewed with its
    /// Date, the client keeps the offset and signs again.
    @Test(arguments: S3ClientTests.kinds)
    func aSkewedClockIsCorrectedFromTheServersDate(kind: S3ServerKind) async throws {
        let client = try await TestServers.shared.s3(kind).client(clock: {
            AmzDate(secondsSince1970: AmzDate.now().secondsSince1970 + 20 * 60)
        })
        let report = try await client.checkAccess(prefix: uniqueKey("skew"))
        // The offset is the store's Date minus the wrong clock: about -1200 s (the Date header has
        // whole seconds, and a second may pass between the two readings).
        #expect((-1202 ... -1198).contains(report.clockOffsetSeconds))
        let key = uniqueKey("skewed-put")
        try await client.putObject(key, body: ByteBuffer(string: "x"), headers: Self.playlistHeaders, ifNoneMatch: false)
        #expect(try await client.headObject(key)?.size == 1)
    }
}
