import CuepointTestSupport
import Foundation
import Testing

extension Integration {
    /// `cuepoint server --shows-dir DIR`: the folder is polled; a pipeline file that appears is a
    /// show, a file that changes while its show waits for its publisher gives the show its new
    /// document (same stream key and marker token), a file that does not decode is reported with
    /// its problems and becomes a show once corrected, and other files are left alone.
    @Suite("Show server: a directory of pipeline files", .ownThreads)
    struct ShowsDirectoryTests {
        @Test("files that appear, change, are broken and then corrected, in the polled shows directory", .timeLimit(.minutes(2)))
        func polledDirectory() async throws {
            try await offThePoolInFolder("shows-dir") { folder in
                let shows = folder.appendingPathComponent("shows")
                try FileManager.default.createDirectory(at: shows, withIntermediateDirectories: true)
                let server = try ShowServerProcess(
                    data: folder.appendingPathComponent("data"), folder: folder, extra: ["--shows-dir", shows.path])
                defer { _ = server.stop() }
                #expect(server.request("GET", "/v1/shows").body == #"{"shows":[]}"# + "\n")

                // A file appears: a show, waiting for its publisher on the server's RTMP port.
                let alpha = shows.appendingPathComponent("alpha.yaml")
                try Data(showDocument("alpha").utf8).write(to: alpha)
                #expect(server.waitFor("alpha", "waiting_for_publisher", 20), "\(server.show("alpha"))\n\(server.job.printed)")
                let created = server.show("alpha")
                #expect(created["source"] as? String == "directory", "\(created)")
                #expect(created["renditions"] as? [String] == ["source"], "\(created)")
                let key = try #require(created["stream_key"] as? String)

                // It changes while the show waits: the show takes the new document, same key.
                let changed = showDocument("alpha") + "renditions:\n  - name: main\n    copy: true\n"
                try Data(changed.utf8).write(to: alpha)
                // A modification time one second on, whatever the file system's resolution.
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(1)], ofItemAtPath: alpha.path)
                #expect(
                    LiveIngest.poll(20) { server.show("alpha")["renditions"] as? [String] == ["main"] },
                    "\(server.show("alpha"))\n\(server.job.printed)")
                #expect(server.show("alpha")["stream_key"] as? String == key, "the same stream key")

                // A broken file: no show, a warning naming the file and the problem by line.
                let beta = shows.appendingPathComponent("beta.yml")
                try Data("version: 1\nname: beta\noutput:\n  segmnt: 2s\n".utf8).write(to: beta)
                #expect(
                    LiveIngest.poll(20) { server.job.stderr.contains(beta.path) && server.job.stderr.contains("output.segmnt") },
                    "\(server.job.printed)")
                #expect(server.request("GET", "/v1/shows/beta").status == 404)
                // Corrected: created.
                try Data(showDocument("beta").utf8).write(to: beta)
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(2)], ofItemAtPath: beta.path)
                #expect(server.waitFor("beta", "waiting_for_publisher", 20), "\(server.show("beta"))\n\(server.job.printed)")

                // Anything but .yaml, .yml and .json is left alone.
                try Data(showDocument("gamma").utf8).write(to: shows.appendingPathComponent("gamma.txt"))
                Thread.sleep(forTimeInterval: 2.5)
                #expect(server.request("GET", "/v1/shows/gamma").status == 404)
                let listed = ShowServerProcess.object(server.request("GET", "/v1/shows").body)["shows"] as? [[String: Any]] ?? []
                #expect(Set(listed.compactMap { $0["id"] as? String }) == ["alpha", "beta"])
            }
        }
    }
}
