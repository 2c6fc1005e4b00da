import CuepointTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// A real server on a loopback port serving a directory of HLS files.
@Suite(.ownThreads) struct DirectoryServerTests {
    func makeDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "cuepoint-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/source", withIntermediateDirectories: true)
        try "#EXTM3U\n".write(toFile: directory + "/master.m3u8", atomically: true, encoding: .utf8)
        try Data([0x47, 0x40, 0x00, 0x10]).write(to: URL(fileURLWithPath: directory + "/source/seg_000001.ts"))
        try Data([0, 0, 0, 8]).write(to: URL(fileURLWithPath: directory + "/source/seg_000001.m4s"))
        try Data([0, 0, 0, 8]).write(to: URL(fileURLWithPath: directory + "/source/init.mp4"))
        try Data([0, 0, 0, 8]).write(to: URL(fileURLWithPath: directory + "/replay.mp4"))
        return directory
    }

    @Test func servesPlaylistsAndSegmentsWithHLSHeaders() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            try await client.execute(uri: "/master.m3u8", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.apple.mpegurl")
                #expect(response.headers[.cacheControl] == "max-age=1")
                #expect(String(buffer: response.body) == "#EXTM3U\n")
            }
            try await client.execute(uri: "/source/seg_000001.ts", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "video/mp2t")
                #expect(response.headers[.cacheControl] == "public, max-age=86400, immutable")
            }
            try await client.execute(uri: "/source/seg_000001.m4s", method: .get) { response in
                #expect(response.headers[.contentType] == "video/iso.segment")
            }
            // Init sections never change; a replay's MP4 may be replaced by `replay --force`.
            try await client.execute(uri: "/source/init.mp4", method: .get) { response in
                #expect(response.headers[.cacheControl] == "public, max-age=86400, immutable")
            }
            try await client.execute(uri: "/replay.mp4", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-cache")
            }
            try await client.execute(uri: "/master.m3u8", method: .get, headers: [.origin: "http://player.example"]) {
                response in
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// The served files are read-only: another method on a file or folder is 405 with `Allow`,
    /// a missing path stays 404, and the file is untouched.
    @Test func filesAreReadOnly() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            for (uri, method) in [("/master.m3u8", HTTPRequest.Method.put), ("/source/seg_000001.ts", .delete), ("/source", .post)] {
                try await client.execute(uri: uri, method: method, body: ByteBuffer(string: "#EXTM3U\n#EXT-X-ENDLIST\n")) {
                    response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == "GET, HEAD", "\(method) \(uri)")
                    #expect(String(buffer: response.body).contains("read-only"), "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/missing.m3u8", method: .put) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/master.m3u8", method: .head) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try String(contentsOfFile: directory + "/master.m3u8", encoding: .utf8) == "#EXTM3U\n")
        #expect(FileManager.default.fileExists(atPath: directory + "/source/seg_000001.ts"))
    }

    @Test func refusesPathsOutsideTheDirectory() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = (directory as NSString).deletingLastPathComponent + "/cuepoint-secret-\(UUID().uuidString).txt"
        try "secret".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let name = (secret as NSString).lastPathComponent
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            for uri in ["/../\(name)", "/%2e%2e/\(name)", "/source/..%2f..%2f\(name)", "/missing.m3u8"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound || response.status == .badRequest, "\(uri)")
                    #expect(String(buffer: response.body) != "secret")
                }
            }
        }
    }

    @Test("`..` in any spelling is 404, as a missing file is: nothing outside the directory shows")
    func traversalIsNotFound() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = (directory as NSString).deletingLastPathComponent + "/cuepoint-secret-\(UUID().uuidString).m3u8"
        try "secret".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let name = (secret as NSString).lastPathComponent
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            for uri in [
                "/../\(name)", "/%2e%2e/\(name)", "/%2E%2E/\(name)", "/.%2e/\(name)", "/source/../../\(name)",
                "/source/%2e%2e/%2e%2e/\(name)", "/source/..%2f..%2f\(name)", "/source/..%5c\(name)", "/..",
                "/source/%2e%2e", "/x%00.m3u8",
            ] {
                for headers: HTTPFields in [[:], [.acceptEncoding: "gzip"]] {
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!String(buffer: response.body).contains("secret"), "\(uri)")
                }
            }
            // A name that merely contains two dots is a name, not a step up.
            try "#EXTM3U\n".write(toFile: directory + "/a..b.m3u8", atomically: true, encoding: .utf8)
            #expect(PathGuardMiddleware<ServerRequestContext>.isSafe("/a..b.m3u8"))
            #expect(!PathGuardMiddleware<ServerRequestContext>.isSafe("/a/%2e%2E/b"))
        }
    }

    /// Found by the FuzzRequestPath harness: a combining mark after a `/` made `/` and the mark
    /// one Swift `Character`, and the guard, splitting characters at `/`, did not see the `..`
    /// before it (`/../\u{34C}x` has no `..` component character-wise; the file system sees one).
    @Test("a combining mark after a slash does not hide `..` or the marker log from the path guard")
    func combiningMarkAfterSlash() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let parent = (directory as NSString).deletingLastPathComponent
        let name = "\u{34C}cuepoint-secret-\(UUID().uuidString).m3u8"
        try "secret".write(toFile: parent + "/" + name, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: parent + "/" + name) }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for path in ["/../\(encoded)", "/..%2F\(encoded)", "/source/../../\(encoded)", "/..%2F%CD%8C/markers.jsonl"] {
            #expect(!PathGuardMiddleware<ServerRequestContext>.isSafe(path), "\(path)")
        }
        #expect(!PathGuardMiddleware<ServerRequestContext>.isSafe("/x/%CD%8C/../markers.jsonl"))
        #expect(PathGuardMiddleware<ServerRequestContext>.isSafe("/source/%CD%8Cname.m3u8"), "a mark inside a name is a name")
        let app = DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            for uri in ["/../\(encoded)", "/..%2F\(encoded)"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(!String(buffer: response.body).contains("secret"), "\(uri)")
            }
        }
    }

    /// Issue 16, defect 6: the marker log was served to anyone, while `GET /v1/markers` needs
    /// the token, and it holds markers not yet published. It is never served now.
    @Test("markers.jsonl is not served, in any spelling or folder; the marker API still needs its token")
    func markerLogIsPrivate() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = #"{"event":"add","id":"embargoed","title":"Not yet","url":"https://shop.example/soon","start":3600}"#
        try (log + "\n").write(toFile: directory + "/markers.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/show", withIntermediateDirectories: true)
        try (log + "\n").write(toFile: directory + "/show/markers.jsonl", atomically: true, encoding: .utf8)
        let app = DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0,
            markerAPI: MarkerAPI(token: "t0ken", endpoint: RecordingEndpoint())
        ).application()
        try await app.test(.live) { client in
            for uri in [
                "/markers.jsonl", "/markers%2Ejsonl", "/markers%2ejsonl", "/%6Darkers.jsonl", "/MARKERS.JSONL",
                "/show/markers.jsonl", "/./markers.jsonl", "//markers.jsonl",
            ] {
                for method: HTTPRequest.Method in [.get, .head] {
                    for headers: HTTPFields in [[:], [.acceptEncoding: "gzip"], [.range: "bytes=0-10"]] {
                        let response = try await client.execute(uri: uri, method: method, headers: headers)
                        #expect(response.status == .notFound, "\(method) \(uri) \(headers)")
                        #expect(!String(buffer: response.body).contains("embargoed"), "\(uri)")
                    }
                }
            }
            let anonymous = try await client.execute(uri: "/v1/markers", method: .get)
            #expect(anonymous.status == .unauthorized)
            let listed = try await client.execute(
                uri: "/v1/markers", method: .get, headers: [.authorization: "Bearer t0ken"])
            #expect(listed.status == .ok)
            // The rest of the directory is served as before.
            let master = try await client.execute(uri: "/master.m3u8", method: .get)
            #expect(master.status == .ok)
        }
        #expect(!PathGuardMiddleware<ServerRequestContext>.isSafe("/markers.jsonl"))
        #expect(PathGuardMiddleware<ServerRequestContext>.isSafe("/markers.jsonl.m3u8"), "a name that starts alike")
    }
}
