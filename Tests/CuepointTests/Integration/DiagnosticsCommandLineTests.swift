import CuepointTestSupport
import Foundation
import Testing

extension Integration {
    /// Issue 16, defects 10 and 11, through the binary: error text stays short whatever the
    /// input's size, and a port in use is said plainly, before anything is created.
    @Suite("Command line: bounded errors and busy ports", .ownThreads)
    struct Diagnostics {
        @Test("`validate` on a pipeline file with a 50 MB name prints a short error")
        func hugeNameGivesAShortError() async throws {
            try await TemporaryDirectory.with(label: "cli-huge-name") { folder in
                let file = folder.appendingPathComponent("huge.yaml")
                let name = String(repeating: "A", count: 50 << 20)
                try Data("version: 1\nname: \(name)\ninput:\n  url: a.mp4\n".utf8).write(to: file)
                let result = try CuepointCLI.run(["validate", file.path])
                #expect(result.status == 2)
                #expect(result.stderr.utf8.count < 1_000, "stderr holds \(result.stderr.utf8.count) bytes")
                #expect(result.errorLines.count == 1, "\(result.stderr.prefix(500))")
                #expect(
                    result.stderr.contains(":2:7: name: expected lowercase letters"), "\(result.stderr.prefix(500))")
                #expect(result.stderr.contains("…\" (52428800 bytes)"), "\(result.stderr.prefix(500))")
                #expect(!result.stderr.contains("did you mean"), "no suggestion copies the value")
            }
        }

        @Test("a long path is echoed by its end")
        func longPathIsBounded() throws {
            let path = "/tmp/" + String(repeating: "nested-folder/", count: 250) + "missing.yaml"
            let result = try CuepointCLI.run(["validate", path])
            #expect(result.status == 2)
            #expect(result.stderr.utf8.count < 400, "\(result.stderr)")
            #expect(result.stderr.hasSuffix("nested-folder/missing.yaml (\(path.utf8.count) bytes): no such file\n"))
        }

        /// A listening socket on a free loopback port, held by this test.
        final class HeldPort {
            let descriptor: Int32
            let port: Int

            init() throws {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                self.descriptor = descriptor
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = 0
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let bound = withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0
                            && getsockname(descriptor, $0, &length) == 0
                    }
                }
                try #require(bound, "bind: \(String(cString: strerror(errno)))")
                port = Int(UInt16(bigEndian: address.sin_port))
            }

            deinit { close(descriptor) }
        }

        @Test("--serve on a port in use: one line naming the port and the fix, exit 1, no output directory")
        func busyPort() async throws {
            let held = try HeldPort()
            try await TemporaryDirectory.with(label: "cli-busy-port") { folder in
                let output = folder.appendingPathComponent("out")
                let result = try CuepointCLI.run([
                    "segment", "SampleMedia/sample.ts", "-o", output.path, "--serve", "127.0.0.1:\(held.port)",
                ])
                #expect(result.status == 1, "\(result)")
                #expect(
                    result.errorLines
                        == [
                            "cuepoint: port \(held.port) on 127.0.0.1 is in use; choose another with --serve HOST:PORT"
                        ],
                    "\(result)")
                #expect(!FileManager.default.fileExists(atPath: output.path), "nothing is created")
            }
        }
    }
}
