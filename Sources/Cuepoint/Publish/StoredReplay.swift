import CuepointObjectStorage
import Foundation

/// A replay made from, or to, a store: `cuepoint replay s3://shows/spring -o s3://shows/spring-replay`,
/// and a pipeline's `replay:` section when its recording is published.
///
/// ```
/// source on a store ──download (RecordingTransfer)──► temporary local spool ─┐
/// local recording ───────────────────────────────────────────────────────────┤
///                                                   ReplayExporter (libavformat reads local files)
///                                                                             │
/// destination on a store ◄──upload, replay.json last──── temporary package ◄─┤
/// local destination ◄─────────────────────────────────────────────────────────┘
/// ```
///
/// Either side may be local; the temporary folders are removed whatever happens. The
/// destination is checked (access, and: new, or an earlier replay with `force`) before anything
/// is downloaded or exported.
public enum StoredReplay {
    /// Whether `text` names a store (`s3://`, `http://`, `https://`) rather than a local path.
    public static func isStore(_ text: String) -> Bool {
        guard let scheme = text.range(of: "://").map({ text[..<$0.lowerBound].lowercased() }) else { return false }
        return ["s3", "http", "https"].contains(scheme)
    }

    /// A store named by `url`, for a replay's source or destination. When `publish` has an
    /// entry on the same store (the same scheme and bucket, or origin), its settings and keys
    /// apply (a pipeline that publishes to `s3://shows/spring` writes its replay to
    /// `s3://shows/spring-replay` with the same endpoint and keys); otherwise the environment's.
    ///
    /// - Throws: ``CuepointError`` naming the target and the fix.
    public static func store(
        _ url: String, publish: [PublishSpec] = [], environment: [String: String]
    ) throws(CuepointError) -> RemoteStore {
        let sibling = publish.first { sameStore($0.url, url) }
        var spec = sibling ?? PublishSpec(url: url)
        spec.url = url
        if let sibling {
            // The sibling's URL query options (`?endpoint=…`) belong to its URL, not to this one.
            spec.options = merged(sibling.options, query: sibling.url)
        }
        return RemoteStore(target: try spec.resolve(environment: environment))
    }

    /// Exports a replay of the recording at `source` (a local directory or a store) into
    /// `destination` (a local directory or a store). Blocking; call it from a thread of your own.
    ///
    /// - Throws: ``CuepointError`` naming what failed and the fix.
    public static func export(
        source: String, destination: String, options: ReplayOptions, publish: [PublishSpec] = [],
        environment: [String: String]
    ) throws(CuepointError) -> ReplayResult {
        let sourceStore = isStore(source) ? try store(source, publish: publish, environment: environment) : nil
        let destinationStore =
            isStore(destination) ? try store(destination, publish: publish, environment: environment) : nil
        return try export(
            source: sourceStore.map(Location.store) ?? .directory(source),
            destination: destinationStore.map(Location.store) ?? .directory(destination), options: options)
    }

    /// A recording's or package's place.
    enum Location {
        case directory(String)
        case store(RemoteStore)
    }

    static func export(source: Location, destination: Location, options: ReplayOptions) throws(CuepointError)
        -> ReplayResult
    {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cuepoint-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        if case .store(let remote) = destination {
            try checkAccess(remote)
            try RecordingTransfer.checkPackageDestination(remote, force: options.force)
        }
        let recording: String
        switch source {
        case .directory(let path):
            recording = path
        case .store(let remote):
            let spool = scratch.appendingPathComponent(remote.prefix.split(separator: "/").last.map(String.init) ?? "recording")
            try RecordingTransfer.download(remote, into: spool)
            recording = spool.path
        }
        switch destination {
        case .directory(let path):
            return try ReplayExporter.export(recordingDirectory: recording, outputDirectory: path, options: options)
        case .store(let remote):
            let package = scratch.appendingPathComponent("package")
            var localOptions = options
            localOptions.force = false
            var result = try ReplayExporter.export(
                recordingDirectory: recording, outputDirectory: package.path, options: localOptions)
            let replacing = options.force && remote.exists(ReplayStaging.manifestName)
            try RecordingTransfer.uploadPackage(from: package, to: remote, replacing: replacing)
            result.directory = remote.location
            return result
        }
    }

    /// Proves the destination takes writes before anything is exported.
    private static func checkAccess(_ remote: RemoteStore) throws(CuepointError) {
        let (client, prefix) = (remote.client, remote.prefix)
        if case .failure(let error) = BlockingCall.result({ () async throws(ObjectStorageError) in
            try await client.checkAccess(prefix: prefix)
        }) {
            throw CuepointError(
                subject: remote.location, message: "the store refused the access check (\(PublishEvents.summary(error)))",
                fix: error.fix)
        }
    }

    /// Whether two target URLs are on the same store: the same scheme and bucket (or host and port).
    static func sameStore(_ a: String, _ b: String) -> Bool {
        guard let x = URLComponents(string: a), let y = URLComponents(string: b) else { return false }
        return x.scheme?.lowercased() == y.scheme?.lowercased() && x.host == y.host && x.port == y.port
    }

    /// `options` with the options of `url`'s query added (what the URL itself said).
    private static func merged(_ options: PublishOptions, query url: String) -> PublishOptions {
        var merged = options
        for item in URLComponents(string: url)?.queryItems ?? [] {
            let value = item.value
            switch item.name {
            case "endpoint": merged.endpoint = merged.endpoint ?? value
            case "region": merged.region = merged.region ?? value
            case "storage-class": merged.storageClass = merged.storageClass ?? value
            case "authorization-env": merged.authorizationVariable = merged.authorizationVariable ?? value
            case "addressing": merged.addressing = merged.addressing ?? value.flatMap(S3Endpoint.Addressing.init(rawValue:))
            default: continue
            }
        }
        return merged
    }
}
