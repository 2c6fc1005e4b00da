import Cuepoint
import CuepointServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The replay preview page: its markup, the server's answers for a replay package, and the
/// page running in headless Chromium against the real server (Tests/Support/chromium_check.py).
@Suite struct PreviewPageTests {
    @Test func titleIsEscaped() {
        let html = PreviewPage.html(title: "<script>alert(1)</script> & \"quotes\" 'too'")
        #expect(!html.contains("<script>alert(1)"))
        #expect(
            html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;</title>")
        )
        #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
    }

    @Test func pageIsSelfContainedAndUsesThePackageFiles() {
        let html = PreviewPage.html(title: "spring-sale")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<video id="player" controls preload="metadata" playsinline src="replay.mp4">"#))
        #expect(html.contains(#"<track kind="chapters" src="chapters.vtt" srclang="en" label="Chapters" default>"#))
        #expect(html.contains(#"fetch("products.json""#))
        // Relative URLs only: no external assets, and the page works from any base URL.
        #expect(!html.contains("://"))
        #expect(!html.contains(#"src="/"#) && !html.contains(#"href="/"#))
    }

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
                "/chapters.vtt": "text/vtt", "/products.json": "application/json",
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

    @Test(
        "the page in headless Chromium: video, chapters, products, click to seek",
        .enabled(if: ReplayFixture.canRunChromium, "needs chromium, ffmpeg and python3 (apt install chromium ffmpeg)"),
        .timeLimit(.minutes(3))
    )
    func pageInChromium() async throws {
        let sample = ReplayFixture.repositoryRoot.appendingPathComponent("SampleMedia/sample.mp4")
        let package = try ReplayFixture.makeFiles(video: nil, jpeg: nil)
        defer { try? FileManager.default.removeItem(at: package) }
        try await ReplayFixture.makeReplayVideo(from: sample, in: package)

        let app = DirectoryServer(directory: package.path, host: "127.0.0.1", port: 0).application()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let output = try await ReplayFixture.run(
                ReplayFixture.which("python3")!,
                [ReplayFixture.checkScript.path, "http://127.0.0.1:\(port)/", "--click", "p-0002"]
            )
            try #require(output.status == 0, "chromium_check.py failed: \(output.stderr)")
            let report = try JSONDecoder().decode(ChromiumReport.self, from: Data(output.stdout.utf8))

            #expect(abs(report.duration - 20.0) <= 0.1)
            #expect(report.videoError == nil)
            #expect(report.readyState >= 1)
            #expect(report.chapterCues.map(\.id) == ["filler-1", "p-0001", "p-0002"])
            #expect(report.chapterCues.map(\.text) == ["Intro", "Chef's Knife 8\"", "Salt & Pepper <Set>"])
            #expect(report.chapterCues.map(\.start) == [0, 1.5, 7])
            #expect(report.products == ["p-0001", "p-0002", "p-0003"])
            let seekedTo = try #require(report.seekedTo)
            #expect(abs(seekedTo - 7.0) <= 0.5, "clicking p-0002 seeks to its start, 7 s")
        }
    }
}

/// What chromium_check.py prints.
struct ChromiumReport: Decodable {
    struct Cue: Decodable {
        var id: String
        var start: Double
        var end: Double
        var text: String
    }
    var duration: Double
    var videoError: Int?
    var readyState: Int
    var chapterCues: [Cue]
    var products: [String]
    var seekedTo: Double?
}

/// A replay package in a temporary folder, shaped like the ones the replay builder writes.
enum ReplayFixture {
    static let repositoryRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static let checkScript = repositoryRoot.appendingPathComponent("Tests/Support/chromium_check.py")

    static var canRunChromium: Bool {
        ["ffmpeg", "python3"].allSatisfy { which($0) != nil }
            && ["chromium", "chromium-browser", "google-chrome"].contains { which($0) != nil }
    }

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
        try PreviewPage.html(title: "spring-sale <preview>")
            .write(to: package.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        if let video { try video.write(to: package.appendingPathComponent("replay.mp4")) }
        if let jpeg { try jpeg.write(to: package.appendingPathComponent("thumbnails/p-0001.jpg")) }
        return package
    }

    /// `replay.mp4` from the sample with the `ffmpeg` program: stream copy, faststart, and
    /// MP4 chapters like a real replay; plus a real JPEG thumbnail.
    static func makeReplayVideo(from sample: URL, in package: URL) async throws {
        let metadata = package.appendingPathComponent("chapters.ffmeta")
        try """
        ;FFMETADATA1
        [CHAPTER]
        TIMEBASE=1/1000
        START=0
        END=1500
        title=Intro
        [CHAPTER]
        TIMEBASE=1/1000
        START=1500
        END=7000
        title=Chef's Knife 8"
        [CHAPTER]
        TIMEBASE=1/1000
        START=7000
        END=20000
        title=Salt & Pepper <Set>

        """.write(to: metadata, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: metadata) }
        let ffmpeg = which("ffmpeg")!
        let remux = try await run(
            ffmpeg,
            [
                "-nostdin", "-v", "error", "-i", sample.path, "-i", metadata.path,
                "-map", "0", "-map_chapters", "1", "-c", "copy", "-movflags", "+faststart",
                package.appendingPathComponent("replay.mp4").path,
            ])
        try #require(remux.status == 0, "ffmpeg remux failed: \(remux.stderr)")
        let thumbnail = try await run(
            ffmpeg,
            [
                "-nostdin", "-v", "error", "-ss", "2", "-i", sample.path, "-frames:v", "1", "-s", "320x180",
                package.appendingPathComponent("thumbnails/p-0001.jpg").path,
            ])
        try #require(thumbnail.status == 0, "ffmpeg thumbnail failed: \(thumbnail.stderr)")
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion without blocking a thread of the cooperative pool, which
    /// the in-process server needs while Chromium talks to it. Output goes to temporary
    /// files, so a chatty program cannot block on a full pipe.
    static func run(_ executable: String, _ arguments: [String]) async throws -> Output {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("cuepoint-run-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(
            status: status,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }
}
