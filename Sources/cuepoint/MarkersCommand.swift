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
                do { result = try RecordingMarkers.list(directory: directory) } catch { throw CommandFailure.runtime(error) }
                for problem in result.problems {
                    FileHandle.standardError.write(Data("cuepoint: warning: \(problem)\n".utf8))
                }
                for placed in result.markers {
                    if json {
                        print(String(decoding: placed.cardJSON, as: UTF8.self))
                        continue
                    }
                    let start = String(format: "%9.3f", Double(placed.startMilliseconds) / 1000)
                    let duration = placed.durationMilliseconds.map { String(format: "%8.3f s", Double($0) / 1000) } ?? "    open  "
                    print("\(placed.id)\t\(start) s\t\(duration)\t\(placed.marker.product)\t\(placed.marker.title)")
                }
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a marker (one JSON object, the JSON-lines format) to a recording's markers.jsonl.")

            @Argument(help: "The recording directory.")
            var directory: String

            @Argument(help: #"The marker, e.g. '{"id":"p-7","title":"Mug","url":"https://shop.example/mug","start":12.5}'"#)
            var marker: String

            func run() throws {
                do {
                    let placed = try RecordingMarkers.add(json: marker, directory: directory)
                    print("added \(placed.id) at \(String(format: "%.3f", Double(placed.startMilliseconds) / 1000)) s")
                } catch {
                    throw CommandFailure.runtime(error)
                }
            }
        }

        struct Close: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Close an open marker of a recording.")

            @Argument(help: "The recording directory.")
            var directory: String

            @Argument(help: "The marker's id.")
            var id: String

            @Option(help: "When it ends, as recording time (e.g. 42s).")
            var end: String?

            @Option(help: "How long it lasted (e.g. 30s).")
            var duration: String?

            func validate() throws {
                guard (end == nil) != (duration == nil) else { throw ValidationError("give exactly one of --end and --duration") }
                for (name, value) in [("--end", end), ("--duration", duration)] {
                    if let value, DurationText.parse(value) == nil {
                        throw ValidationError("\(name): expected a time such as \"42s\", got \"\(value)\"")
                    }
                }
            }

            func run() throws {
                let markerEnd: MarkerEnd =
                    if let end { .time(.offset(milliseconds: DurationText.parse(end)!.milliseconds)) } else {
                        .duration(milliseconds: DurationText.parse(duration!)!.milliseconds)
                    }
                do {
                    let closed = try RecordingMarkers.close(id: id, end: markerEnd, directory: directory)
                    print("closed \(closed.id) after \(String(format: "%.3f", Double(closed.durationMilliseconds ?? 0) / 1000)) s")
                } catch {
                    throw CommandFailure.runtime(error)
                }
            }
        }
    }
}
