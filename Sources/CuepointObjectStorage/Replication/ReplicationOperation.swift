/// One thing the pipeline asks a ``Replicator`` to copy to the store, in the order it happened.
/// Keys are the recording's relative paths (`source/seg_000004.m4s`); the target's prefix is
/// put in front of them.
public enum ReplicationOperation: Sendable, Equatable {
    /// An immutable file was committed locally (a segment, an init section): upload it from
    /// `path`, never replacing an object already at `key`. The backlog holds the path, not the
    /// bytes; `byteCount` is for the lag figures.
    case file(key: String, path: String, byteCount: Int)
    /// A document was replaced (a playlist, `master.m3u8`, `recording.json`, …): PUT these
    /// bytes at `key`. `isFinal` and `targetDurationMilliseconds` decide its Cache-Control
    /// (``CachePolicy``).
    case document(key: String, bytes: [UInt8], isFinal: Bool, targetDurationMilliseconds: Int?)
    /// Files were removed locally (segments that left the live window): delete them on the store.
    case removal(keys: [String])

    /// The keys this operation touches.
    public var keys: [String] {
        switch self {
        case .file(let key, _, _), .document(let key, _, _, _): [key]
        case .removal(let keys): keys
        }
    }

    /// Bytes to send: a file's size, a document's length, nothing for deletes.
    public var byteCount: Int {
        switch self {
        case .file(_, _, let count): count
        case .document(_, let bytes, _, _): bytes.count
        case .removal: 0
        }
    }

    /// Whether this is a file (which may start before earlier operations finish).
    var isFile: Bool {
        if case .file = self { return true }
        return false
    }
}
