import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// Makes the storyboard on a thread of its own while the replay is read: sprite sheets of small
/// pictures (`storyboard.jpg`, or `storyboard-1.jpg`, `storyboard-2.jpg`, … when one sheet is not
/// enough) and `storyboard.vtt`, whose cues point at each tile (`storyboard.jpg#xywh=160,0,160,90`)
/// for the scrub bar of a player.
///
/// The reading thread submits one keyframe per grid point (``StoryboardPlan``): a keyframe
/// decodes alone, so each job is one packet, decoded, drained, and the decoder flushed. Each
/// picture is scaled to a tile; every `columns × rows` tiles become a sheet through libavfilter's
/// `tile` filter (row by row, left to right, no padding) and are encoded as a JPEG. The last sheet
/// has as many rows as it needs; a storyboard of one sheet has at most as many columns as tiles.
/// At most ``capacity`` jobs wait, and at most one sheet of tiles is held.
///
/// `@unchecked Sendable`: the job list and the results are guarded by `condition`; the decoder,
/// scaler and tiles are used only by the worker thread.
final class StoryboardWorker: @unchecked Sendable {
    /// What was made.
    struct Result {
        /// The sheets, relative to the package.
        var sheets: [String]
        var document: WebVTTDocument
        var tileWidth: Int
        var tileHeight: Int
        /// Why it failed, when it did (nothing is listed then).
        var failure: String?
    }

    static let capacity = 8

    private struct Tile {
        var frame: Frame
        var milliseconds: Int64
    }

    private let stream: StreamInfo
    private let options: StoryboardOptions
    private let durationMilliseconds: Int64
    private let path: (String) -> String
    private let condition = NSCondition()
    private var jobs: [(Packet, Int64)] = []
    private var closed = false
    private var done = false
    private var result = Result(sheets: [], document: WebVTTDocument(), tileWidth: 0, tileHeight: 0)

    /// Worker-thread state.
    private var decoder: Decoder?
    private var scaler: Scaler?
    private var pending: [Tile] = []
    /// Sheets written so far (sheet-relative file names are decided at the end).
    private var sheetTiles: [[Int64]] = []
    private var sheetFiles: [String] = []
    private var tileCount = 0

    /// - Parameters:
    ///   - stream: The video stream the keyframes come from.
    ///   - durationMilliseconds: The replay's duration (the last cue ends there).
    ///   - path: The absolute path of a file of the package, from its relative path.
    init(stream: StreamInfo, options: StoryboardOptions, durationMilliseconds: Int64, path: @escaping (String) -> String) {
        self.stream = stream
        self.options = options
        self.durationMilliseconds = durationMilliseconds
        self.path = path
        let thread = Thread { [self] in work() }
        thread.name = "cuepoint.storyboard"
        thread.start()
    }

    /// Queues a keyframe (a reference of its own) taken at replay time `milliseconds`; blocks while
    /// ``capacity`` wait.
    func submit(_ packet: Packet, atMilliseconds milliseconds: Int64) {
        condition.lock()
        while jobs.count >= Self.capacity { condition.wait() }
        jobs.append((packet, milliseconds))
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the last sheet and returns the storyboard.
    func finish() -> Result {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        defer { condition.unlock() }
        return result
    }

    private func work() {
        var failure: String?
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            if jobs.isEmpty && closed {
                condition.unlock()
                break
            }
            let (packet, milliseconds) = jobs.removeFirst()
            condition.broadcast()
            condition.unlock()
            guard failure == nil else { continue }
            do {
                try add(packet, at: milliseconds)
            } catch {
                failure = "\(error)"
            }
        }
        var made = Result(sheets: [], document: WebVTTDocument(), tileWidth: 0, tileHeight: 0, failure: failure)
        if failure == nil {
            do {
                made = try complete()
            } catch {
                made.failure = "\(error)"
            }
        }
        if made.failure != nil { for file in sheetFiles { try? FileManager.default.removeItem(atPath: path(file)) } }
        condition.lock()
        result = made
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Decodes one keyframe into a tile; writes a sheet when one is full.
    private func add(_ packet: Packet, at milliseconds: Int64) throws {
        // A tile is a few hundredths of the picture: the deblocking filter's work would not show.
        let decoder = try self.decoder ?? Decoder(stream: stream, threadCount: 1, options: ["skip_loop_filter": "all"])
        self.decoder = decoder
        let frame = Frame()
        try decoder.send(packet)
        try decoder.send(nil)
        var picture: Frame?
        while try decoder.receive(into: frame) == .frame { picture = try frame.clone() }
        decoder.flush()
        guard let picture else { return }
        let scaler =
            try self.scaler
            ?? Scaler(
                from: picture, width: options.tileWidth,
                height: ShortGraph.even(
                    Double(options.tileWidth) * Double(picture.height)
                        / (Double(picture.width) * (picture.sampleAspectRatio?.doubleValue ?? 1))),
                format: .yuv420p, algorithm: .area)
        self.scaler = scaler
        guard picture.width == scaler.sourceWidth, picture.height == scaler.sourceHeight,
            picture.pixelFormat == scaler.sourceFormat
        else { return }  // a picture of another size (a new stream after a discontinuity) is left out
        let tile = try scaler.scale(picture)
        tile.pts = Int64(tileCount)
        tileCount += 1
        pending.append(Tile(frame: tile, milliseconds: milliseconds))
        if pending.count == options.columns * options.rows { try writeSheet(columns: options.columns) }
    }

    /// Writes the pending tiles as one sheet of `columns` columns.
    private func writeSheet(columns: Int) throws {
        guard let first = pending.first else { return }
        let rows = (pending.count + columns - 1) / columns
        let graph = try FilterGraph(
            "tile=layout=\(columns)x\(rows):nb_frames=\(pending.count):padding=0:margin=0:color=black",
            inputs: [.video(.init(width: first.frame.width, height: first.frame.height, pixelFormat: .yuv420p, timeBase: Rational(1, 1)))],
            outputs: [.video()], threadCount: 1)
        for tile in pending { try graph.send(tile.frame) }
        try graph.send(nil)
        let sheet = Frame()
        guard try graph.receive(into: sheet) == .frame else {
            throw CuepointError(subject: "storyboard", message: "the tile filter returned no sheet")
        }
        let file = ".storyboard-sheet-\(sheetFiles.count + 1).jpg"
        try Data(try JPEGEncoder(width: sheet.width, quality: 5).encode(sheet)).write(to: URL(fileURLWithPath: path(file)))
        sheetFiles.append(file)
        sheetTiles.append(pending.map(\.milliseconds))
        pending = []
    }

    /// Writes the last sheet, names the sheets and writes their cues.
    private func complete() throws -> Result {
        if !pending.isEmpty {
            let columns = sheetFiles.isEmpty ? min(options.columns, pending.count) : options.columns
            try writeSheet(columns: columns)
        }
        guard let tileWidth = scaler?.width, let tileHeight = scaler?.height, !sheetFiles.isEmpty else {
            return Result(sheets: [], document: WebVTTDocument(), tileWidth: 0, tileHeight: 0, failure: "no keyframe could be decoded")
        }
        let names = sheetFiles.count == 1 ? ["storyboard.jpg"] : sheetFiles.indices.map { "storyboard-\($0 + 1).jpg" }
        for (file, name) in zip(sheetFiles, names) {
            do {
                try FileManager.default.moveItem(atPath: path(file), toPath: path(name))
            } catch {
                throw CuepointError(subject: path(name), message: "cannot be written: \(error.localizedDescription)")
            }
        }
        sheetFiles = names
        let columns = sheetTiles.count == 1 ? min(options.columns, sheetTiles[0].count) : options.columns
        let times = sheetTiles.flatMap { $0 }
        var cues: [WebVTTCue] = []
        var index = 0
        for (sheet, tiles) in sheetTiles.enumerated() {
            for position in tiles.indices {
                let start = index == 0 ? 0 : times[index]
                let end = index + 1 < times.count ? times[index + 1] : max(durationMilliseconds, start + 1)
                let x = position % columns * tileWidth
                let y = position / columns * tileHeight
                cues.append(
                    WebVTTCue(
                        startMilliseconds: start, endMilliseconds: end,
                        text: "\(names[sheet])#xywh=\(x),\(y),\(tileWidth),\(tileHeight)"))
                index += 1
            }
        }
        return Result(sheets: names, document: WebVTTDocument(cues: cues), tileWidth: tileWidth, tileHeight: tileHeight)
    }
}

/// Which keyframes make the storyboard's tiles: the first keyframe at or after each point of a
/// grid of `interval` milliseconds from 0. A keyframe that covers several points (a group of
/// pictures longer than the interval) is one tile. Pure.
struct StoryboardPlan {
    let intervalMilliseconds: Int64
    private(set) var nextMilliseconds: Int64 = 0

    init(intervalMilliseconds: Int64) { self.intervalMilliseconds = max(1, intervalMilliseconds) }

    /// Whether the keyframe at `milliseconds` is a tile; moves the grid past it when it is.
    mutating func takes(keyframeAt milliseconds: Int64) -> Bool {
        guard milliseconds >= nextMilliseconds else { return false }
        nextMilliseconds = (milliseconds / intervalMilliseconds + 1) * intervalMilliseconds
        return true
    }
}
