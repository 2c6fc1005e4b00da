import CuepointTestSupport
import CuepointHLS
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A show published to a real S3 server (SeaweedFS or Ceph RGW, started by `TestServers`) under
/// a prefix of its own, and what the tests read back from the store's HTTP endpoint, as a
/// player behind a CDN would (anonymous reads; the servers allow them, not listing or writing).
struct StoreShow: Sendable {
    var server: S3Server
    var prefix: String

    init(server: S3Server, label: String) {
        self.server = server
        prefix = uniqueKey(label)
    }

    /// `--publish` / `output.publish` target.
    var target: String { "s3://\(server.bucket)/\(prefix)" }
    /// The store's HTTP address of the recording (path-style), where players read.
    var http: String { "http://127.0.0.1:\(server.port)/\(server.bucket)/\(prefix)" }

    /// The AWS variables the `cuepoint` process reads (endpoint, region, keys).
    func environment(endpointPort: Int? = nil, secret: String = S3Server.secretKey) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(endpointPort ?? server.port)", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": S3Server.accessKey, "AWS_SECRET_ACCESS_KEY": secret,
        ]
    }

    /// The store read with the test's own client (listing needs the keys). Blocking calls:
    /// use it off the cooperative pool.
    var remote: RemoteStore { RemoteStore(client: server.client(), prefix: prefix, location: target) }

    /// An anonymous GET of `path` under the recording: status (nil: no answer), body, headers.
    func get(_ path: String, method: String = "GET") -> HTTPAnswer { HTTPAnswer.fetch("\(http)/\(path)", method: method) }

    /// The keys under the prefix (relative paths), recursively.
    func keys() throws -> [String] {
        let remote = remote
        func walk(_ folder: String) throws -> [String] {
            try remote.list(folder).flatMap { entry -> [String] in
                let path = folder.isEmpty ? entry.name : "\(folder)/\(entry.name)"
                return entry.isFolder ? try walk(path) : [path]
            }
        }
        return try walk("")
    }
}

/// An HTTP answer, blocking (URLSession on its own queue).
struct HTTPAnswer: Sendable {
    var status: Int?
    var body: Data
    var headers: [String: String]

    var text: String { String(decoding: body, as: UTF8.self) }

    static func fetch(_ url: String, method: String = "GET") -> HTTPAnswer {
        guard let address = URL(string: url) else { return HTTPAnswer(status: nil, body: Data(), headers: [:]) }
        var request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
        request.httpMethod = method
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer = HTTPAnswer(status: nil, body: Data(), headers: [:])
        URLSession.shared.dataTask(with: request) { data, response, _ in
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (name, value) in http?.allHeaderFields ?? [:] {
                headers[String(describing: name).lowercased()] = String(describing: value)
            }
            answer = HTTPAnswer(status: http?.statusCode, body: data ?? Data(), headers: headers)
            done.signal()
        }.resume()
        done.wait()
        return answer
    }
}

/// Checks that a store holds a local recording exactly: each rendition's playlists, the
/// multivariant playlist, `recording.json` and `markers.jsonl` byte for byte, and every segment
/// and init section the playlists list, byte for byte (nothing listed is missing on the store).
/// With `someMediaElsewhere` (a show resumed on another machine), a listed file that is not in
/// `local` only has to be on the store.
///
/// - Returns: the store's media playlists by rendition.
@discardableResult
func expectStoreHoldsRecording(
    _ local: URL, on show: StoreShow, renditions: [String] = ["source"], someMediaElsewhere: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: MediaPlaylist] {
    var playlists: [String: MediaPlaylist] = [:]
    for document in ["master.m3u8", "recording.json", "markers.jsonl"] {
        guard let bytes = FileManager.default.contents(atPath: local.appendingPathComponent(document).path) else { continue }
        let answer = show.get(document)
        #expect(answer.status == 200 && answer.body == bytes, "\(document) on the store", sourceLocation: sourceLocation)
    }
    for rendition in renditions {
        let localText = try String(contentsOf: local.appendingPathComponent("\(rendition)/index.m3u8"), encoding: .utf8)
        let stored = show.get("\(rendition)/index.m3u8")
        #expect(stored.status == 200, "\(rendition)/index.m3u8 on the store", sourceLocation: sourceLocation)
        #expect(stored.text == localText, "\(rendition)/index.m3u8: the store's is the final local one", sourceLocation: sourceLocation)
        let playlist = try MediaPlaylist(parsing: stored.text)
        playlists[rendition] = playlist
        let files = Set(playlist.segments.map(\.uri) + playlist.segments.compactMap { $0.map?.uri })
        for file in files.sorted() {
            let answer = show.get("\(rendition)/\(file)")
            let bytes = FileManager.default.contents(atPath: local.appendingPathComponent("\(rendition)/\(file)").path)
            #expect(answer.status == 200, "\(rendition)/\(file) listed but answers \(String(describing: answer.status))", sourceLocation: sourceLocation)
            // A resumed show's earlier segments were recorded by another machine: only on the store.
            if bytes == nil && someMediaElsewhere { continue }
            #expect(answer.body == bytes, "\(rendition)/\(file): the store's bytes are the local file's", sourceLocation: sourceLocation)
        }
    }
    return playlists
}

/// A follower of a live playlist on the store that also records every 404 of a listed segment
/// and every media sequence number (``LiveIngest/Player``), with the checks the tests share.
extension LiveIngest.Player {
    /// Listed segments that answered 404 (no answer, while a store is stopped on purpose, is not one).
    var notFound: [String] { problems.filter { $0.contains("HTTP 404") || $0.hasPrefix("unparsable") } }

    /// Whether the media sequence numbers it saw never went back.
    var sequencesNeverWentBack: Bool { zip(sequences, sequences.dropFirst()).allSatisfy { $0 <= $1 } }
}

enum PublishTools {
    static var ready: Bool { ServerTools.hasSeaweedFS && LiveIngest.ffmpeg != nil && FFprobe.isInstalled }
    static var faketime: String? { ExternalProgram.which("faketime") }
}

extension LiveIngest.Job {
    /// Waits for the job to end; one that does not is killed and reported with what it printed
    /// (a test must not read the status of a running process).
    func ended(within seconds: Double) throws {
        guard !wait(seconds) else { return }
        kill(process.processIdentifier, SIGKILL)
        wait(10)
        throw RecordingProblem(description: "cuepoint did not end within \(Int(seconds)) s:\n\(printed)")
    }
}

/// Whether something listens on TCP `port` (from /proc/net/tcp, without connecting: a listener
/// that takes one publisher must not be spent on a probe).
func isListening(onTCPPort port: Int) -> Bool {
    guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
    let local = String(format: ":%04X", port)
    return table.split(separator: "\n").dropFirst().contains { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"
    }
}
