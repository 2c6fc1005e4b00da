import Foundation

/// A file-system operation on the output that failed, with the path and the system's reason.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path that could not be written, renamed or removed.
    public var path: String
    /// What was being done: "create directory", "write", "rename", "remove".
    public var operation: String
    /// The `errno` value.
    public var code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// The system's text for `code`, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

    /// The operation of a refused overwrite: a segment or init section exists and is never replaced.
    public static let replaceSegment = "replace the existing segment"

    /// Advice for the common causes.
    public var fix: String {
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
