import CuepointTestSupport
import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CuepointServer

/// gzip for playlists: compressed on request, read back here by compress-nio's inflate and by
/// the `gzip` program, and never for segments.
@Suite(.ownThreads) struct PlaylistCompressionTests {
    /// A live playlist much like the pipeline writes, long enough to be worth compressing.
    static let playlist: String = {
        var text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1\n"
        for index in 1...40 {
            text += "#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:\(String(format: "%02d", index % 60)).000Z\n"
            text += "#EXTINF:6.000,\nseg_\(String(format: "%06d", index)).ts\n"
        }
        return text
    }()

    static var gzipProgram: String? { ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// compress-nio's inflate, reading a gzip member.
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        let output = try buffer.decompress(with: .gzip())
        #expect(buffer.readableBytes == 0, "nothing after the gzip member")
        return Array(output.readableBytesView)
    }

    /// The `gzip` program's reading of a gzip member (`gzip -dc`): a decoder we did not link.
    static func gunzipWithProgram(_ bytes: [UInt8]) throws -> [UInt8] {
        let output = try Program.runBlocking(try #require(gzipProgram), ["-dc"], input: Data(bytes))
        #expect(output.status == 0, "gzip -dc: \(output.stderrText)")
        return Array(output.stdout)
    }

    func makeDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "cuepoint-gzip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/source", withIntermediateDirectories: true)
        try Self.playlist.write(toFile: directory + "/source/live.m3u8", atomically: true, encoding: .utf8)
        try Data(repeating: 0x47, count: 4_096).write(to: URL(fileURLWithPath: directory + "/source/seg_000001.ts"))
        return directory
    }

    @Test(
        "Gzip.compress round-trips through inflate and the gzip program: empty, text, and bytes that do not compress",
        .enabled(if: PlaylistCompressionTests.gzipProgram != nil, "needs the gzip program"))
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for input in [[], Array(Self.playlist.utf8), random] {
            let compressed = Array(try Gzip.compress(ByteBuffer(bytes: input)).readableBytesView)
            #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B], "a gzip header")
            #expect(try Self.gunzip(compressed) == input)
            #expect(try Self.gunzipWithProgram(compressed) == input)
        }
        #expect(try Gzip.compress(ByteBuffer(string: Self.playlist)).readableBytes * 4 < Self.playlist.utf8.count)
    }

    @Test("Accept-Encoding: gzip, x-gzip and * with a weight above 0; q=0 refuses")
    func acceptEncoding() {
        for accepted in [
            ["gzip"], ["deflate, gzip"], ["br;q=1.0, gzip;q=0.5"], ["x-gzip"], ["*"], ["identity", "gzip"],
        ] {
            #expect(Gzip.isAccepted(byAcceptEncoding: accepted), "\(accepted)")
        }
        for refused in [[], ["identity"], ["gzip;q=0"], ["br"], ["*;q=0"], ["gzip;q=0, *"]] {
            #expect(!Gzip.isAccepted(byAcceptEncoding: refused), "\(refused)")
        }
    }

    @Test(
        "a playlist is gzipped when asked, with Vary and its own ETag; 304 with that ETag; segments never",
        .enabled(if: PlaylistCompressionTests.gzipProgram != nil, "needs the gzip program"))
    func servesCompressedPlaylists() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            let compressed = try await client.execute(
                uri: "/source/live.m3u8", method: .get, headers: [.acceptEncoding: "gzip, deflate"])
            #expect(compressed.status == .ok)
            #expect(compressed.headers[.contentEncoding] == "gzip")
            #expect(compressed.headers[.vary] == "Accept-Encoding")
            #expect(compressed.headers[.contentType] == "application/vnd.apple.mpegurl")
            #expect(compressed.headers[.cacheControl] == "max-age=1")
            let bytes = Array(compressed.body.readableBytesView)
            #expect(compressed.headers[.contentLength] == String(bytes.count))
            #expect(try Self.gunzip(bytes) == Array(Self.playlist.utf8))
            #expect(try Self.gunzipWithProgram(bytes) == Array(Self.playlist.utf8))
            let tag = try #require(compressed.headers[.eTag])
            #expect(tag.hasSuffix("-gzip\""))

            let plain = try await client.execute(uri: "/source/live.m3u8", method: .get)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary] == "Accept-Encoding", "caches must keep the two forms apart")
            #expect(String(buffer: plain.body) == Self.playlist)
            #expect(plain.headers[.eTag].map { !$0.contains("-gzip") } == true)

            let refused = try await client.execute(
                uri: "/source/live.m3u8", method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil && String(buffer: refused.body) == Self.playlist)

            let unchanged = try await client.execute(
                uri: "/source/live.m3u8", method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: tag])
            #expect(unchanged.status == .notModified)
            #expect(unchanged.headers[.eTag] == tag)

            let segment = try await client.execute(
                uri: "/source/seg_000001.ts", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(segment.status == .ok)
            #expect(segment.headers[.contentEncoding] == nil, "segments are never compressed")
            #expect(segment.headers[.vary] == nil)
            #expect(segment.body.readableBytes == 4_096)
        }
    }
}
