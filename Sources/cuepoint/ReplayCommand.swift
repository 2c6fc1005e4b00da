import CuepointTime
import ArgumentParser
import Cuepoint
import CuepointFFmpeg
import CuepointServer
import Foundation

extension CuepointCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a recording into a shoppable replay: VOD HLS with chapters, products.json, an MP4, clips, thumbnails and a preview page.")

        @Argument(
            help: "The recording: a directory (holds master.m3u8, markers.jsonl and one folder per rendition), or the store it was published to (s3://BUCKET/PREFIX, http(s)://HOST/PREFIX).")
        var recording: String

        @Option(
            name: .shortAndLong,
            help: "The package to write: a directory (created; must not hold anything but an earlier replay), or a store (s3://BUCKET/PREFIX, http(s)://HOST/PREFIX; replay.json is uploaded last).")
        var output: String

        @Flag(help: "Replace a replay already in the output directory.")
        var force = false

        @Option(help: "Chapters: products (one per product) or full (with Intro and filler chapters).")
        var chapters: String = "products"

        @Option(help: "Clips per product: keyframe, exact or none.")
        var clips: String = "keyframe"

        @Flag(help: "Do not write replay.mp4.")
        var noMp4 = false

        @Flag(help: "Do not write thumbnails.")
        var noThumbnails = false

        @Option(help: "Thumbnail width in pixels.")
        var thumbnailWidth: Int = 320

        @Option(help: "Language of chapter titles (BCP-47).")
        var language: String = "en"

        @Option(help: "After exporting, serve the package on this address (HOST:PORT, e.g. 127.0.0.1:8080).")
        var serve: String?

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard ReplayOptions.ChapterMode(rawValue: chapters) != nil else {
                throw ValidationError("--chapters: expected products or full, got \"\(chapters)\"")
            }
            guard ReplayOptions.ClipMode(rawValue: clips) != nil else {
                throw ValidationError("--clips: expected keyframe, exact or none, got \"\(clips)\"")
            }
            guard (16...3840).contains(thumbnailWidth) else {
                throw ValidationError("--thumbnail-width: expected 16 to 3840 pixels, got \(thumbnailWidth)")
            }
            guard ReplayOptions.isLanguageTag(language) else {
                throw ValidationError("--language: expected a BCP-47 language tag such as en or pt-BR, got \"\(language)\"")
            }
            if let serve, ListenAddress(serve) == nil {
                throw ValidationError("--serve: expected HOST:PORT such as 127.0.0.1:8080, got \"\(serve)\"")
            }
            if serve != nil, StoredReplay.isStore(output) {
                throw ValidationError("--serve serves a local package; the package goes to \(output): serve it from the store")
            }
            for location in [recording, output] where StoredReplay.isStore(location) {
                do {
                    _ = try PublishSpec(url: location).resolve(environment: ProcessInfo.processInfo.environment)
                } catch {
                    throw ValidationError("\(location == output ? "--output" : "<recording>") \(error)")
                }
            }
        }

        func run() async throws {
            (reporting.verbose ? FFmpegLogLevel.warning : FFmpegLogLevel.quiet).apply()
            var options = ReplayOptions()
            options.chapters = ReplayOptions.ChapterMode(rawValue: chapters)!
            options.clips = ReplayOptions.ClipMode(rawValue: clips)!
            options.mp4 = !noMp4
            options.thumbnails = !noThumbnails
            options.thumbnailWidth = thumbnailWidth
            options.language = language
            options.force = force
            let result = try await exportReplay(recording: recording, output: output, options: options)
            for note in result.notes {
                FileHandle.standardError.write(Data("cuepoint: note: \(note)\n".utf8))
            }
            print(
                "replay: \(SecondsText.format(milliseconds: result.durationMilliseconds)), "
                    + "\(result.renditions.count) rendition(s), \(result.products) product(s), \(result.chapters) chapter(s), "
                    + "\(result.clips) clip(s), \(result.thumbnails) thumbnail(s)"
                    + (result.copiedSegments ? " (segments copied: the output is on another file system)" : ""))
            print("package: \(result.directory)/master.m3u8, preview: \(result.directory)/index.html")
            fflush(nil)  // the summary must show before serving (stdout is buffered when not a terminal)
            if let serve, let address = ListenAddress(serve) {
                let server = DirectoryServer(directory: result.directory, host: address.host, port: address.port)
                try await server.run { bound in
                    FileHandle.standardOutput.write(
                        Data("serving \(result.directory) on http://\(address.host):\(bound)/ (Ctrl-C stops)\n".utf8))
                }
            }
        }
    }
}

/// Runs the export on a thread of its own: it blocks in FFmpeg calls, which must not hold one
/// of the cooperative pool's threads.
///
/// Either side may be a store (`s3://…`, `http(s)://…`): the recording is then downloaded into a
/// temporary folder, and the package uploaded with `replay.json` last (``StoredReplay``).
func exportReplay(recording: String, output: String, options: ReplayOptions) async throws -> ReplayResult {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ReplayResult, any Error>) in
        let thread = Thread {
            do throws(CuepointError) {
                continuation.resume(
                    returning: try StoredReplay.export(
                        source: recording, destination: output, options: options,
                        environment: ProcessInfo.processInfo.environment))
            } catch {
                continuation.resume(throwing: CommandFailure.runtime(error))
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// HOST:PORT.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon > text.startIndex
        else { return nil }
        host = String(text[..<colon])
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
