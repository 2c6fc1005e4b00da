import ArgumentParser
import AsyncHTTPClient
import Cuepoint
import Foundation
import NIOCore
import NIOHTTP1

extension CuepointCommand {
    /// `cuepoint shows list|create|end|delete`: the command-line client of a show server's
    /// control API.
    struct Shows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list, end and remove the shows of a running `cuepoint server`.",
            subcommands: [List.self, Create.self, End.self, Delete.self])

        /// The server and the admin token, shared by every subcommand.
        struct Connection: ParsableArguments {
            @Option(help: "The show server's URL.")
            var server: String = "http://127.0.0.1:8080"

            @Option(help: "The environment variable holding the admin token.")
            var adminTokenEnv: String = "CUEPOINT_ADMIN_TOKEN"

            /// Sends one request; prints nothing, returns the body of a 2xx answer.
            ///
            /// - Throws: `CommandFailure` (exit 1) with the URL, the status, the server's `error`
            ///   and `fix`, or why the server could not be reached.
            func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = nil)
                async throws -> String
            {
                guard let token = ProcessInfo.processInfo.environment[adminTokenEnv], !token.isEmpty else {
                    throw CommandFailure(message: "\(adminTokenEnv) is not set; set it to the server's admin token", exitCode: 2)
                }
                let url = (server.hasSuffix("/") ? String(server.dropLast()) : server) + path
                var request = HTTPClientRequest(url: url)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                if let body {
                    request.body = .bytes(ByteBuffer(string: body))
                    request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
                }
                let status: HTTPResponseStatus
                let text: String
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    status = response.status
                    text = String(buffer: try await response.body.collect(upTo: 16 << 20))
                } catch {
                    throw CommandFailure(message: "\(url): cannot reach the server (\(error))", exitCode: 1)
                }
                guard (200..<300).contains(status.code) else {
                    var message = "\(url): \(status.code) \(status.reasonPhrase)"
                    let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
                    if let problems = object?["problems"] as? [String], !problems.isEmpty {
                        message += "\n" + problems.joined(separator: "\n")
                    } else if let error = object?["error"] as? String {
                        message += ": \(error)"
                    }
                    if let fix = object?["fix"] as? String { message += "\nfix: \(fix)" }
                    throw CommandFailure(message: message, exitCode: 1)
                }
                return text
            }
        }

        /// One line per show: `ID  STATE  master URL`.
        static func line(_ show: [String: Any]) -> String {
            let id = show["id"] as? String ?? "?"
            var state = show["state"] as? String ?? "?"
            if let failure = show["failure"] as? String { state += " (\(failure))" }
            let master = (show["urls"] as? [String: Any])?["master"] as? String ?? ""
            return "\(id)  \(state)  \(master)"
        }

        static func object(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the shows: id, state, playback URL.")
            @OptionGroup var connection: Connection
            @Flag(help: "Print the server's JSON as it is.")
            var json = false

            func run() async throws {
                let text = try await connection.send(.GET, "/v1/shows")
                if json { return print(text, terminator: "") }
                let shows = Shows.object(text)["shows"] as? [[String: Any]] ?? []
                if shows.isEmpty { print("no shows") }
                for show in shows { print(Shows.line(show)) }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a show from a pipeline file (YAML or JSON); prints its ingest URL and secrets.")
            @OptionGroup var connection: Connection
            @Argument(help: "The pipeline file; its `name` is the show's id.")
            var file: String

            func run() async throws {
                guard let data = FileContents.read(atPath: file), let document = String(data: data, encoding: .utf8)
                else {
                    throw CommandFailure(message: "\(file): cannot read the pipeline file as UTF-8 text", exitCode: 2)
                }
                let json = file.hasSuffix(".json")
                let text = try await connection.send(
                    .POST, "/v1/shows", body: document, contentType: json ? "application/json" : "application/yaml")
                let show = Shows.object(text)
                print(Shows.line(show))
                let urls = show["urls"] as? [String: Any] ?? [:]
                if let ingest = urls["ingest"] as? String { print("ingest: \(ingest)") }
                print("markers: \(urls["markers"] as? String ?? "")")
                print("stream key: \(show["stream_key"] as? String ?? "")")
                print("marker token: \(show["marker_token"] as? String ?? "")")
            }
        }

        struct End: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "End a show: its recording is finalised (and its replay made when asked for).")
            @OptionGroup var connection: Connection
            @Argument(help: "The show's id.")
            var id: String

            func run() async throws {
                let text = try await connection.send(.POST, "/v1/shows/\(Shows.escaped(id))/end")
                print(Shows.line(Shows.object(text)))
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove a finished or failed show (and its recording under the data directory).")
            @OptionGroup var connection: Connection
            @Argument(help: "The show's id.")
            var id: String

            func run() async throws {
                _ = try await connection.send(.DELETE, "/v1/shows/\(Shows.escaped(id))")
                print("removed \(id)")
            }
        }

        static func escaped(_ id: String) -> String {
            id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
        }
    }
}
