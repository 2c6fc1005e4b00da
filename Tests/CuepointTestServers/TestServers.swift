import CuepointTestSupport
public import CuepointObjectStorage
public import Foundation
import NIOCore

/// The real servers the object-storage tests talk to, each started once per test run on free
/// loopback ports by its script in `scripts/servers/` and stopped when the test process exits
/// (the scripts watch this process). A server that cannot start fails the test with its log.
///
/// On CI (`CI` set) a missing server program fails the tests; elsewhere they are skipped with
/// the reason shown (`.enabled(if:)`), and `scripts/setup.sh --test` installs them.
public enum ServerTools {
    public static let isCI = ProcessInfo.processInfo.environment["CI"] != nil
    public static let hasSeaweedFS = isCI || ProcessRunner.isInstalled("weed")
    public static let hasCephRGW = isCI || (ProcessRunner.isInstalled("radosgw") && ProcessRunner.isInstalled("ceph-mon"))
    public static let hasNginx = isCI || FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")
    public static let hasBotocore = isCI || (try? ProcessRunner.run(["python3", "-c", "import botocore"]).status) == 0
    public static let hasPython = isCI || ProcessRunner.isInstalled("python3")
}

/// Which S3 server.
public enum S3ServerKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case seaweedFS = "SeaweedFS"
    case cephRGW = "Ceph RGW"

    public var description: String { rawValue }
    public var script: String { self == .seaweedFS ? "scripts/servers/seaweedfs.sh" : "scripts/servers/ceph-rgw.sh" }
}

/// A running S3 server with a bucket and the test identity.
public struct S3Server: Sendable {
    public static let accessKey = "cuepointtest"
    public static let secretKey = "cuepoint-test-secret-key"

    public var kind: S3ServerKind
    public var port: Int
    public var bucket: String
    public var directory: URL

    public var endpoint: S3Endpoint {
        S3Endpoint(scheme: "http", host: "127.0.0.1", port: port, bucket: bucket, addressing: .path)
    }

    /// A client for this server (or for another port: a proxy in front of it).
    public func client(
        secret: String = S3Server.secretKey, accessKey: String = S3Server.accessKey, bucket: String? = nil,
        port: Int? = nil, clock: @escaping @Sendable () -> AmzDate = { .now() }
    ) -> S3Client {
        var endpoint = endpoint
        if let bucket { endpoint.bucket = bucket }
        if let port { endpoint.port = port }
        return S3Client(
            endpoint: endpoint, credentials: AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret),
            region: "us-east-1", targetDescription: "s3://\(endpoint.bucket) (\(kind))", requestTimeout: .seconds(20),
            clock: clock)
    }

    /// Starts a server of `kind` in a new directory on a free port.
    public static func start(_ kind: S3ServerKind, bucket: String = "shows") throws -> S3Server {
        let directory = try TemporaryDirectory.make(label: kind == .seaweedFS ? "weed" : "rgw")
        let server = S3Server(kind: kind, port: try freePort(), bucket: bucket, directory: directory)
        try server.startProcess()
        return server
    }

    /// Starts (or restarts, on the same directory and ports) the server process.
    public func startProcess() throws {
        let result = try ProcessRunner.run([
            "bash", Repository.url(kind.script).path, "start", directory.path, String(port), bucket,
            String(getpid()),
        ])
        guard result.status == 0, result.standardOutput.contains("ready") else {
            throw ServerStartError(server: kind.rawValue, log: result.standardError + result.standardOutput)
        }
    }

    /// Stops the server process (its data stays, for a restart).
    public func stop() throws {
        _ = try ProcessRunner.run(["bash", Repository.url(kind.script).path, "stop", directory.path])
    }
}

/// An nginx WebDAV origin.
public struct OriginServer: Sendable {
    public static let authorization = "Bearer cuepoint-origin-test"
    public var port: Int
    public var directory: URL
    public var root: URL { directory.appendingPathComponent("root") }
    public var origin: String { "http://127.0.0.1:\(port)" }

    public static func start() throws -> OriginServer {
        let directory = try TemporaryDirectory.make(label: "origin")
        let server = OriginServer(port: try freePort(), directory: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["ORIGIN_TEST_AUTHORIZATION"] = authorization
        let result = try ProcessRunner.run(
            ["bash", Repository.url("scripts/servers/nginx-dav.sh").path, "start", directory.path, String(server.port),
             String(getpid())], environment: environment)
        guard result.status == 0, result.standardOutput.contains("ready") else {
            throw ServerStartError(server: "nginx", log: result.standardError + result.standardOutput)
        }
        return server
    }
}

public struct ServerStartError: Error, CustomStringConvertible {
    public var server: String
    public var log: String
    public var description: String { "\(server) did not start:\n\(log)" }
}

/// The servers shared by every test of the run, started on first use.
public actor TestServers {
    public static let shared = TestServers()

    private var s3: [S3ServerKind: Task<S3Server, any Error>] = [:]
    private var origin: Task<OriginServer, any Error>?

    public func s3(_ kind: S3ServerKind) async throws -> S3Server {
        if let task = s3[kind] { return try await task.value }
        let task = Task { try await offThePool { try S3Server.start(kind) } }
        s3[kind] = task
        return try await task.value
    }

    public func nginx() async throws -> OriginServer {
        if let origin { return try await origin.value }
        let task = Task { try await offThePool { try OriginServer.start() } }
        origin = task
        return try await task.value
    }
}

/// A TCP port on 127.0.0.1 that is free now (`free_port` of `scripts/servers/lib.sh`: below the
/// ephemeral range, so no outgoing connection takes it before the server binds it).
public func freePort() throws -> Int {
    let result = try ProcessRunner.run(["bash", "-c", "source \(Repository.url("scripts/servers/lib.sh").path) && free_port"])
    guard result.status == 0, let port = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw ServerStartError(server: "python3 (free port)", log: result.standardError)
    }
    return port
}

/// A key no other test uses.
public func uniqueKey(_ label: String) -> String { "tests/\(label)-\(UUID().uuidString.prefix(8))" }

