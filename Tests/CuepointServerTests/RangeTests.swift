import CuepointTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// Byte ranges as RFC 9110 §14 defines them. Issue 16, defect 11: `Range: bytes=-0` was
/// answered 206 with one byte (and `bytes=-N` with the first N + 1 bytes).
@Suite(.ownThreads) struct RangeTests {
    @Test("the Range header is read as RFC 9110 writes it; what it does not honour is nil (ignored)")
    func parsing() {
        #expect(ByteRangeRequest(header: "bytes=0-499") == .from(first: 0, last: 499))
        #expect(ByteRangeRequest(header: "bytes=900-") == .from(first: 900, last: nil))
        #expect(ByteRangeRequest(header: "bytes=-500") == .suffix(length: 500))
        #expect(ByteRangeRequest(header: "bytes=-0") == .suffix(length: 0))
        #expect(ByteRangeRequest(header: " Bytes=1-2 ") == .from(first: 1, last: 2), "the unit in any case")
        for ignored in [
            "bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-2-3",
            "bytes=+1-2", "bytes=99999999999999999999-",
        ] {
            #expect(ByteRangeRequest(header: ignored) == nil, "\(ignored)")
        }
    }

    @Test("a range resolves against the length: clamped, or unsatisfiable")
    func resolution() {
        let length = 1_000
        #expect(ByteRangeRequest.from(first: 0, last: 0).resolve(length: length) == .bytes(0...0))
        #expect(ByteRangeRequest.from(first: 900, last: 5_000).resolve(length: length) == .bytes(900...999))
        #expect(ByteRangeRequest.from(first: 1_000, last: nil).resolve(length: length) == .unsatisfiable)
        #expect(ByteRangeRequest.suffix(length: 100).resolve(length: length) == .bytes(900...999))
        #expect(ByteRangeRequest.suffix(length: 5_000).resolve(length: length) == .bytes(0...999))
        #expect(ByteRangeRequest.suffix(length: 0).resolve(length: length) == .unsatisfiable)
        #expect(ByteRangeRequest.from(first: 0, last: nil).resolve(length: 0) == .unsatisfiable)
    }

    @Test("the server: 206 for satisfiable ranges, 416 with Content-Range for the rest, 200 when ignored")
    func served() async throws {
        let directory = NSTemporaryDirectory() + "cuepoint-range-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = (0..<1_000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/replay.mp4"))
        try Data().write(to: URL(fileURLWithPath: directory + "/empty.mp4"))
        try await DirectoryServer(directory: directory, host: "127.0.0.1", port: 0).application().test(.live) {
            client in
            func get(_ range: String, _ extra: HTTPFields = [:], uri: String = "/replay.mp4") async throws
                -> TestResponse
            {
                var headers = extra
                headers[.range] = range
                return try await client.execute(uri: uri, method: .get, headers: headers)
            }
            let suffixZero = try await get("bytes=-0")
            #expect(suffixZero.status == .rangeNotSatisfiable)
            #expect(suffixZero.headers[.contentRange] == "bytes */1000")
            #expect(suffixZero.body.readableBytes == 0)

            let pastTheEnd = try await get("bytes=1000-")
            #expect(pastTheEnd.status == .rangeNotSatisfiable)
            #expect(pastTheEnd.headers[.contentRange] == "bytes */1000")

            let emptyFile = try await get("bytes=0-", uri: "/empty.mp4")
            #expect(emptyFile.status == .rangeNotSatisfiable)
            #expect(emptyFile.headers[.contentRange] == "bytes */0")

            let last100 = try await get("bytes=-100")
            #expect(last100.status == .partialContent)
            #expect(last100.headers[.contentRange] == "bytes 900-999/1000")
            #expect(Array(last100.body.readableBytesView) == Array(bytes[900...]))

            let first = try await get("bytes=0-0")
            #expect(first.status == .partialContent && Array(first.body.readableBytesView) == [bytes[0]])

            let clamped = try await get("bytes=990-5000")
            #expect(clamped.headers[.contentRange] == "bytes 990-999/1000")
            #expect(Array(clamped.body.readableBytesView) == Array(bytes[990...]))

            for ignored in ["bytes=5-2", "bytes=0-1,5-6", "items=0-1"] {
                let whole = try await get(ignored)
                #expect(whole.status == .ok, "\(ignored)")
                #expect(whole.body.readableBytes == 1_000, "\(ignored)")
            }
            let stale = try await get("bytes=0-9", [.ifRange: "\"not-the-etag\""])
            #expect(stale.status == .ok && stale.body.readableBytes == 1_000, "If-Range that does not match: whole")
            let head = try await client.execute(uri: "/replay.mp4", method: .head, headers: [.range: "bytes=-0"])
            #expect(head.status == .ok, "ranges are for GET")
            let missing = try await get("bytes=-0", uri: "/missing.mp4")
            #expect(missing.status == .notFound)
        }
    }
}
