/// Something a ``Replicator`` reports while it works: for the log, warnings and `/metrics`.
/// Keys are the recording's relative paths.
public enum ReplicationEvent: Sendable, Equatable {
    /// An attempt failed with a transient error; the next starts after `delayMilliseconds`.
    case retrying(key: String, failedAttempts: Int, error: ObjectStorageError, delayMilliseconds: Int)
    /// An operation went through after `failedAttempts` failures.
    case recovered(key: String, failedAttempts: Int)
    /// A file's key already held an object with the file's bytes (same size and MD5): it was
    /// left as it is (a resumed show uploading a segment again, or a retried PUT whose first
    /// answer was lost).
    case alreadyPresent(key: String, size: Int)
    /// A file's key already held a different object (another size, or the same size and another
    /// MD5; the sizes tell which): it was NOT overwritten.
    /// Another machine may publish to the same prefix. The replicator then halts
    /// (``halted(_:)`` follows): the playlists after it list the key.
    case conflict(key: String, storedSize: Int, localSize: Int)
    /// The store refused to delete a key (the others of its batch were deleted).
    case deleteRefused(DeleteFailure)
    /// A file could not be read locally (it is gone): it was skipped.
    case skipped(key: String, error: ObjectStorageError)
    /// A final error (wrong keys, missing bucket, access denied): the replicator stopped
    /// uploading; its backlog is kept and reported by ``Replicator/finish(timeoutMilliseconds:)``.
    case halted(ObjectStorageError)
}

/// What ``Replicator/finish(timeoutMilliseconds:)`` found.
public struct ReplicationSummary: Sendable, Equatable, CustomStringConvertible {
    /// Files uploaded (or found already present).
    public var files = 0
    /// Document versions uploaded.
    public var documents = 0
    /// Keys deleted.
    public var deletedKeys = 0
    /// Waiting document versions dropped because a newer version replaced them.
    public var droppedDocumentVersions = 0
    /// Operations not done when the replicator stopped (empty when everything arrived).
    public var left: [ReplicationOperation] = []
    /// The final error that halted the replicator, if one did.
    public var haltedBy: ObjectStorageError?

    public init() {}

    /// Whether every operation reached the store.
    public var isComplete: Bool { left.isEmpty && haltedBy == nil }

    /// One line for the log: what was done and what is left.
    public var description: String {
        var text = "\(files) files, \(documents) documents, \(deletedKeys) deletes"
        if droppedDocumentVersions > 0 { text += " (\(droppedDocumentVersions) superseded document versions skipped)" }
        if !left.isEmpty {
            let keys = left.flatMap(\.keys)
            text += "; \(left.count) operations left: " + keys.prefix(5).joined(separator: ", ")
                + (keys.count > 5 ? ", …" : "")
        }
        if let haltedBy { text += "; halted: \(haltedBy)" }
        return text
    }
}
