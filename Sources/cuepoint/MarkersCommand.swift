import ArgumentParser
import Cuepoint
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Markers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, add or close the product markers of a recording directory.",
            subcommands: [List.self, Add.self, Close.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the markers of a recording.")

            @Argument(help: "The recording directory (holds markers.jsonl and recording.json).")
            var directory: String

            @Flag(help: "Print one JSON object per line instead of a table.")
            var json = false

            func run() throws {
                let result: (markers: [PlacedMarker], problems: [MarkerProblem])
                do { result = try RecordingMarkers.list(directory: directory) } catch {
                    throw CommandFailure.runtime(error)
                }
                for problem in result.problems {
                    FileHandle.standardError.write(Data("cuepoint: warning: \(problem)\n".utf8))
                }
                for placed in result.markers {
                    if json {
                        print(String(decoding: placed.cardJSON, as: UTF8.self))
                        continue
                    }
                    let start = padded(SecondsText.fixed(milliseconds: placed.startMilliseconds), 9)
                    let duration =
                        placed.durationMilliseconds.map { padded(SecondsText.fixed(milliseconds: $0), 8) + " s" } ?? "    open  "
                    print("\(placed.id)\t\(start) s\t\(duration)\t\(placed.marker.product)\t\(placed.marker.title)")
                }
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Add a marker (one JSON object, the JSON-lines format) to a recording's markers.jsonl, or to a running server's recording (--server)."
            )

            @Argument(help: "The recording directory (left out with --server).")
            var directory: String?

            @Argument(
                help: #"The marker, e.g. '{"id":"p-7","title":"Mug","url":"https://shop.example/mug","start":12.5}'"#)
            var marker: String?

            @OptionGroup var remote: RemoteOptions

            func validate() throws {
                if remote.server != nil {
                    guard directory != nil, marker == nil else {
                        throw ValidationError("with --server, give the marker only, not a directory")
                    }
                } else {
                    guard directory != nil, marker != nil else {
                        throw ValidationError(
                            "give the recording directory and the marker (or --server URL and the marker)")
                    }
                }
            }

            func run() async throws {
                if let client = try remote.client() {
                    // With --server the one argument given is the marker.
                    let placed = try await client.send("POST", "v1/markers", body: directory ?? "")
                    print("added \(placed.id) at \(placed.start) s")
                    return
                }
                do {
                    let placed = try RecordingMarkers.add(json: marker ?? "", directory: directory ?? "")
                    print("added \(placed.id) at \(SecondsText.format(milliseconds: placed.startMilliseconds))")
                } catch {
                    throw CommandFailure.runtime(error)
                }
            }
        }

        struct Close: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Close an open marker of a recording, or of a running server's recording (--server).")

            @Argument(help: "The recording directory (left out with --server).")
            var directory: String?

            @Argument(help: "The marker's id.")
            var id: String?

            @Option(help: "When it ends, as recording time (e.g. 42s).")
            var end: String?

            @Option(help: "How long it lasted (e.g. 30s).")
            var duration: String?

            @OptionGroup var remote: RemoteOptions

            func validate() throws {
                if remote.server != nil {
                    guard directory != nil, id == nil else {
                        throw ValidationError("with --server, give the marker's id only, not a directory")
                    }
                    guard end == nil || duration == nil else {
                        throw ValidationError("give at most one of --end and --duration")
                    }
                } else {
                    guard directory != nil, id != nil else {
                        throw ValidationError(
                            "give the recording directory and the marker's id (or --server URL and the id)")
                    }
                    guard (end == nil) != (duration == nil) else {
                        throw ValidationError("give exactly one of --end and --duration")
                    }
                }
                for (name, value) in [("--end", end), ("--duration", duration)] {
                    if let value, DurationText.parse(value) == nil {
                        throw ValidationError("\(name): expected a time such as \"42s\", got \"\(value)\"")
                    }
                }
            }

            func run() async throws {
                if let client = try remote.client() {
                    let markerID = directory ?? ""
                    // The server reads the same time texts as marker files; nothing means now.
                    let body: String =
                        if let end { #"{"end":"\#(end)"}"# } else if let duration {
                            #"{"duration":"\#(duration)"}"#
                        } else { "" }
                    let closed = try await client.send("POST", "v1/markers/\(markerID)/close", body: body)
                    print("closed \(closed.id) after \(closed.duration ?? "?") s")
                    return
                }
                let markerEnd: MarkerEnd =
                    if let end { .time(.offset(milliseconds: DurationText.parse(end)!.milliseconds)) } else {
                        .duration(milliseconds: DurationText.parse(duration!)!.milliseconds)
                    }
                do {
                    let closed = try RecordingMarkers.close(id: id ?? "", end: markerEnd, directory: directory ?? "")
                    print(
                        "closed \(closed.id) after \(SecondsText.format(milliseconds: closed.durationMilliseconds ?? 0))"
                    )
                } catch {
                    throw CommandFailure.runtime(error)
                }
            }
        }
    }
}

/// `--server URL --token-env NAME`: use a running server's marker API instead of a directory.
struct RemoteOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A running server (cuepoint segment --serve), e.g. http://127.0.0.1:8080: use its marker API.",
            valueName: "url"))
    var server: String?

    @Option(
        help: ArgumentHelp(
            "The environment variable that holds the server's bearer token (with --server).", valueName: "name"))
    var tokenEnv: String?

    func validate() throws {
        if tokenEnv != nil, server == nil { throw ValidationError("--token-env: give --server URL too") }
        guard let server else { return }
        guard MarkerAPIClient.baseURL(server) != nil else {
            throw ValidationError("--server: expected an http URL such as http://127.0.0.1:8080, got \"\(server)\"")
        }
        guard tokenEnv != nil else {
            throw ValidationError("--server: give --token-env NAME, the variable holding the token")
        }
    }

    /// The client of `--server`, nil without it.
    func client() throws -> MarkerAPIClient? {
        guard let server, let base = MarkerAPIClient.baseURL(server), let tokenEnv else { return nil }
        guard let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty else {
            throw CommandFailure(
                message:
                    "--token-env: the environment variable \(tokenEnv) is \(ProcessInfo.processInfo.environment[tokenEnv] == nil ? "not set" : "empty")",
                exitCode: 2)
        }
        return MarkerAPIClient(base: base, token: token)
    }
}

/// `text` right-aligned in `width` columns.
private func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
