import CuepointObjectStorage
import NIOConcurrencyHelpers
import NIOCore

/// Wraps a real client and records when each request started and ended, in one sequence, so a
/// test can check the replicator's ordering (every request still goes to the real store).
final class RecordingClient: ObjectStorageClient {
    /// A request's start or end: operation, key, and for a document PUT its body as text.
    enum Step: Equatable, Sendable {
        case started(String, String, String)
        case succeeded(String, String, String)
        case failed(String, String, String)
    }

    let inner: any ObjectStorageClient
    private let steps = NIOLockedValueBox<[Step]>([])

    init(_ inner: any ObjectStorageClient) {
        self.inner = inner
    }

    var targetDescription: String { inner.targetDescription }
    var maximumDeleteBatch: Int { inner.maximumDeleteBatch }
    var honoursIfNoneMatch: Bool { inner.honoursIfNoneMatch }
    var recorded: [Step] { steps.withLockedValue { $0 } }

    private func record<T>(
        _ operation: String, _ key: String, detail: String = "", _ body: () async throws(ObjectStorageError) -> T
    ) async throws(ObjectStorageError) -> T {
        steps.withLockedValue { $0.append(.started(operation, key, detail)) }
        do throws(ObjectStorageError) {
            let result = try await body()
            steps.withLockedValue { $0.append(.succeeded(operation, key, detail)) }
            return result
        } catch {
            steps.withLockedValue { $0.append(.failed(operation, key, detail)) }
            throw error
        }
    }

    func putObject(_ key: String, body: ByteBuffer, headers: ObjectHeaders, ifNoneMatch: Bool) async throws(ObjectStorageError) {
        try await record("PUT", key, detail: String(buffer: body)) { () async throws(ObjectStorageError) in
            try await inner.putObject(key, body: body, headers: headers, ifNoneMatch: ifNoneMatch)
        }
    }

    func putFile(_ key: String, path: String, headers: ObjectHeaders, ifNoneMatch: Bool) async throws(ObjectStorageError) {
        try await record("PUT", key) { () async throws(ObjectStorageError) in
            try await inner.putFile(key, path: path, headers: headers, ifNoneMatch: ifNoneMatch)
        }
    }

    func headObject(_ key: String) async throws(ObjectStorageError) -> ObjectMetadata? {
        try await record("HEAD", key) { () async throws(ObjectStorageError) in try await inner.headObject(key) }
    }

    func getObject(_ key: String) async throws(ObjectStorageError) -> ByteBuffer {
        try await record("GET", key) { () async throws(ObjectStorageError) in try await inner.getObject(key) }
    }

    func deleteObjects(_ keys: [String]) async throws(ObjectStorageError) -> [DeleteFailure] {
        try await record("DELETE", keys.joined(separator: ",")) { () async throws(ObjectStorageError) in
            try await inner.deleteObjects(keys)
        }
    }

    func checkAccess(prefix: String) async throws(ObjectStorageError) -> AccessReport {
        try await inner.checkAccess(prefix: prefix)
    }

    /// Checks the replicator's first rule on the recorded steps: when a document version's PUT
    /// started, every file enqueued before that version had been acknowledged. `order` lists what
    /// was enqueued: full keys, with a document's body text (`nil` for files).
    func orderingViolations(enqueued order: [(key: String, document: String?)]) -> [String] {
        var acknowledged = Set<String>()
        var violations: [String] = []
        for step in recorded {
            switch step {
            case .succeeded("PUT", let key, _):
                acknowledged.insert(key)
            case .started("PUT", let key, let text):
                guard let position = order.firstIndex(where: { $0.key == key && $0.document == text }) else { continue }
                for earlier in order[..<position] where earlier.document == nil && !acknowledged.contains(earlier.key) {
                    violations.append("\(key) (\(text)) was PUT before \(earlier.key) was acknowledged")
                }
            default:
                continue
            }
        }
        return violations
    }
}
