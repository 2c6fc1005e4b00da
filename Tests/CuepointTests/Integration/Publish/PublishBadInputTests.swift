import CuepointTestSupport
import CuepointObjectStorage
import CuepointTestServers
import Foundation
import Testing

@testable import Cuepoint

extension Integration {
    /// Publish targets that cannot work are refused before the show, with the target and the
    /// fix, and nothing is written locally either; a clock the store finds skewed is corrected
    /// and reported.
    @Suite("Publishing: bad targets", .serialized, .ownThreads)
    struct PublishBadInputTests {
        @Test(
            "wrong secret, unknown bucket, no bucket in the URL, a store that does not answer: one error line, nothing written",
            .enabled(if: ServerTools.hasSeaweedFS, "needs SeaweedFS (scripts/setup.sh --test)"), .timeLimit(.minutes(2)))
        func refusedBeforeTheShow() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-bad") { folder in
                let show = StoreShow(server: server, label: "bad")
                let input = Repository.sampleMedia("sample.mp4").path
                let cases: [(label: String, target: String, environment: [String: String], status: Int32, message: String)] = [
                    (
                        "wrong secret", show.target, show.environment(secret: "not-the-secret"), 1,
                        "cuepoint: \(show.target): the store refused the access check before the show (403 SignatureDoesNotMatch: "
                    ),
                    (
                        "unknown bucket", "s3://no-such-bucket/\(show.prefix)", show.environment(), 1,
                        "cuepoint: s3://no-such-bucket/\(show.prefix): the store refused the access check before the show (404 NoSuchBucket"
                    ),
                    ("no bucket", "s3:///show", show.environment(), 2, "cuepoint: --publish s3:///show: no bucket in the target; write s3://BUCKET/PREFIX"),
                    (
                        "store not answering", show.target, show.environment(endpointPort: 9), 1,
                        "cuepoint: \(show.target): the store refused the access check before the show ("
                    ),
                    (
                        "no keys", show.target, ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"], 2,
                        "cuepoint: --publish \(show.target): no credentials for the target"
                    ),
                ]
                for item in cases {
                    let output = folder.appendingPathComponent(item.label.replacingOccurrences(of: " ", with: "-"))
                    let result = try await offThePool {
                        try CuepointCLI.run(["segment", input, "-o", output.path, "--publish", item.target], environment: item.environment)
                    }
                    #expect(result.status == item.status, "\(item.label): \(result)")
                    #expect(result.errorLines.count == 1, "\(item.label): one line\n\(result)")
                    #expect(result.errorLines.first?.hasPrefix(item.message) == true, "\(item.label): \(result)")
                    #expect(!FileManager.default.fileExists(atPath: output.path), "\(item.label): nothing written locally")
                }
                let signature = try await offThePool {
                    try CuepointCLI.run(
                        ["segment", input, "-o", folder.appendingPathComponent("x").path, "--publish", show.target],
                        environment: show.environment(secret: "not-the-secret"))
                }
                #expect(signature.stderr.contains("check AWS_SECRET_ACCESS_KEY"), "the fix names the variable\n\(signature)")
                let bucket = try await offThePool {
                    try CuepointCLI.run(
                        ["segment", input, "-o", folder.appendingPathComponent("y").path, "--publish", "s3://no-such-bucket/x"],
                        environment: show.environment())
                }
                #expect(bucket.stderr.contains("create the bucket, or correct the bucket name"), "\(bucket)")
                let down = try await offThePool {
                    try CuepointCLI.run(
                        ["segment", input, "-o", folder.appendingPathComponent("z").path, "--publish", show.target],
                        environment: show.environment(endpointPort: 9))
                }
                #expect(
                    down.stderr.contains("check that the store at \(show.target) is running and that its endpoint")
                        && down.stderr.contains("then start the show again") && !down.stderr.contains("retried"), "\(down)")
            }
        }

        @Test(
            "a machine clock 20 minutes fast: the store's RequestTimeTooSkewed is corrected, a warning says so, the recording is published",
            .enabled(
                if: ServerTools.hasSeaweedFS && (ServerTools.isCI || PublishTools.faketime != nil),
                "needs SeaweedFS and faketime (scripts/setup.sh --test)"),
            .timeLimit(.minutes(2)))
        func skewedClock() async throws {
            let server = try await TestServers.shared.s3(.seaweedFS)
            try await TemporaryDirectory.with(label: "publish-skew") { folder in
                let show = StoreShow(server: server, label: "skew")
                let output = folder.appendingPathComponent("out")
                let cuepoint = try CuepointCLI.executable().path
                var environment = show.environment()
                // The wall clock only: timers and timeouts keep the real monotonic clock.
                environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
                let faketime = try #require(PublishTools.faketime)
                let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                let result = try await offThePool {
                    try ExternalProgram.run(
                        "/usr/bin/env",
                        assignments + [
                            faketime, "-f", "+20m", cuepoint, "segment", Repository.sampleMedia("sample.mp4").path, "-o",
                            output.path, "--publish", show.target,
                        ])
                }
                #expect(result.status == 0, "\(result.stderrText)")
                #expect(
                    result.stderrText.contains("\(show.target): this machine's clock is 1200 s ahead of the store's; signing with the store's time")
                        || result.stderrText.contains("\(show.target): this machine's clock is 1199 s ahead")
                        || result.stderrText.contains("\(show.target): this machine's clock is 1201 s ahead"),
                    "\(result.stderrText)")
                #expect(String(decoding: result.stdout, as: UTF8.self).contains("(complete)"))
                try await offThePool { try expectStoreHoldsRecording(output, on: show) }
            }
        }
    }
}
