import CuepointFFmpeg
import Foundation

/// The output directory of a recording. Every file appears under its final name only when
/// complete: playlists and small files are written to a temporary name and renamed, and a
/// segment is written to `<name>.tmp` while it is being muxed and renamed when it closes,
/// so a reader (a player, a CDN pull, a crashed run) never sees a half-written file.
///
/// Owned by the muxing thread of its pipeline.
public final class DirectoryStore: Sendable {
    /// The directory all relative paths are resolved against.
    public let root: URL
    /// Whether to `fsync` files before renaming them (slower; survives power loss).
    public let durable: Bool

    public init(root: URL, durable: Bool = false) {
        self.root = root
        self.durable = durable
    }

    /// Creates the root (and a subdirectory) if needed and proves it is writable.
    public func prepare(subdirectories: [String] = []) throws(StorageError) {
        for path in [root.path] + subdirectories.map({ root.appendingPathComponent($0).path }) {
            try createDirectory(path)
        }
        let probe = root.appendingPathComponent(".cuepoint-write-test").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor < 0 { throw StorageError(path: root.path, operation: "write to", code: errno) }
        close(descriptor)
        unlink(probe)
    }

    /// Writes `bytes` to `relativePath` atomically (temporary file, then rename).
    public func writeAtomically(_ bytes: some Collection<UInt8>, to relativePath: String) throws(StorageError) {
        let sink = try FileSink(store: self, relativePath: relativePath)
        do {
            try Array(bytes).withUnsafeBytes { buffer in try sink.write(buffer) }
        } catch let error as StorageError {
            sink.discard()
            throw error
        } catch {
            sink.discard()
            throw StorageError(path: sink.finalPath, operation: "write", code: EIO)
        }
        try sink.commit()
    }

    /// Writes UTF-8 `text` atomically.
    public func writeAtomically(text: String, to relativePath: String) throws(StorageError) {
        try writeAtomically(Array(text.utf8), to: relativePath)
    }

    /// Opens a new file (a segment) that becomes visible under `relativePath` on `commit()`.
    ///
    /// A file that already exists there is never replaced: a segment, once published, keeps its
    /// bytes (a resumed recording must not overwrite one, whatever its numbering says).
    ///
    /// - Throws: ``StorageError`` with `EEXIST` naming the path when the file exists, at open or
    ///   (if it appeared meanwhile) at `commit()`.
    public func openFile(_ relativePath: String) throws(StorageError) -> FileSink {
        try FileSink(store: self, relativePath: relativePath, replacing: false)
    }

    /// Writes `bytes` to a new file at `relativePath` (an init section), like ``openFile(_:)``
    /// never replacing an existing one.
    public func writeNew(_ bytes: some Collection<UInt8>, to relativePath: String) throws(StorageError) {
        let sink = try FileSink(store: self, relativePath: relativePath, replacing: false)
        do {
            try Array(bytes).withUnsafeBytes { buffer in try sink.write(buffer) }
        } catch {
            sink.discard()
            throw (error as? StorageError) ?? StorageError(path: sink.finalPath, operation: "write", code: EIO)
        }
        try sink.commit()
    }

    /// Removes a file; a file already gone is not an error.
    public func remove(_ relativePath: String) throws(StorageError) {
        let path = root.appendingPathComponent(relativePath).path
        if unlink(path) != 0 && errno != ENOENT { throw StorageError(path: path, operation: "remove", code: errno) }
    }

    /// Whether a file exists at `relativePath`.
    public func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(relativePath).path)
    }

    /// Reads a whole file, nil when it does not exist.
    public func read(_ relativePath: String) -> Data? {
        FileManager.default.contents(atPath: root.appendingPathComponent(relativePath).path)
    }

    private func createDirectory(_ path: String) throws(StorageError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw StorageError(path: path, operation: "create directory", code: ENOTDIR)
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StorageError(path: path, operation: "create directory", code: errno)
        }
    }
}

/// A file being written under a temporary name; `commit()` renames it to its final name.
public final class FileSink: ByteSink {
    /// The name the file gets on commit.
    public let finalPath: String
    /// The name while it is written.
    public let temporaryPath: String
    /// Bytes written so far.
    public private(set) var byteCount: Int64 = 0
    private var descriptor: Int32
    private let durable: Bool
    /// Whether `commit()` may replace a file already at `finalPath` (playlists) or must refuse (segments).
    private let replacing: Bool

    init(store: DirectoryStore, relativePath: String, replacing: Bool = true) throws(StorageError) {
        finalPath = store.root.appendingPathComponent(relativePath).path
        temporaryPath = finalPath + ".tmp"
        durable = store.durable
        self.replacing = replacing
        if !replacing && FileManager.default.fileExists(atPath: finalPath) {
            throw StorageError(path: finalPath, operation: StorageError.replaceSegment, code: EEXIST)
        }
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw StorageError(path: temporaryPath, operation: "create", code: errno) }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw StorageError(path: finalPath, operation: "write", code: EBADF) }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError(path: finalPath, operation: "write", code: errno)
            }
            offset += written
        }
        byteCount += Int64(bytes.count)
    }

    /// Closes the file and gives it its final name.
    public func commit() throws(StorageError) {
        guard descriptor >= 0 else { return }
        if durable && fsync(descriptor) != 0 {
            let code = errno
            discard()
            throw StorageError(path: finalPath, operation: "sync", code: code)
        }
        let closed = close(descriptor)
        descriptor = -1
        if closed != 0 {
            let code = errno
            unlink(temporaryPath)
            throw StorageError(path: finalPath, operation: "write", code: code)
        }
        if !replacing {
            try linkWithoutReplacing()
            return
        }
        if rename(temporaryPath, finalPath) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw StorageError(path: finalPath, operation: "rename", code: code)
        }
    }

    /// Gives the temporary file its final name only if no file has it: `link(2)` fails with
    /// `EEXIST` rather than replacing, and is atomic like `rename(2)`. File systems without hard
    /// links fall back to a check and a rename.
    private func linkWithoutReplacing() throws(StorageError) {
        if link(temporaryPath, finalPath) == 0 {
            unlink(temporaryPath)
            return
        }
        let code = errno
        if code == EEXIST {
            unlink(temporaryPath)
            throw StorageError(path: finalPath, operation: StorageError.replaceSegment, code: EEXIST)
        }
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV,
            !FileManager.default.fileExists(atPath: finalPath), rename(temporaryPath, finalPath) == 0
        else {
            unlink(temporaryPath)
            throw StorageError(path: finalPath, operation: "rename", code: code)
        }
    }

    /// Closes and deletes the temporary file.
    public func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }
}
