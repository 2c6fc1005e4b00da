import CuepointTestSupport
import Cuepoint
import CuepointTime
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CuepointServer

/// The metrics table of `docs/http-api.md` against what a real server exposes, both ways: every
/// family a scrape shows is documented with its type and labels, and every documented family is
/// in the scrape. A server with every part on (pipeline metrics, the marker API, LL-HLS) is
/// asked one request of each kind first, so that families made on first use exist.
@Suite(.ownThreads) struct MetricsDocumentationTests {
    struct Documented: Equatable, CustomStringConvertible {
        var type: String
        var labels: Set<String>
        var description: String { "\(type) \(labels.sorted())" }
    }

    /// The rows of the table under `## /metrics`: `| name | type | labels | meaning |`.
    static func documented() throws -> [String: Documented] {
        let text = try String(
            contentsOf: Repository.root.appendingPathComponent("docs/http-api.md"), encoding: .utf8)
        let section = try #require(text.range(of: "\n## `/metrics`\n"), "docs/http-api.md has a /metrics section")
        let end = text[section.upperBound...].range(of: "\n## ")?.lowerBound ?? text.endIndex
        var rows: [String: Documented] = [:]
        for line in text[section.upperBound..<end].split(separator: "\n") where line.hasPrefix("| `cuepoint_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            try #require(cells.count >= 5, "a row of four cells: \(line)")
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = cells[3].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
            rows[name] = Documented(type: cells[2], labels: Set(labels.filter { !$0.isEmpty }))
        }
        return rows
    }

    /// A pipeline with LL-HLS parts (for its `PartStore`), never run: the server's families exist
    /// from the start.
    static func lowLatencyRunner(export: PrometheusExport) -> PipelineRunner {
        var options = RunOptions()
        options.metricsFactory = export.factory
        var output = OutputSpec(container: .fmp4, segmentDuration: .milliseconds(2_000), liveWindow: 3)
        output.partDuration = .milliseconds(500)
        return PipelineRunner(
            spec: PipelineSpec(
                name: "metrics-doc", input: InputSpec(url: "pipe:0"), output: output, markers: MarkersSpec()),
            directory: URL(fileURLWithPath: NSTemporaryDirectory() + "cuepoint-metrics-doc-\(UUID().uuidString)"),
            options: options)
    }

    @Test("the families /metrics exposes are the ones docs/http-api.md lists, with their types and labels")
    func familiesMatchTheDocumentation() async throws {
        let documented = try Self.documented()
        try #require(documented.count >= 15, "the table was read: \(documented.keys.sorted())")
        let directory = NSTemporaryDirectory() + "cuepoint-metrics-doc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let export = PrometheusExport()
        let runner = Self.lowLatencyRunner(export: export)
        let partStore = try #require(runner.partStore)
        // Families made on first use: a rendition's segments.
        runner.metrics.recordSegments([("source", 2_000)], publishLatencyNanoseconds: 1_000_000)
        // A publish target's lag and a failed upload attempt.
        runner.metrics.publishLag(
            target: "s3://shows/metrics-doc", pendingOperations: 3, pendingBytes: 1_000, oldestPendingMilliseconds: 1_500)
        runner.metrics.publishAttemptFailed(target: "s3://shows/metrics-doc")
        let server = DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0,
            markerAPI: MarkerAPI(token: "t0ken", endpoint: RecordingEndpoint()), metrics: runner.metrics,
            metricsRegistry: export.registry, partStore: partStore)
        try await server.application().test(.live) { client in
            // A marker API response (a refusal is one).
            _ = try await client.execute(uri: "/v1/markers", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            let exposition = Exposition(String(buffer: response.body))
            #expect(exposition.problems.isEmpty, "\(exposition.problems)")
            let exposed = Dictionary(
                uniqueKeysWithValues: exposition.families.map {
                    ($0.key, Documented(type: $0.value, labels: exposition.labels[$0.key] ?? []))
                })
            for (name, family) in exposed.sorted(by: { $0.key < $1.key }) {
                #expect(
                    documented[name] == family,
                    "\(name) is exposed as \(family); docs/http-api.md says \(documented[name].map(\.description) ?? "nothing")"
                )
            }
            for name in documented.keys.sorted() where exposed[name] == nil {
                Issue.record("\(name) is documented in docs/http-api.md but /metrics does not expose it")
            }
        }
    }
}
