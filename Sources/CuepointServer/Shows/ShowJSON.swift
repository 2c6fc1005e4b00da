import Foundation

/// A show as the control API answers it (JSON), with the URLs players, marker tools and
/// publishers use.
struct ShowJSON: Encodable {
    struct URLs: Encodable {
        var master: String
        var markers: String
        /// Where a publisher sends the show (`rtmp://HOST:PORT/live/KEY`); null unless the show
        /// takes its publisher on the server's RTMP port.
        var ingest: String?
        /// The replay player page, when the document asks for a replay.
        var replay: String?
    }

    struct Input: Encodable {
        var kind: String
        var url: String?
    }

    var id: String
    var state: String
    var failure: String?
    var streamKey: String
    var markerToken: String
    var createdAt: String
    var source: String
    var input: Input
    var renditions: [String]
    var segments: Int
    var mediaSeconds: Double
    var markers: Int
    var lagSeconds: Double?
    var warnings: [String]
    var urls: URLs

    enum CodingKeys: String, CodingKey {
        case id, state, failure, source, input, renditions, segments, markers, warnings, urls
        case streamKey = "stream_key"
        case markerToken = "marker_token"
        case createdAt = "created_at"
        case mediaSeconds = "media_seconds"
        case lagSeconds = "lag_seconds"
    }

    /// - Parameters:
    ///   - base: the server's public base URL, without a trailing slash.
    ///   - ingest: the RTMP base (`rtmp://HOST:PORT/live/`) when the server has an RTMP port.
    init(_ show: ShowSnapshot, base: String, ingest: String?) {
        id = show.id
        state = show.state.name
        failure = show.state.failure
        streamKey = show.streamKey
        markerToken = show.markerToken
        createdAt = show.createdAt
        source = show.source
        input = Input(kind: show.inputKind, url: show.inputURL)
        renditions = show.renditions
        segments = show.segments
        // Seconds only at the edge, for people reading the answer.
        mediaSeconds = Double(show.mediaMilliseconds) / 1000
        markers = show.markers
        lagSeconds = show.lagMilliseconds.map { Double($0) / 1000 }
        warnings = show.warnings
        let root = "\(base)/shows/\(show.id)"
        urls = URLs(
            master: "\(root)/master.m3u8", markers: "\(root)/v1/markers",
            ingest: show.inputKind == "rtmp_port" ? ingest.map { $0 + show.streamKey } : nil,
            replay: show.hasReplay ? "\(root)/replay/index.html" : nil)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
