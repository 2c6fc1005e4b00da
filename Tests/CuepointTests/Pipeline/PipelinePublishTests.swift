import CuepointTestSupport
import CuepointObjectStorage
import CuepointTime
import Testing

@testable import Cuepoint

/// `output.publish:` in a pipeline file: each target a URL or a mapping with its settings, and a
/// precise problem for each thing that cannot work (the line and column of the value, the key
/// path, what was expected and the fix).
@Suite(.ownThreads) struct PipelinePublishTests {
    typealias Support = PipelineTestSupport

    static func pipeline(_ publish: String) -> String {
        "version: 1\nname: show\ninput:\n  url: a.mp4\noutput:\n  directory: out\n  publish:\n" + publish
    }

    @Test func urlsAndMappingsAreRead() throws {
        let text = Self.pipeline(
            """
                - s3://shows/live/spring
                - url: s3://replicas/spring
                  endpoint: http://127.0.0.1:8333
                  region: eu-west-1
                  addressing: virtual-host
                  storage_class: STANDARD_IA
                  access_key_id_env: REPLICA_KEY
                  secret_access_key_env: REPLICA_SECRET
                  lag_warning: 20s
                  finish_timeout: 2m
                - url: https://origin.example.com/live/spring
                  authorization_env: ORIGIN_TOKEN

            """)
        #expect(Support.lines(text) == [])
        let spec = try #require(Support.decode(text))
        #expect(spec.output.publish.map(\.url) == ["s3://shows/live/spring", "s3://replicas/spring", "https://origin.example.com/live/spring"])
        let replica = spec.output.publish[1]
        #expect(replica.options.endpoint == "http://127.0.0.1:8333")
        #expect(replica.options.region == "eu-west-1")
        #expect(replica.options.addressing == .virtualHost)
        #expect(replica.options.storageClass == "STANDARD_IA")
        #expect(replica.credentialVariables == .init(accessKeyID: "REPLICA_KEY", secretAccessKey: "REPLICA_SECRET"))
        #expect(replica.lagWarning == .milliseconds(20_000))
        #expect(replica.finishTimeout == .milliseconds(120_000))
        #expect(spec.output.publish[0].finishTimeout == PublishSpec.defaultFinishTimeout)
        #expect(spec.output.publish[2].options.authorizationVariable == "ORIGIN_TOKEN")
    }

    @Test func badTargetsAreEachReported() {
        let text = Self.pipeline(
            """
                - s3:///spring
                - ftp://host/dir
                - url: s3://shows/a
                  addressing: sideways
                - url: s3://shows/b
                  secret_access_key_env: "my secret"
                - url: s3://shows/c
                  lag_warning: 0s
                - url: s3://shows/d
                  access_key_id_env: ONLY_KEY
                - s3://shows/live/spring
                - s3://shows/live/spring
                - url: s3://shows/e
                  bucket: shows

            """)
        let lines = Support.lines(text)
        #expect(
            lines.contains { $0.hasPrefix("p.yaml:8:7: output.publish[0]: \"s3:///spring\": no bucket in the target") },
            "\(lines)")
        #expect(lines.contains { $0.hasPrefix("p.yaml:9:7: output.publish[1]: \"ftp://host/dir\": unknown scheme `ftp`") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("p.yaml:11:19: output.publish[2].addressing:") && $0.contains("sideways") }, "\(lines)")
        #expect(
            lines.contains {
                $0.hasPrefix("p.yaml:13:30: output.publish[3].secret_access_key_env: expected the name of an environment variable")
                    && $0.contains("never write a key itself here")
            }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("p.yaml:15:20: output.publish[4].lag_warning:") }, "\(lines)")
        #expect(
            lines.contains {
                $0 == "p.yaml:17:7: output.publish[5].secret_access_key_env: an access key needs its secret: add `secret_access_key_env`"
            }, "\(lines)")
        #expect(
            lines.contains {
                $0 == "p.yaml:19:7: output.publish[7]: the target \"s3://shows/live/spring\" is already output.publish[6]; list each store once"
            }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("p.yaml:21:7: output.publish[8].bucket: unknown key") }, "\(lines)")
        #expect(lines.count == 8, "\(lines)")
    }

    @Test func notAListIsReported() {
        let lines = Support.lines(Self.pipeline("    url: s3://shows/x\n"))
        #expect(
            lines == ["p.yaml:8:5: output.publish: expected a list of targets such as `[s3://shows/spring-sale]`, got a mapping"],
            "\(lines)")
    }

    /// The keys come from the environment when the pipeline runs: a variable a `*_env` key names
    /// that is not set is an error naming the variable, the key and the fix.
    @Test func missingCredentialVariableIsNamedWhenTheTargetIsResolved() {
        let spec = PublishSpec(
            url: "s3://shows/x", credentialVariables: .init(accessKeyID: "SHOW_KEY", secretAccessKey: "SHOW_SECRET"))
        #expect(throws: CuepointError.self) { try spec.resolve(environment: ["SHOW_KEY": "k"]) }
        do {
            _ = try spec.resolve(environment: ["SHOW_KEY": "k"])
        } catch {
            #expect(error.description.contains("the environment variable SHOW_SECRET (secret_access_key_env) is not set"), "\(error)")
            #expect(error.description.contains("set SHOW_SECRET to the key"), "\(error)")
        }
        let resolved = try? spec.resolve(environment: ["SHOW_KEY": "k", "SHOW_SECRET": "s", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        guard case .s3(let s3)? = resolved else {
            Issue.record("not resolved to an S3 target: \(String(describing: resolved))")
            return
        }
        #expect(s3.credentials.accessKeyID == "k" && s3.credentials.secretAccessKey == "s")
        #expect(s3.endpoint.host == "127.0.0.1" && s3.endpoint.port == 9)
    }
}
