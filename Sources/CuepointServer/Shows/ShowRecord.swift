import Cuepoint
import Foundation

/// What the server keeps of a show in its data directory (`DIR/shows/ID/show.json`), beside
/// the pipeline document it was created from: enough for a restarted server to find the
/// show, its secrets and whether its recording is over.
///
/// The recording itself keeps its own state (`recording.json`, the playlists); a show that is
/// not over when the server starts is run again and its recording resumes
/// (``PipelineRunner``'s resume logic: EXT-X-DISCONTINUITY, numbering continued).
struct ShowRecord: Codable, Sendable, Equatable {
    /// The show's id: the pipeline document's `name`.
    var id: String
    /// The publish name a publisher must use (`rtmp://HOST:PORT/live/STREAM_KEY`).
    var streamKey: String
    /// The bearer token of the show's marker API.
    var markerToken: String
    /// When the show was created (ISO 8601, UTC).
    var createdAt: String
    /// Where the show came from: `api`, or `directory` (a pipeline file in the shows directory).
    var source: String
    /// The pipeline document's file name in the show's folder (`pipeline.yaml` or `pipeline.json`).
    var document: String
    /// Whether the document had no `input`: the publisher comes through the server's RTMP port
    /// or a streaming server's hook.
    var takesPublisher: Bool
    /// The last source URL a publish hook gave (pulled again after a restart); nil before one.
    var hookSource: String?
    /// `active` while the show runs or waits; `finished` or `failed` once over.
    var state: String
    /// Why the show failed, when it did.
    var failure: String?
    /// The path of the pipeline file it came from, for `directory` shows.
    var file: String?

    enum CodingKeys: String, CodingKey {
        case id, source, document, state, failure, file
        case streamKey = "stream_key"
        case markerToken = "marker_token"
        case createdAt = "created_at"
        case takesPublisher = "takes_publisher"
        case hookSource = "hook_source"
    }

    static let active = "active"

    /// The state kept in the file for a show in `state`.
    mutating func keep(_ state: ShowState) {
        self.state = state.isOver ? state.name : Self.active
        self.failure = state.failure
    }

    /// The show's state as kept: nil while it is active (the running pipeline says more).
    var keptState: ShowState? {
        switch state {
        case ShowState.finished.name: .finished
        case ShowState.failed("").name: .failed(failure ?? "unknown")
        default: nil
        }
    }
}

/// Where the show server keeps things in its data directory:
///
///     DIR/shows/ID/show.json          the ShowRecord
///     DIR/shows/ID/pipeline.yaml      the pipeline document as received (or pipeline.json)
///     DIR/recordings/ID/              the recording, unless the document names output.directory
///     DIR/recordings/ID-replay/       its replay, unless the document names replay.directory
struct ShowLayout: Sendable {
    let dataDirectory: URL

    var showsFolder: URL { dataDirectory.appendingPathComponent("shows", isDirectory: true) }
    var recordingsFolder: URL { dataDirectory.appendingPathComponent("recordings", isDirectory: true) }

    func folder(of id: String) -> URL { showsFolder.appendingPathComponent(id, isDirectory: true) }
    func recordFile(of id: String) -> URL { folder(of: id).appendingPathComponent("show.json") }

    /// Writes the record (atomically: a crash leaves the old file or the new one).
    func save(_ record: ShowRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(at: folder(of: record.id), withIntermediateDirectories: true)
        try encoder.encode(record).write(to: recordFile(of: record.id), options: .atomic)
    }

    /// Writes the pipeline document beside the record.
    func saveDocument(_ text: String, named name: String, of id: String) throws {
        try FileManager.default.createDirectory(at: folder(of: id), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: folder(of: id).appendingPathComponent(name), options: .atomic)
    }

    /// Every show kept in the data directory, with its document's text; the ones that cannot be
    /// read are returned as problems (the folder and why), never dropped silently.
    func load() -> (shows: [(record: ShowRecord, document: String)], problems: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: showsFolder.path)) ?? []
        var shows: [(ShowRecord, String)] = []
        var problems: [String] = []
        for name in names.sorted() {
            let file = recordFile(of: name)
            do {
                let record = try JSONDecoder().decode(ShowRecord.self, from: FileContents.read(file))
                let document = try String(
                    contentsOf: folder(of: name).appendingPathComponent(record.document), encoding: .utf8)
                shows.append((record, document))
            } catch {
                problems.append("\(file.path): cannot read the show (\(error)); it is left as it is")
            }
        }
        return (shows, problems)
    }

    /// Removes the show's folder (its record and document); the recording is removed by the caller.
    func remove(_ id: String) throws {
        try FileManager.default.removeItem(at: folder(of: id))
    }
}
