import Foundation

/// A storage operation on the output that failed, with the path and the reason: the system's
/// (`errno`) for a local directory, the store's own words for an object store or HTTP origin.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path (or, for a remote store, the target URL and key) that could not be written,
    /// renamed, read or removed.
    public var path: String
    /// What was being done: "create directory", "write", "rename", "remove", "upload".
    public var operation: String
    /// The `errno` value; for a remote store the closest one (`EEXIST` for an object that
    /// already exists, `EACCES` for a refusal, `EIO` for anything else).
    public var code: Int32
    /// The store's own account of the failure (an object store's status and error code); nil
    /// for a local file, whose reason is the system's text for ``code``.
    public var detail: String?
    /// What to do, when the store knows better than the advice for ``code``.
    public var advice: String?

    public init(path: String, operation: String, code: Int32, detail: String? = nil, advice: String? = nil) {
        self.path = path
        self.operation = operation
        self.code = code
        self.detail = detail
        self.advice = advice
    }

    /// Why it failed: the store's words, or the system's text for `code`, e.g. "No space left on device".
    public var reason: String { detail ?? String(cString: strerror(code)) }

    /// The operation of a refused overwrite: a segment or init section exists and is never replaced.
    public static let replaceSegment = "replace the existing segment"

    /// Advice for the common causes.
    public var fix: String {
        if let advice { return advice }
        if operation == Self.replaceSegment {
            return "a published segment is never overwritten; another run may be writing here: give this job its own"
                + " output directory, or move the old recording away"
        }
        return switch code {
        case ENOSPC, EDQUOT: "free space on that file system or choose another output directory"
        case EACCES, EPERM, EROFS: "choose a writable output directory or fix its permissions"
        case ENOTDIR, EEXIST: "the output path runs through a file; choose a directory path"
        default: "check the output directory"
        }
    }

    public var description: String { "cannot \(operation) \(path): \(reason)" }
}
