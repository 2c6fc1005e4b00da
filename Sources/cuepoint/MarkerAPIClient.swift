import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The client of a running server's marker API (`cuepoint markers add|close --server URL`):
/// one request, the bearer token in `Authorization`, and the server's answer as one line.
struct MarkerAPIClient {
    /// The server's root, e.g. `http://127.0.0.1:8080/`.
    var base: URL
    var token: String

    /// A placed marker as the API returns it: the fields the command prints.
    struct Placed {
        var id: String
        /// Start, in seconds from the recording's start, as the server wrote it.
        var start: String
        /// Duration in seconds; nil while open.
        var duration: String?
    }

    /// `text` as the server's root URL, when it is an http(s) URL with a host.
    static func baseURL(_ text: String) -> URL? {
        let trimmed = text.hasSuffix("/") ? text : text + "/"
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else { return nil }
        return url
    }

    /// Sends one request and reads the placed marker from a 2xx answer.
    ///
    /// - Throws: `CommandFailure` (exit 1) with the URL, the HTTP status and the server's
    ///   `error` and `fix`, or why the server could not be reached.
    func send(_ method: String, _ path: String, body: String) async throws(CommandFailure) -> Placed {
        guard let url = URL(string: path, relativeTo: base)?.absoluteURL else {
            throw CommandFailure(message: "\(path): not a valid path under \(base)", exitCode: 1)
        }
        var request = URLRequest(url: url, timeoutInterval: 15)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = Data(body.utf8)
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure(
                message: "\(url.absoluteString): cannot reach the server (\(error.localizedDescription))", exitCode: 1)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard (200..<300).contains(status) else {
            let reason = HTTPURLResponse.localizedString(forStatusCode: status).capitalized
            var message = "\(url.absoluteString): \(status) \(reason)"
            if let error = object?["error"] as? String { message += ": " + Self.oneLine(error) }
            if let fix = object?["fix"] as? String { message += " (\(Self.oneLine(fix)))" }
            throw CommandFailure(message: message, exitCode: 1)
        }
        guard let object, let id = object["id"] as? String else {
            throw CommandFailure(
                message: "\(url.absoluteString): \(status), but the answer is not a marker", exitCode: 1)
        }
        return Placed(id: id, start: Self.seconds(object["start"]) ?? "?", duration: Self.seconds(object["duration"]))
    }

    /// Problems come one per line; a command's error is one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }

    /// A JSON number of seconds with three decimals.
    static func seconds(_ value: Any?) -> String? {
        (value as? NSNumber).map { String(format: "%.3f", $0.doubleValue) }
    }
}
