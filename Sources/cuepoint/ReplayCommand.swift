import ArgumentParser
import Cuepoint
import CuepointFFmpeg
import CuepointServer
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a recording into a shoppable replay: VOD HLS with chapters, products.json, an MP4, clips, thumbnails, posters, a storyboard, captions, vertical shorts and a player page.")

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

        @Flag(help: "Do not write the 16:9 and 9:16 posters.")
        var noPosters = false

        @Flag(help: "Do not write the storyboard (storyboard.jpg, storyboard.vtt).")
        var noStoryboard = false

        @Option(help: "Time between storyboard tiles (default 10s).")
        var storyboardInterval: String?

        @Option(
            name: .customLong("captions"),
            help: ArgumentHelp("A WebVTT or SRT caption file and its language, FILE:LANG (repeat for more languages).", valueName: "FILE[:LANG]"))
        var captionFiles: [String] = []

        @OptionGroup(title: "Vertical shorts and the reel") var vertical: VerticalOptions

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
            if let storyboardInterval, Self.milliseconds(storyboardInterval, at: "--storyboard-interval", range: 500...600_000) == nil {
                throw ValidationError("--storyboard-interval: expected a duration from 0.5s to 10m such as 5s, got \"\(storyboardInterval)\"")
            }
            for file in captionFiles { _ = try Self.captionSource(file) }
            _ = try vertical.shortOptions()
            _ = try vertical.reelOptions()
        }

        /// `FILE[:LANG]`: the language after the last `:` when it is a language tag (default `en`).
        static func captionSource(_ text: String) throws -> CaptionSource {
            if let colon = text.lastIndex(of: ":"), colon != text.startIndex {
                let language = String(text[text.index(after: colon)...])
                if ReplayOptions.isLanguageTag(language) {
                    return CaptionSource(path: String(text[..<colon]), language: language)
                }
                if !language.contains("/") && !language.contains(".") {
                    throw ValidationError("--captions: expected FILE:LANG with a BCP-47 language such as en or pt-BR, got \"\(language)\" in \"\(text)\"")
                }
            }
            guard !text.isEmpty else { throw ValidationError("--captions: expected FILE[:LANG], got an empty value") }
            return CaptionSource(path: text, language: "en")
        }

        /// A duration in milliseconds within `range`, or nil.
        static func milliseconds(_ text: String, at option: String, range: ClosedRange<Int64>) -> Int64? {
            guard let time = DurationText.parse(text), range.contains(time.milliseconds) else { return nil }
            return time.milliseconds
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
            options.posters = !noPosters
            if noStoryboard {
                options.storyboard = nil
            } else if let storyboardInterval {
                options.storyboard?.intervalMilliseconds =
                    Self.milliseconds(storyboardInterval, at: "--storyboard-interval", range: 500...600_000) ?? 10_000
            }
            options.captions = try captionFiles.map(Self.captionSource)
            options.shorts = try vertical.shortOptions()
            options.reel = try vertical.reelOptions()
            let result = try await exportReplay(recording: recording, output: output, options: options)
            for note in result.notes {
                FileHandle.standardError.write(Data("cuepoint: note: \(note)\n".utf8))
            }
            print(
                "replay: \(SecondsText.format(milliseconds: result.durationMilliseconds)), "
                    + "\(result.renditions.count) rendition(s), \(result.products) product(s), \(result.chapters) chapter(s), "
                    + "\(result.clips) clip(s), \(result.thumbnails) thumbnail(s), \(result.posters) poster(s)"
                    + (result.shorts > 0 ? ", \(result.shorts) short(s)" : "") + (result.reel ? ", a reel" : "")
                    + (result.captions.isEmpty ? "" : ", captions: \(result.captions.joined(separator: ", "))")
                    + (result.copiedSegments ? " (segments copied: the output is on another file system)" : ""))
            print("package: \(result.directory)/master.m3u8, player: \(result.directory)/index.html")
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

/// The options of `cuepoint replay` for vertical videos: `--shorts` and `--reel`, and their look.
struct VerticalOptions: ParsableArguments {
    @Flag(help: "Make a vertical short (9:16 MP4) per product, in shorts/.")
    var shorts = false

    @Option(help: "The shorts' size, WIDTHxHEIGHT (default 1080x1920).")
    var shortsSize: String?

    @Option(help: "How the picture fills a short: crop (default) or blur.")
    var shortsFit: String?

    @Option(help: "The shortest and longest short, MIN-MAX (default 15s-60s).")
    var shortsLength: String?

    @Option(help: "Show before and after the product, BEFORE-AFTER (default 2s-2s).")
    var shortsRoll: String?

    @Option(help: "The font of titles, prices and burned-in captions (a .ttf file).")
    var shortsFont: String?

    @Flag(help: "Write neither title nor price on the shorts.")
    var shortsNoText = false

    @Flag(help: "Make no shorts when the source is smaller than them (default: scale it up, with a note).")
    var shortsNoUpscale = false

    @Option(help: "Burn the captions of this language into the shorts (one of --captions).")
    var shortsCaptions: String?

    @Option(help: "The loudness the shorts' audio is normalised to, in LUFS (default -16).")
    var shortsLoudness: Double?

    @Flag(help: "Make reel.mp4: product moments back to back, with chapters.")
    var reel = false

    @Option(help: "Product moments in the reel (default 5).")
    var reelCount: Int?

    @Option(help: "A JSON-lines file of viewer events (clicks, pins) that ranks the reel's products.")
    var reelEvents: String?

    @Option(help: "The longest moment of the reel (default 10s).")
    var reelMoment: String?

    /// The shorts' options, nil without --shorts (the reel's look then comes from the others).
    func shortOptions() throws -> ShortOptions? {
        let look = try self.look()
        return shorts ? look : nil
    }

    func reelOptions() throws -> ReelOptions? {
        guard reel || reelCount != nil || reelEvents != nil || reelMoment != nil else { return nil }
        guard reel else { throw ValidationError("--reel-count, --reel-events and --reel-moment need --reel") }
        var options = ReelOptions()
        if let reelCount {
            guard (1...100).contains(reelCount) else { throw ValidationError("--reel-count: expected 1 to 100, got \(reelCount)") }
            options.count = reelCount
        }
        if let reelEvents {
            options.events = reelEvents
            options.order = .events
        }
        if let reelMoment {
            guard let value = CuepointCommand.Replay.milliseconds(reelMoment, at: "--reel-moment", range: 1000...600_000) else {
                throw ValidationError("--reel-moment: expected a duration from 1s to 10m such as 10s, got \"\(reelMoment)\"")
            }
            options.momentMilliseconds = value
        }
        return options
    }

    /// The look shared by the shorts and the reel.
    func look() throws -> ShortOptions {
        var options = ShortOptions()
        let given = [shortsSize, shortsFit, shortsLength, shortsRoll, shortsFont, shortsCaptions].contains { $0 != nil }
            || shortsNoText || shortsNoUpscale || shortsLoudness != nil
        if given, !shorts, !reel { throw ValidationError("the --shorts-… options need --shorts (or --reel)") }
        if let shortsSize {
            guard let size = Self.size(shortsSize) else {
                throw ValidationError("--shorts-size: expected WIDTHxHEIGHT with even numbers from 64 to 4096 such as 1080x1920, got \"\(shortsSize)\"")
            }
            (options.width, options.height) = size
        }
        if let shortsFit {
            guard let fit = ShortOptions.Fit(rawValue: shortsFit) else {
                throw ValidationError("--shorts-fit: expected crop or blur, got \"\(shortsFit)\"")
            }
            options.fit = fit
        }
        if let shortsLength {
            guard let (low, high) = Self.pair(shortsLength, range: 1000...600_000), low <= high else {
                throw ValidationError("--shorts-length: expected MIN-MAX durations from 1s to 10m such as 15s-60s, got \"\(shortsLength)\"")
            }
            (options.minimumMilliseconds, options.maximumMilliseconds) = (low, high)
        }
        if let shortsRoll {
            guard let (before, after) = Self.pair(shortsRoll, range: 0...600_000) else {
                throw ValidationError("--shorts-roll: expected BEFORE-AFTER durations such as 2s-2s, got \"\(shortsRoll)\"")
            }
            (options.preRollMilliseconds, options.postRollMilliseconds) = (before, after)
        }
        if let shortsFont { options.font = shortsFont }
        if shortsNoText {
            options.title = false
            options.price = false
        }
        options.upscale = !shortsNoUpscale
        if let shortsCaptions {
            guard ReplayOptions.isLanguageTag(shortsCaptions) else {
                throw ValidationError("--shorts-captions: expected a language such as en, got \"\(shortsCaptions)\"")
            }
            options.burnCaptions = shortsCaptions
        }
        if let shortsLoudness {
            guard (-70 ... -5).contains(shortsLoudness) else {
                throw ValidationError("--shorts-loudness: expected -70 to -5 LUFS, got \(shortsLoudness)")
            }
            options.loudnessTarget = shortsLoudness
        }
        return options
    }

    /// `WIDTHxHEIGHT`, both even, 64 to 4096.
    static func size(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
            (64...4096).contains(width), (64...4096).contains(height), width % 2 == 0, height % 2 == 0
        else { return nil }
        return (width, height)
    }

    /// `A-B`: two durations in milliseconds within `range`.
    static func pair(_ text: String, range: ClosedRange<Int64>) -> (Int64, Int64)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let first = CuepointCommand.Replay.milliseconds(String(parts[0]), at: "", range: range),
            let second = CuepointCommand.Replay.milliseconds(String(parts[1]), at: "", range: range)
        else { return nil }
        return (first, second)
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
