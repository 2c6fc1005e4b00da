import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// The console's catalogue outlives its process: a show's `console.products` is its first
    /// catalogue, a catalogue accepted by `PUT …/v1/products` is kept beside the recording and
    /// comes back after a SIGKILL and restart, a bad catalogue file is refused when the show is
    /// created, and `cuepoint run` refuses a console without the marker API.
    @Suite("The console's catalogue is kept", .ownThreads)
    struct ShowCatalogueTests {
        static let fileCatalogue = #"[{"id":"SKU-MUG","title":"Mug","price":9.5,"currency":"EUR","url":"https://shop.example/mug"}]"#
        static let putCatalogue = #"[{"id":"SKU-PAN","title":"Skillet","url":"https://shop.example/pan"},{"id":"SKU-LID","title":"Lid","url":"https://shop.example/lid"}]"#

        static func ids(_ body: String) -> [String] {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }

        @Test(
            "show server: console.products is the first catalogue; a PUT one survives SIGKILL and restart; a bad file is refused at create",
            .timeLimit(.minutes(3)))
        func keptAcrossARestart() async throws {
            try await offThePoolInFolder("shows-catalogue") { folder in
                let products = folder.appendingPathComponent("products.json")
                try Data(Self.fileCatalogue.utf8).write(to: products)
                let data = folder.appendingPathComponent("data")
                let first = try ShowServerProcess(data: data, folder: folder, rtmp: true, label: "first")
                let show = try first.create(showDocument("mugs", extra: "console:\n  products: \(products.path)"))
                let token = try #require(show["marker_token"] as? String)
                let listed = first.request("GET", "/shows/mugs/v1/products", token: token)
                #expect(listed.status == 200 && Self.ids(listed.body) == ["SKU-MUG"], "\(listed)")
                let put = first.request("PUT", "/shows/mugs/v1/products", token: token, body: Self.putCatalogue)
                #expect(put.status == 200, "\(put)")

                // A catalogue file with a bad card: the show is not created, the problem named by line.
                let bad = folder.appendingPathComponent("bad.json")
                try Data("[\n{\"id\":\"SKU-1\",\"title\":\"One\",\"url\":\"https://shop.example/1\",\"prise\":3}\n]".utf8).write(to: bad)
                let refused = first.request(
                    "POST", "/v1/shows", body: showDocument("bad", extra: "console:\n  products: \(bad.path)"),
                    contentType: "application/yaml")
                #expect(refused.status == 400, "\(refused)")
                #expect(refused.body.contains("console.products") && refused.body.contains("\(bad.path):2"), "\(refused)")
                #expect(first.request("GET", "/v1/shows/bad").status == 404, "no show was created")

                first.kill()
                let second = try ShowServerProcess(data: data, folder: folder, rtmp: true, label: "second")
                defer { _ = second.stop() }
                let restored = second.request("GET", "/shows/mugs/v1/products", token: token)
                #expect(restored.status == 200 && Self.ids(restored.body) == ["SKU-PAN", "SKU-LID"], "\(restored)\n\(second.job.printed)")
            }
        }

        @Test("cuepoint run: a console without the marker API is refused, naming what to add; a bad console.products is named by line")
        func runRefusesAConsoleWithoutTheAPI() async throws {
            try await offThePoolInFolder("run-console") { folder in
                let pipeline = folder.appendingPathComponent("show.yaml")
                try Data(
                    """
                    version: 1
                    name: show
                    input:
                      url: \(SampleInput.ts.path)
                    output:
                      directory: \(folder.appendingPathComponent("out").path)
                    console:
                      products: \(folder.appendingPathComponent("products.json").path)
                    """.utf8
                ).write(to: pipeline)
                try Data(Self.fileCatalogue.utf8).write(to: folder.appendingPathComponent("products.json"))
                let run = try CuepointCLI.run(["run", pipeline.path])
                #expect(run.status == 2, "\(run)")
                #expect(run.stderr.contains("console: the console is served with the marker API"), "\(run.stderr)")
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing was recorded")

                try Data("[{\"id\":\"SKU-1\"}]".utf8).write(to: folder.appendingPathComponent("products.json"))
                let bad = try CuepointCLI.run(
                    ["run", pipeline.path, "--serve", "127.0.0.1:0"], environment: [:])
                #expect(bad.status != 0, "\(bad)")
                #expect(bad.stderr.contains("console.products") && bad.stderr.contains("products.json:1"), "\(bad.stderr)")
            }
        }
    }
}
