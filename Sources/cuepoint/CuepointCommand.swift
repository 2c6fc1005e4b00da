import ArgumentParser
import Cuepoint
import Foundation

/// `cuepoint`: the command line. Exit codes: 0 success, 1 runtime failure, 2 usage or
/// pipeline-file error.
@main
struct CuepointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuepoint",
        abstract: "Turn live or recorded video into HLS, with product markers and shoppable replays.",
        version: "0.1.0",
        subcommands: [
            Run.self, Validate.self, Segment.self, Replay.self, Publish.self, Probe.self, Markers.self, Serve.self,
            RTMPSink.self, Server.self, Shows.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("cuepoint: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            // Usage errors: one line, exit code 2 (ArgumentParser's default would be 64).
            let text = message(for: error).replacingOccurrences(of: "Error: ", with: "")
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            // An argument's value may be huge (a file's contents pasted in): the line stays short.
            FileHandle.standardError.write(
                Data("cuepoint: \(EchoedText.value(text, limit: 2_000)) (see 'cuepoint --help')\n".utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}

/// A failure that ends the command with a one-line message and an exit code.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32

    /// A failure of the job, on one line whatever the sizes of what it names: the subject (a
    /// path, an input URL) keeps its end, the message and fix their start (``EchoedText``).
    static func runtime(_ error: CuepointError) -> CommandFailure {
        var bounded = error
        bounded.subject = EchoedText.path(error.subject)
        bounded.message = EchoedText.value(error.message, limit: 2_000)
        bounded.fix = error.fix.map { EchoedText.value($0, limit: 2_000) }
        return CommandFailure(message: bounded.description, exitCode: 1)
    }

    static func pipeline(_ error: PipelineFileError) -> CommandFailure {
        CommandFailure(message: error.description, exitCode: 2)
    }
}
