import CuepointTestSupport
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import NIOCore
import Testing

/// The HTTP-origin client against nginx's WebDAV module, which requires our Authorization value.
@Suite(.enabled(if: ServerTools.hasNginx, "nginx is not installed; scripts/setup.sh --test installs it"), .ownThreads)
struct HTTPOriginClientTests {
    @Test func putGetHeadAndDeleteWithTheAuthorizationHeader() async throws {
        let server = try await TestServers.shared.nginx()
        let client = HTTPOriginClient(origin: server.origin, authorization: OriginServer.authorization)
        let key = uniqueKey("origin/live dir") + "/seg_000001.ts"
        let body = ByteBuffer(string: "segment bytes")
        try await client.putObject(key, body: body, headers: CachePolicy.headersForFile(key: key), ifNoneMatch: false)
        #expect(try await client.getObject(key) == body)
        #expect(try await client.headObject(key)?.size == body.readableBytes)
        #expect(try await client.headObject(key)?.contentType == "video/mp2t")
        // What nginx stored is the file we sent, under the key as a path.
        let stored = try Data(contentsOf: server.root.appendingPathComponent(key))
        #expect(stored == Data("segment bytes".utf8))
        #expect(try await client.deleteObjects([key, key + ".missing"]).isEmpty)
        #expect(try await client.headObject(key) == nil)
    }

    @Test func aWrongAuthorizationIsRefusedWithTheFix() async throws {
        let server = try await TestServers.shared.nginx()
        let client = HTTPOriginClient(origin: server.origin, authorization: "Bearer wrong", targetDescription: "http://origin/live")
        do throws(ObjectStorageError) {
            try await client.putObject(
                uniqueKey("denied"), body: ByteBuffer(string: "x"), headers: CachePolicy.headersForFile(key: "a.ts"),
                ifNoneMatch: false)
            Issue.record("a wrong Authorization was accepted")
        } catch {
            #expect(error.kind == .accessDenied)
            #expect(error.status == 401)
            #expect(error.description.contains("http://origin/live"))
            #expect(error.fix.contains("Authorization"))
        }
    }
}
