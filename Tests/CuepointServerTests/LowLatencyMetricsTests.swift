import CuepointTestSupport
import Cuepoint
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CuepointServer

/// Issue 16, defect 7: some 400 answers to LL-HLS requests were not counted (directives that
/// could not be read were refused before the store counted anything). Every answer of the
/// LL-HLS middleware is counted now, where it is given.
@Suite(.ownThreads) struct LowLatencyMetricsTests {
    @Test("every refusal of an LL-HLS request is counted by status, unreadable directives too")
    func everyAnswerIsCounted() async throws {
        let directory = NSTemporaryDirectory() + "cuepoint-llhls-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let export = PrometheusExport()
        let runner = MetricsDocumentationTests.lowLatencyRunner(export: export)
        let server = DirectoryServer(
            directory: directory, host: "127.0.0.1", port: 0, metrics: runner.metrics,
            metricsRegistry: export.registry, partStore: try #require(runner.partStore))
        try await server.application().test(.live) { client in
            let refused = [
                "_HLS_msn=abc",  // not a number: refused before the store is asked
                "_HLS_part=1",  // a part without a segment
                "_HLS_skip=NO",  // neither YES nor v2
                "_HLS_msn=99",  // more than two segments ahead (the store's refusal)
            ]
            for query in refused {
                let response = try await client.execute(uri: "/source/index.m3u8?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
            }
            let plain = try await client.execute(uri: "/source/index.m3u8", method: .get)
            #expect(plain.status == .ok)
            let part = try await client.execute(uri: "/source/part_000009.m4s", method: .get)
            #expect(part.status == .notFound)

            let samples = Exposition(String(buffer: try await client.execute(uri: "/metrics", method: .get).body))
                .samples
            #expect(samples[#"cuepoint_llhls_blocking_requests_total{code="400"}"#] == 4)
            #expect(samples[#"cuepoint_llhls_blocking_requests_total{code="200"}"#] == 0, "no directives, not counted")
            #expect(samples[#"cuepoint_llhls_part_requests_total{code="404"}"#] == 1)
            #expect(samples[#"cuepoint_llhls_part_to_response_seconds_count"#] == 0)
        }
    }
}
