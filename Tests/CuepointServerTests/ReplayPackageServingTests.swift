import CuepointTestSupport
import Cuepoint
import CuepointServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A replay package served by `DirectoryServer`: the content types and byte ranges the player page
/// (`PlayerPage`, tested in CuepointTests and in Chromium by the replay integration tests) needs.
@Suite(.ownThreads) struct ReplayPackageServingTests {
    /// The content types and byte ranges the page needs from the server.
    @Test func serverAnswersForAReplayPackage() async throws {
        let package = try ReplayFixture.makeFiles(video: Data(repeating: 7, count: 1000), jpeg: Data([0xFF, 0xD8]))
        defer { try? FileManager.default.removeItem(at: package) }
        let app = DirectoryServer(directory: package.path, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("<video id=\"player\""))
            }
            let types = [
                "/chapters.vtt": "text/vtt", "/products.json": "application/json", "/products.vtt": "text/vtt",
                "/thumbnails/p-0001.jpg": "image/jpeg", "/replay.mp4": "video/mp4",
            ]
            for (uri, type) in types {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == type, "\(uri)")
                }
            }
            // Browsers seek in an MP4 served over http with Range requests.
            try await client.execute(uri: "/replay.mp4", method: .get, headers: [.range: "bytes=100-199"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 100-199/1000")
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(response.body.readableBytes == 100)
            }
            try await client.execute(uri: "/replay.mp4", method: .get, headers: [.range: "bytes=900-"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 900-999/1000")
            }
        }
    }
}

/// A replay package in a temporary folder, shaped like the ones the replay builder writes.
enum ReplayFixture {
    static let chaptersVTT = """
        WEBVTT

        filler-1
        00:00:00.000 --> 00:00:01.500
        Intro

        p-0001
        00:00:01.500 --> 00:00:07.000
        Chef's Knife 8"

        p-0002
        00:00:07.000 --> 00:00:20.000
        Salt &amp; Pepper &lt;Set&gt;

        """

    static let productsJSON = #"""
        {"version":1,"title":"spring-sale","duration":20.0,"products":[
        {"id":"p-0001","product":"SKU-KNF-8IN-CHEF","title":"Chef's Knife 8\"","url":"https://shop.example.com/p/knife","price":"89.00","currency":"USD","start":1.5,"end":5.5,"clip":"clips/p-0001.mp4","thumbnail":"thumbnails/p-0001.jpg"},
        {"id":"p-0002","product":"SKU-SALT-PEPPER","title":"Salt & Pepper <Set>","url":"https://shop.example.com/p/salt","price":"24.50","currency":"EUR","start":7.0,"end":12.0},
        {"id":"p-0003","product":"SKU-APRON","title":"Apron","start":13.0,"end":18.0}
        ]}
        """#

    /// Writes chapters.vtt, products.json, index.html and a thumbnail; `replay.mp4` when
    /// `video` is given. Returns the folder; the caller removes it.
    static func makeFiles(video: Data?, jpeg: Data?) throws -> URL {
        let package = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("cuepoint-preview-\(UUID().uuidString)", isDirectory: true)
        let files = FileManager.default
        try files.createDirectory(at: package.appendingPathComponent("thumbnails"), withIntermediateDirectories: true)
        try files.createDirectory(at: package.appendingPathComponent("clips"), withIntermediateDirectories: true)
        try chaptersVTT.write(to: package.appendingPathComponent("chapters.vtt"), atomically: true, encoding: .utf8)
        try productsJSON.write(to: package.appendingPathComponent("products.json"), atomically: true, encoding: .utf8)
        try PlayerPage.html(PlayerPage.Configuration(title: "spring-sale <preview>"))
            .write(to: package.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "WEBVTT\n".write(to: package.appendingPathComponent("products.vtt"), atomically: true, encoding: .utf8)
        if let video { try video.write(to: package.appendingPathComponent("replay.mp4")) }
        if let jpeg { try jpeg.write(to: package.appendingPathComponent("thumbnails/p-0001.jpg")) }
        return package
    }
}
