import CuepointTestSupport
import Foundation
import Testing

extension Integration {
    /// `--products FILE` on the command line: a bad file stops the job before it records
    /// anything, every problem printed by line and field.
    @Suite("Console: --products", .ownThreads) struct ConsoleCommandLine {
        @Test("a products file with bad fields is refused by line and field; nothing is recorded")
        func badProductsFile() async throws {
            try await TemporaryDirectory.with(label: "console-cli") { folder in
                let products = folder.appendingPathComponent("products.json")
                try """
                    [
                      {"id": "SKU-1", "tilte": "One", "url": "https://shop.example/1"},
                      {"id": "SKU-2", "title": "Two", "url": "https://shop.example/2", "price": -3}
                    ]
                    """.write(to: products, atomically: true, encoding: .utf8)
                let output = folder.appendingPathComponent("out")
                let result = try await offThePool {
                    try CuepointCLI.run(
                        [
                            "segment", SampleInput.mp4.path, "-o", output.path, "--serve", "127.0.0.1:0",
                            "--token-env", "CUEPOINT_TEST_CLI_TOKEN", "--products", products.path,
                        ], environment: ["CUEPOINT_TEST_CLI_TOKEN": "t0ken"])
                }
                #expect(result.status != 0)
                #expect(result.stderr.contains("--products: \(products.path) is not a list of products:"), "\(result.stderr)")
                #expect(result.stderr.contains("\(products.path):2: \"tilte\": unknown field; did you mean `title`?"))
                #expect(result.stderr.contains("\(products.path):2: \"title\": required field is missing"))
                #expect(result.stderr.contains("\(products.path):3: \"price\": expected a number ≥ 0"), "\(result.stderr)")
                #expect(!FileManager.default.fileExists(atPath: output.path), "nothing recorded")
                // Without the marker API there is no console to list the products.
                let alone = try await offThePool {
                    try CuepointCLI.run(["segment", SampleInput.mp4.path, "-o", output.path, "--products", products.path])
                }
                #expect(alone.status != 0 && alone.stderr.contains("--products: the console's products need the marker API"))
            }
        }
    }
}
