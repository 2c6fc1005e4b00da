import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

// MARK: - Overview
//
// End-to-end tests of product markers (issue 3): markers from `SampleMedia/products.jsonl`, the
// pipeline's inline list, the library API on a live run and the `cuepoint` binary go into real
// recordings, which are judged with programs we did not write: our strict playlist parser for the
// text, ffprobe for the segments' streams, PyAV + mutagen (Tests/Support/read_id3.py) for the
// timed-ID3 packets (Debian's FFmpeg 5.1 drops their first 5 bytes), GStreamer for playback.
// What a marker should become is derived here from the marker file itself (JSONSerialization),
// never from Cuepoint's own marker code.
//
//     Integration.ProductMarkers
//     ├── InPlaylistsAndSegments   TS (two renditions) and fMP4 recordings with markers
//     ├── AlignedCuts              markers.align / --align-markers
//     ├── LiveAPI                  addMarker / closeMarker on a live run fed through a FIFO
//     ├── CommandLine              bad marker files, `cuepoint markers list|add|close`
//     └── ServeCommandLine         `segment --serve` with the marker API, `markers add|close --server`

extension Integration {
    /// Product markers, end to end.
    @Suite("Product markers", .ownThreads)
    enum ProductMarkers {}
}

// MARK: - What a marker should become

/// A marker as its JSON line says, read independently of Cuepoint's decoder.
struct ExpectedMarker: Sendable, CustomStringConvertible {
    var id: String
    var product: String
    var title: String
    var url: String
    /// The price exactly as written in the line (`89.0` stays `89.0`).
    var price: String?
    var currency: String?
    var startMilliseconds: Int64
    var durationMilliseconds: Int64?

    var description: String { id }

    /// The markers of a JSON-lines text whose lines are all valid and use numbers or `"<n>s"`
    /// for times (as SampleMedia/products.jsonl does); `end` becomes a duration.
    static func parse(jsonLines text: String) throws -> [ExpectedMarker] {
        try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map { try parse(line: String($0)) }
    }

    static func parse(line: String) throws -> ExpectedMarker {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let title = object["title"] as? String, let url = object["url"] as? String, let start = object["start"]
        else { throw RecordingProblem(description: "not a marker line: \(line)") }
        let id = try #require(object["id"] as? String, "the expected markers have ids: \(line)")
        // The price as written: JSONSerialization would turn 89.0 into 89.
        let price = line.firstMatch(of: /"price"\s*:\s*"?([0-9.]+)"?/).map { String($0.1) }
        let startMilliseconds = try milliseconds(start)
        var duration = try object["duration"].map(milliseconds)
        if let end = object["end"] { duration = try milliseconds(end) - startMilliseconds }
        return ExpectedMarker(
            id: id, product: object["product"] as? String ?? id, title: title, url: url, price: price,
            currency: object["currency"] as? String, startMilliseconds: startMilliseconds,
            durationMilliseconds: duration)
    }

    /// `SampleMedia/products.jsonl`.
    static func sampleProducts() throws -> [ExpectedMarker] {
        try parse(
            jsonLines: String(decoding: try Data(contentsOf: Repository.sampleMedia("products.jsonl")), as: UTF8.self))
    }

    /// A number of seconds or `"12.5s"`, in milliseconds.
    private static func milliseconds(_ value: Any) throws -> Int64 {
        if let number = value as? NSNumber { return Int64((number.doubleValue * 1000).rounded()) }
        if let text = value as? String, text.hasSuffix("s"), let seconds = Double(text.dropLast()) {
            return Int64((seconds * 1000).rounded())
        }
        throw RecordingProblem(description: "unexpected time \(value)")
    }
}

/// The docs/markers.md rule for text in a quoted-string, written again here: NFC, `"` → `'`,
/// each run of C0/C1 control characters → one space, empty → `-`.
func quotedStringSafe(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    var inRun = false
    for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            if !inRun { scalars.append(" ") }
            inRun = true
        } else {
            inRun = false
            scalars.append(scalar == "\"" ? "'" : scalar)
        }
    }
    return scalars.isEmpty ? "-" : String(scalars)
}

/// Base64url (RFC 4648 §5) without padding, decoded with Foundation.
func base64URLDecoded(_ text: String) -> Data? {
    guard !text.contains("="), !text.contains("+"), !text.contains("/") else { return nil }
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while standard.utf8.count % 4 != 0 { standard += "=" }
    return Data(base64Encoded: standard)
}

/// Whether two strings have the same Unicode scalars (`==` hides normalization).
func sameScalars(_ lhs: String?, _ rhs: String?) -> Bool {
    lhs.map { Array($0.unicodeScalars) } == rhs.map { Array($0.unicodeScalars) }
}

/// The card JSON as a dictionary; nil when it is not a JSON object.
func cardObject(_ json: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
}

/// Checks a card (the JSON of X-COM-CUEPOINT-CARD or of the ID3 TXXX frame) against the marker:
/// every field, and the title to the Unicode scalar.
func expectCard(
    _ json: String, describes marker: ExpectedMarker, _ context: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let card = cardObject(json) else {
        Issue.record("\(context): the card is not a JSON object: \(json)", sourceLocation: sourceLocation)
        return
    }
    #expect(card["id"] as? String == marker.id, "\(context): card id", sourceLocation: sourceLocation)
    #expect(card["product"] as? String == marker.product, "\(context): card product", sourceLocation: sourceLocation)
    #expect(
        sameScalars(card["title"] as? String, marker.title),
        "\(context): card title \(String(reflecting: card["title"])) is not exactly \(String(reflecting: marker.title))",
        sourceLocation: sourceLocation)
    #expect(card["url"] as? String == marker.url, "\(context): card url", sourceLocation: sourceLocation)
    #expect(card["currency"] as? String == marker.currency, "\(context): card currency", sourceLocation: sourceLocation)
    if let price = marker.price {
        #expect(
            (card["price"] as? NSNumber)?.doubleValue == Double(price),
            "\(context): card price \(String(describing: card["price"]))",
            sourceLocation: sourceLocation)
        // Canonical JSON keeps the price as written.
        #expect(
            json.contains("\"price\":\(price)"), "\(context): the card writes the price as \(price): \(json)",
            sourceLocation: sourceLocation)
    } else {
        #expect(card["price"] == nil, "\(context): card price", sourceLocation: sourceLocation)
    }
    let allowed: Set<String> = ["id", "product", "title", "url", "price", "currency", "image", "attributes"]
    #expect(
        Set(card.keys).isSubset(of: allowed), "\(context): card keys \(card.keys.sorted())",
        sourceLocation: sourceLocation)
}

// MARK: - Date ranges in a playlist

/// One EXT-X-DATERANGE of a parsed playlist and where it stands.
struct PlacedDateRange {
    var range: DateRange
    /// The index of the segment the tag precedes.
    var segmentIndex: Int

    func attribute(_ name: String) -> AttributeValue? {
        range.clientAttributes.first { $0.name == name }?.value
    }

    func string(_ name: String) -> String? {
        if case .string(let text)? = attribute(name) { return text }
        return nil
    }

    /// The card attribute decoded to its JSON text.
    var cardJSON: String? {
        string("X-COM-CUEPOINT-CARD").flatMap(base64URLDecoded).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension MediaPlaylist {
    /// Every date range, in playlist order.
    var placedDateRanges: [PlacedDateRange] {
        segments.enumerated().flatMap { index, segment in
            segment.dateRanges.map { PlacedDateRange(range: $0, segmentIndex: index) }
        }
    }

    /// Where each segment starts, in milliseconds from the first (EXTINF running sums).
    var segmentStartsMilliseconds: [Int64] {
        var running: Int64 = 0
        return segments.map { segment in
            defer { running += segment.durationMilliseconds }
            return running
        }
    }

    /// The index of the segment whose time range holds `milliseconds` (from the first segment's start).
    func segmentIndex(holdingMilliseconds milliseconds: Int64) -> Int? {
        let starts = segmentStartsMilliseconds
        return segments.indices.last {
            starts[$0] <= milliseconds && milliseconds < starts[$0] + segments[$0].durationMilliseconds
        }
    }
}

/// Checks the date ranges of a finished media playlist of a recorded input against the markers:
/// one tag per marker with a duration, and for an open marker (no duration or end) an open tag
/// and a closing tag at the end of the recording; no other tag. Each tag: CLASS; START-DATE =
/// `recordingStart` + start; DURATION; never END-ON-NEXT; the X- attributes quoted-string safe;
/// the card exact. The (first) tag is placed before the segment that holds the marker's media
/// time, whose PROGRAM-DATE-TIME range holds the START-DATE.
func expectDateRanges(
    in playlist: MediaPlaylist, name: String, describe markers: [ExpectedMarker], className: String,
    recordingStart: WallClockTime, sourceLocation: SourceLocation = #_sourceLocation
) {
    let placed = playlist.placedDateRanges
    let recordingEnd = playlist.segments.reduce(0) { $0 + $1.durationMilliseconds }
    let expectedIDs = markers.flatMap { $0.durationMilliseconds == nil ? [$0.id, $0.id] : [$0.id] }
    #expect(
        placed.map(\.range.id).sorted() == expectedIDs.sorted(),
        "\(name): one DATERANGE per marker, two for an open one (found \(placed.map(\.range.id)))",
        sourceLocation: sourceLocation)
    for tag in placed {
        #expect(!tag.range.endOnNext, "\(name): \(tag.range.id) has END-ON-NEXT", sourceLocation: sourceLocation)
    }
    #expect(
        placed.isEmpty || playlist.segments.allSatisfy { $0.programDateTime != nil },
        "\(name): a playlist with date ranges has PROGRAM-DATE-TIME on every segment", sourceLocation: sourceLocation)
    for marker in markers {
        let tags = placed.filter { $0.range.id == marker.id }
        guard let tag = tags.first else { continue }
        let range = tag.range
        let context = "\(name): DATERANGE \(marker.id)"
        #expect(range.classAttribute == className, "\(context): CLASS", sourceLocation: sourceLocation)
        #expect(
            range.startDate == recordingStart.advanced(by: .milliseconds(marker.startMilliseconds)),
            "\(context): START-DATE \(range.startDate) for a start of \(marker.startMilliseconds) ms",
            sourceLocation: sourceLocation)
        #expect(
            range.durationMilliseconds == marker.durationMilliseconds, "\(context): DURATION",
            sourceLocation: sourceLocation)
        #expect(
            range.endDate == nil && range.plannedDurationMilliseconds == nil,
            "\(context): no END-DATE/PLANNED-DURATION", sourceLocation: sourceLocation)
        #expect(
            tag.string("X-COM-CUEPOINT-PRODUCT") == quotedStringSafe(marker.product), "\(context): PRODUCT",
            sourceLocation: sourceLocation)
        #expect(
            sameScalars(tag.string("X-COM-CUEPOINT-TITLE"), quotedStringSafe(marker.title)),
            "\(context): TITLE \(String(reflecting: tag.string("X-COM-CUEPOINT-TITLE"))), expected \(String(reflecting: quotedStringSafe(marker.title)))",
            sourceLocation: sourceLocation)
        #expect(
            tag.string("X-COM-CUEPOINT-URL") == quotedStringSafe(marker.url), "\(context): URL",
            sourceLocation: sourceLocation)
        #expect(
            tag.attribute("X-COM-CUEPOINT-PRICE") == marker.price.map { .number($0) }, "\(context): PRICE",
            sourceLocation: sourceLocation)
        #expect(
            tag.string("X-COM-CUEPOINT-CURRENCY") == marker.currency, "\(context): CURRENCY",
            sourceLocation: sourceLocation)
        if let card = tag.cardJSON {
            expectCard(card, describes: marker, context, sourceLocation: sourceLocation)
        } else {
            Issue.record("\(context): no base64url X-COM-CUEPOINT-CARD", sourceLocation: sourceLocation)
        }
        // An open marker ends with the recording: the same tag again, with DURATION.
        if marker.durationMilliseconds == nil, tags.count == 2 {
            var closing = tags[1].range
            #expect(
                closing.durationMilliseconds == recordingEnd - marker.startMilliseconds,
                "\(context): the closing tag's DURATION \(String(describing: closing.durationMilliseconds)) ms; the recording ends at \(recordingEnd) ms",
                sourceLocation: sourceLocation)
            closing.durationMilliseconds = nil
            #expect(
                closing == range, "\(context): the closing tag repeats every attribute", sourceLocation: sourceLocation)
            #expect(
                tags[1].segmentIndex >= tag.segmentIndex, "\(context): the closing tag comes last",
                sourceLocation: sourceLocation)
        }

        // The segment that holds the marker's media time: the START-DATE is in its
        // PROGRAM-DATE-TIME range, and the tag is written before it.
        guard let holding = playlist.segmentIndex(holdingMilliseconds: marker.startMilliseconds) else {
            Issue.record("\(context): no segment holds \(marker.startMilliseconds) ms", sourceLocation: sourceLocation)
            continue
        }
        let segment = playlist.segments[holding]
        if let date = segment.programDateTime {
            let end = date.advanced(by: .milliseconds(segment.durationMilliseconds))
            #expect(
                date <= range.startDate && range.startDate < end,
                "\(context): START-DATE \(range.startDate) is not within [\(date), \(end)) of \(segment.uri), which holds its media time",
                sourceLocation: sourceLocation)
        }
        #expect(
            tag.segmentIndex <= holding,
            "\(context) is written before \(playlist.segments[tag.segmentIndex].uri), after \(segment.uri) which holds its start",
            sourceLocation: sourceLocation)
    }
}

/// Checks that `text` parses strictly and renders back to the same bytes.
func expectRoundTrip(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let playlist = try MediaPlaylist(parsing: text)
        #expect(playlist.render() == text, "\(name) does not render back identically", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(name) is rejected by the strict parser: \(error)\n\(text)", sourceLocation: sourceLocation)
    }
}

/// The `#EXT-X-DATERANGE:` lines of a playlist text, as written.
func dateRangeLines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("#EXT-X-DATERANGE:") }
}

// MARK: - The marker log

/// One line of a recording's `markers.jsonl`, read with JSONSerialization.
struct MarkerLogEvent {
    var event: String
    var id: String?
    var object: [String: Any]

    static func read(_ directory: URL) throws -> [MarkerLogEvent] {
        let text = String(
            decoding: try Data(contentsOf: directory.appendingPathComponent("markers.jsonl")), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let event = object["event"] as? String
            else { throw RecordingProblem(description: "markers.jsonl: not an event: \(line)") }
            let id = event == "add" ? (object["marker"] as? [String: Any])?["id"] as? String : object["id"] as? String
            return MarkerLogEvent(event: event, id: id, object: object)
        }
    }

    var marker: [String: Any]? { object["marker"] as? [String: Any] }

    /// A number field in seconds, in milliseconds.
    static func milliseconds(_ value: Any?) -> Int64? {
        (value as? NSNumber).map { Int64(($0.doubleValue * 1000).rounded()) }
    }
}

// MARK: - Runs

enum MarkerRuns {
    static let className = "com.example.shop.product"

    /// A copy pipeline of sample.mp4 with markers from SampleMedia/products.jsonl (and `inline`),
    /// a fixed start date and 4 s segments.
    static func spec(
        container: Container, renditions: [String] = ["source"], align: Bool = false, inline: [Marker] = [],
        input: SampleInput = .mp4, inputPath: String? = nil
    ) -> PipelineSpec {
        PipelineSpec(
            name: "markers", input: InputSpec(url: inputPath ?? input.path, startDate: LibraryRun.fixedDate),
            output: OutputSpec(container: container, segmentDuration: .milliseconds(4_000)),
            renditions: renditions.map { RenditionSpec(name: $0, copy: true) },
            markers: MarkersSpec(
                className: className, align: align, files: [Repository.sampleMedia("products.jsonl").path],
                inline: inline))
    }

    /// The inline marker of Pipelines/markers-fmp4.yaml.
    static let inlineMug = Marker(
        id: "p-0100", product: "SKU-MUG-BLU", title: #"Stoneware Mug, "Ocean" Blue"#,
        url: "https://shop.example.com/p/mug-ocean",
        price: "14.50", currency: "USD", start: .offset(milliseconds: 500), end: .duration(milliseconds: 1_000))
    static let inlineMugExpected = ExpectedMarker(
        id: "p-0100", product: "SKU-MUG-BLU", title: #"Stoneware Mug, "Ocean" Blue"#,
        url: "https://shop.example.com/p/mug-ocean",
        price: "14.50", currency: "USD", startMilliseconds: 500, durationMilliseconds: 1_000)
}

// MARK: - Boxes of an fMP4 segment

/// The top-level boxes of an ISO BMFF file: type and bytes (header included).
func topLevelBoxes(_ data: [UInt8]) throws -> [(type: String, bytes: [UInt8])] {
    var boxes: [(String, [UInt8])] = []
    var offset = 0
    while offset + 8 <= data.count {
        var size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
        if size == 1, offset + 16 <= data.count {
            size = data[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) }
        }
        if size == 0 { size = data.count - offset }
        guard size >= 8, offset + size <= data.count else {
            throw RecordingProblem(
                description: "box \(type) at \(offset) has size \(size) beyond the \(data.count) bytes")
        }
        boxes.append((type, Array(data[offset..<offset + size])))
        offset += size
    }
    guard offset == data.count else {
        throw RecordingProblem(description: "\(data.count - offset) bytes after the last box")
    }
    return boxes
}

// MARK: - PyAV + mutagen

/// Tests/Support/read_id3.py: the timed-ID3 packets of TS segments (PyAV) or the emsg boxes of
/// fMP4 segments, each tag parsed by mutagen.
enum TimedID3Reader {
    struct Segment: Decodable {
        var file: String
        var data_streams: [DataStream]?
        var first_video_pts: Double?
        var boxes: [String]?
        var id3: [Tag]
        var error: String?
    }

    struct DataStream: Decodable {
        var index: Int
        var codec: String?
    }

    struct Tag: Decodable {
        var pts: Double?
        var size: Int?
        var header: String?
        var version: [Int]?
        var txxx: [String: [String]]?
        var priv: [String: String]?
        var error: String?
        // emsg only
        var emsg_version: Int?
        var timescale: Int?
        var presentation_time: Int?
        var id: Int?
        var scheme: String?
        var value: String?

        /// The TXXX value of `com.cuepoint.marker`, when there is exactly one.
        var markerJSON: String? {
            guard let values = txxx?["com.cuepoint.marker"], values.count == 1 else { return nil }
            return values[0]
        }

        /// The PRIV data of `com.cuepoint.marker` as text.
        var privateID: String? {
            guard let hex = priv?["com.cuepoint.marker"] else { return nil }
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static var script: URL { Repository.root.appendingPathComponent("Tests/Support/read_id3.py") }

    /// python3 on PATH can import PyAV and mutagen.
    static let isAvailable: Bool = {
        guard let python = ExternalProgram.which("python3") else { return false }
        return (try? ExternalProgram.run(python, ["-c", "import av, mutagen"]).status) == 0
    }()

    static func read(_ paths: [String], emsg: Bool = false) throws -> [Segment] {
        guard let python = ExternalProgram.which("python3") else { throw ProbeError.notInstalled("python3") }
        let arguments = [script.path] + (emsg ? ["--emsg"] : []) + paths
        let output = try ExternalProgram.run(python, arguments)
        struct Output: Decodable { var segments: [Segment] }
        do {
            return try JSONDecoder().decode(Output.self, from: output.stdout).segments
        } catch {
            throw ProbeError.failed(
                command: "python3 " + arguments.joined(separator: " "), status: output.status,
                stderr: output.stderrText + " (\(error))")
        }
    }
}

// MARK: - Waiting

/// Polls `condition` every 50 ms until it holds; false after `timeout` seconds (a safety net
/// against a hung run, not a measured threshold).
func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    return try condition()
}
