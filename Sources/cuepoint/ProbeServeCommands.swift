import ArgumentParser
import Cuepoint
import CuepointServer
import Foundation

extension CuepointCommand {
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an input's streams, codecs and the CODECS string HLS would use.")

        @Argument(help: "The input: a file or URL.")
        var input: String

        func run() throws {
            let report: InputReport
            do {
                report = try InputReport.inspect(url: input)
            } catch {
                throw CommandFailure.runtime(error)
            }
            print(report.text)
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a recording or replay directory over HTTP on 127.0.0.1.")

        @Argument(help: "The directory to serve.")
        var directory: String

        @Option(help: "Address to listen on, HOST:PORT.")
        var listen: String = "127.0.0.1:8080"

        func run() async throws {
            guard let address = ListenAddress(listen) else {
                throw ValidationError("--listen: expected HOST:PORT such as 127.0.0.1:8080, got \"\(listen)\"")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure(message: "\(directory): no such directory; run a pipeline first", exitCode: 1)
            }
            let host = address.host
            let server = DirectoryServer(directory: directory, host: host, port: address.port)
            let shown = directory
            try await server.run { bound in
                FileHandle.standardOutput.write(Data("serving \(shown) on http://\(host):\(bound)/ (Ctrl-C stops)\n".utf8))
            }
        }
    }
}
