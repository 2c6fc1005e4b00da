import CuepointTestSupport
import CuepointObjectStorage
import Testing

@Suite(.ownThreads) struct PublishTargetTests {
    let keys = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"]

    func s3(_ text: String, _ options: PublishOptions = PublishOptions(), environment: [String: String]) throws
        -> PublishTarget.S3Target
    {
        guard case .s3(let target) = try PublishTarget.parse(text, options: options, environment: environment) else {
            Issue.record("not an S3 target")
            throw PublishTargetError(target: text, problem: .notAURL)
        }
        return target
    }

    func problem(_ text: String, _ options: PublishOptions = PublishOptions(), environment: [String: String])
        -> PublishTargetError?
    {
        do throws(PublishTargetError) {
            _ = try PublishTarget.parse(text, options: options, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func anS3TargetTakesEndpointRegionAndKeysFromTheEnvironment() throws {
        var environment = keys
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:8333"
        environment["AWS_REGION"] = "eu-central-1"
        environment["AWS_SESSION_TOKEN"] = "TOKEN"
        let target = try s3("s3://shows/spring/day-1/", environment: environment)
        #expect(target.endpoint == S3Endpoint(scheme: "http", host: "127.0.0.1", port: 8333, bucket: "shows", addressing: .path))
        #expect(target.prefix == "spring/day-1")
        #expect(target.region == "eu-central-1")
        #expect(target.credentials == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))
    }

    @Test func withoutAnEndpointItIsAWSVirtualHosted() throws {
        var environment = keys
        environment["AWS_DEFAULT_REGION"] = "eu-west-3"
        let target = try s3("s3://shows", environment: environment)
        #expect(target.endpoint == .aws(region: "eu-west-3", bucket: "shows"))
        #expect(target.endpoint.hostHeader == "shows.s3.eu-west-3.amazonaws.com")
        #expect(target.endpoint.url(key: "a b.ts", canonicalQuery: "") == "https://shows.s3.eu-west-3.amazonaws.com/a%20b.ts")
        #expect(target.prefix == "")
        #expect(try s3("s3://shows", environment: keys).region == "us-east-1")
    }

    @Test func optionsInTheURLAndFromThePipelineFile() throws {
        let fromURL = try s3(
            "s3://shows/live?endpoint=http://localhost:9000&region=auto&addressing=virtual-host&storage-class=STANDARD_IA",
            environment: keys)
        #expect(fromURL.endpoint.addressing == .virtualHost)
        #expect(fromURL.endpoint.hostHeader == "shows.localhost:9000")
        #expect(fromURL.region == "auto")
        #expect(fromURL.storageClass == "STANDARD_IA")
        #expect(fromURL.prefix == "live")
        let fromFile = try s3(
            "s3://shows/live",
            PublishOptions(
                endpoint: "https://s3.example.net", region: "r1", accessKeyID: "FILEKEY", secretAccessKey: "FILESECRET"),
            environment: [:])
        #expect(fromFile.endpoint.url(key: nil, canonicalQuery: "list-type=2") == "https://s3.example.net/shows?list-type=2")
        #expect(fromFile.credentials.accessKeyID == "FILEKEY")
        // The same value twice is fine.
        #expect(try s3("s3://shows/x?region=r1", PublishOptions(region: "r1"), environment: keys).region == "r1")
    }

    @Test func anHTTPOriginWithItsAuthorizationFromTheEnvironment() throws {
        let target = try PublishTarget.parse(
            "https://origin.example.net:8443/live/spring/?authorization-env=ORIGIN_TOKEN",
            environment: ["ORIGIN_TOKEN": "Bearer abc"])
        #expect(
            target
                == .httpOrigin(
                    .init(
                        url: "https://origin.example.net:8443/live/spring/?authorization-env=ORIGIN_TOKEN",
                        origin: "https://origin.example.net:8443", prefix: "live/spring", authorization: "Bearer abc")))
        guard case .httpOrigin(let plain) = try PublishTarget.parse("http://127.0.0.1:8080", environment: [:]) else {
            Issue.record("not an origin")
            return
        }
        #expect(plain.authorization == nil && plain.prefix == "" && plain.origin == "http://127.0.0.1:8080")
    }

    // MARK: - Bad input: each names the target and the fix

    @Test func aTargetWithoutABucket() throws {
        let error = try #require(problem("s3:///spring", environment: keys))
        #expect(error.problem == .noBucket)
        #expect(error.description == "s3:///spring: no bucket in the target — write s3://BUCKET/PREFIX, e.g. s3://shows/spring")
        #expect(problem("s3://", environment: keys)?.problem == .noBucket)
    }

    @Test func anUnknownScheme() {
        let error = problem("ftp://host/dir", environment: keys)
        #expect(error?.problem == .unknownScheme("ftp"))
        #expect(error?.description.contains("use s3://BUCKET/PREFIX") == true)
        #expect(problem("shows/spring", environment: keys)?.problem == .notAURL)
    }

    @Test func missingCredentialsNameTheVariables() {
        let error = problem("s3://shows/spring", environment: [:])
        #expect(error?.problem == .missingCredentials(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]))
        #expect(
            error?.description
                == "s3://shows/spring: no credentials for the target — set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                + " (or give the keys in the target's settings)")
        #expect(
            problem("s3://shows", environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": ""])?.problem
                == .missingCredentials(["AWS_SECRET_ACCESS_KEY"]))
    }

    @Test func aBadBucketEndpointOrOption() {
        #expect(problem("s3://Shows_1/x", environment: keys)?.problem == .invalidBucket("Shows_1"))
        #expect(
            problem("s3://shows", environment: keys.merging(["AWS_ENDPOINT_URL": "localhost:9000"]) { $1 })?.problem
                == .invalidEndpoint("localhost:9000", source: "AWS_ENDPOINT_URL"))
        #expect(problem("s3://shows?adressing=path", environment: keys)?.problem == .unknownOption("adressing", suggestion: "addressing"))
        #expect(problem("s3://shows?addressing=dns", environment: keys)?.problem == .invalidAddressing("dns"))
        #expect(problem("s3://shows?region=a", PublishOptions(region: "b"), environment: keys)?.problem == .conflictingOption("region"))
        #expect(problem("http://origin/x?region=a", environment: [:])?.problem == .optionNotApplicable("region"))
    }

    @Test func anOriginWhoseAuthorizationVariableIsUnset() {
        let error = problem("http://origin:8080/live?authorization-env=ORIGIN_TOKEN", environment: [:])
        #expect(error?.problem == .missingAuthorization(variable: "ORIGIN_TOKEN"))
        #expect(error?.fix.contains("set the environment variable ORIGIN_TOKEN") == true)
    }
}
