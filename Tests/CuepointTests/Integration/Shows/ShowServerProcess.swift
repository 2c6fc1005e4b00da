import CuepointTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `cuepoint server` as a process for the show server's tests: started on free ports (port 0,
/// read back from its first line), driven over HTTP with the admin token, killed or stopped.
final class ShowServerProcess: @unchecked Sendable {
    // Invariant: used from one test's thread at a time.
    static let adminToken = "test-admin-token-0123456789abcdef"

    let job: LiveIngest.Job
    /// `http://127.0.0.1:PORT`.
    let base: String
    /// `rtmp://127.0.0.1:PORT/live/` when started with an RTMP port.
    let ingest: String?

    /// Starts `cuepoint server --data DATA --listen 127.0.0.1:0 [--rtmp 127.0.0.1:0] EXTRA…`.
    init(data: URL, folder: URL, rtmp: Bool = true, extra: [String] = [], label: String = "server") throws {
        var arguments = ["server", "--listen", "127.0.0.1:0", "--data", data.path]
        if rtmp { arguments += ["--rtmp", "127.0.0.1:0"] }
        job = try LiveIngest.cuepoint(
            arguments + extra, folder: folder, environment: ["CUEPOINT_ADMIN_TOKEN": Self.adminToken], label: label)
        var base: String?
        var ingest: String?
        _ = LiveIngest.poll(30) { [job] in
            let out = job.stdout
            base = out.firstMatch(of: /on (http:\/\/127\.0\.0\.1:[0-9]+)\//).map { String($0.1) }
            ingest = out.firstMatch(of: /RTMP ingest (rtmp:\/\/127\.0\.0\.1:[0-9]+\/live\/)/).map { String($0.1) }
            return base != nil || !job.process.isRunning
        }
        guard let base else { throw ShowServerFailure(message: "the server did not start:\n\(job.printed)") }
        self.base = base
        self.ingest = ingest
    }

    /// An HTTP request, blocking: the status (0: no answer), the body, and the headers.
    func request(
        _ method: String, _ path: String, token: String? = ShowServerProcess.adminToken, body: String? = nil,
        contentType: String? = nil
    ) -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: base + path)!, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 30)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result = (status: 0, body: "")
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            done.signal()
        }.resume()
        done.wait()
        return result
    }

    /// The JSON object of an answer's body.
    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `POST /v1/shows` with `document`; the created show (or the status and body on failure).
    func create(_ document: String) throws -> [String: Any] {
        let answer = request("POST", "/v1/shows", body: document, contentType: "application/yaml")
        guard answer.status == 201 else {
            throw ShowServerFailure(message: "POST /v1/shows: \(answer.status) \(answer.body)\n\(job.printed)")
        }
        return Self.object(answer.body)
    }

    /// `GET /v1/shows/ID`.
    func show(_ id: String) -> [String: Any] { Self.object(request("GET", "/v1/shows/\(id)").body) }

    func state(_ id: String) -> String { show(id)["state"] as? String ?? "?" }

    /// Waits up to `seconds` for show `id` to be in `state`.
    func waitFor(_ id: String, _ state: String, _ seconds: Double) -> Bool {
        LiveIngest.poll(seconds) { self.state(id) == state }
    }

    /// SIGTERM, and waits for the process to end.
    func stop(_ seconds: Double = 60) -> Bool {
        job.process.terminate()
        return job.wait(seconds)
    }

    /// SIGKILL: no chance to finalise anything.
    func kill() {
        Foundation.kill(job.process.processIdentifier, SIGKILL)
        job.wait(10)
    }
}

struct ShowServerFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A show's pipeline document: no input (the publisher comes through the server), 2 s segments.
func showDocument(_ name: String, extra: String = "") -> String {
    """
    version: 1
    name: \(name)
    output:
      segment: 2s
    \(extra)
    """
}

/// Runs a blocking test body (processes, polling) on a thread of its own, never on the
/// cooperative pool, in a fresh folder.
func offThePoolInFolder(_ label: String, _ body: @escaping @Sendable (URL) throws -> Void) async throws {
    try await offThePool {
        try TemporaryDirectory.withBlocking(label: label, body)
    }
}
