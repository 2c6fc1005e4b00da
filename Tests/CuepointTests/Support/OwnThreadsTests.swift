import CuepointTestSupport
import Foundation
import Testing

/// The suite's own threads (`.ownThreads`, Tests/CuepointTestSupport/OffThePool.swift): a test
/// that blocks must never hold one of the cooperative pool's threads, and every suite of the
/// package must say so, or a new suite brings back minutes of waiting for the tests beside it.
@Suite(.ownThreads) struct OwnThreadsTests {
    /// The name of the calling thread (the pool's threads are named after Dispatch's global
    /// queues, `com.apple.root.default-qos` cut to 15 bytes).
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable"
        return comm.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a synchronous test body runs on a thread of its own, not on the cooperative pool")
    func synchronousBodiesAreOffThePool() {
        let name = Self.threadName()
        #expect(name == ThreadPerJobExecutor.threadName, "running on \(name)")
    }

    @Test("an asynchronous test body, after a suspension, is still off the pool")
    func asynchronousBodiesStayOffThePool() async throws {
        try await Task.sleep(for: .milliseconds(10))
        let name = Self.threadName()
        #expect(name == ThreadPerJobExecutor.threadName, "running on \(name)")
    }

    @Test("a failed expectation inside offThePool is recorded against the test that made it")
    func failuresInsideOffThePoolAreTheTests() async throws {
        let name = try await offThePool { Self.threadName() }
        #expect(name == ThreadPerJobExecutor.threadName, "offThePool ran on \(name)")
        await withKnownIssue("an expectation that fails on purpose, on a thread of its own") {
            try await offThePool { #expect(Bool(false), "fails on purpose") }
        }
    }

    @Test("every @Suite of the package carries .ownThreads")
    func everySuiteRunsOnItsOwnThreads() throws {
        let tests = Repository.url("Tests")
        let files = try #require(FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        var suites = 0
        for file in files where !file.path.contains("/CuepointTestSupport/") {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("@Suite") {
                suites += 1
                // The attribute may span lines: read it up to the declaration it belongs to.
                let attribute = lines[number...].prefix { !$0.contains("struct ") && !$0.contains("enum ") && !$0.contains("class ") && !$0.contains("extension ") }
                let text = (attribute + [lines[min(number + attribute.count, lines.count - 1)]]).joined(separator: "\n")
                #expect(text.contains(".ownThreads"), "\(file.lastPathComponent):\(number + 1) has a @Suite without .ownThreads")
            }
        }
        #expect(suites > 100, "the suites were found: \(suites)")
    }
}
