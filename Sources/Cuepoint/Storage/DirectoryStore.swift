import CuepointFFmpeg
public import Foundation

/// A recording in a local directory: the embedded default ``Store`` and the durable spool that
/// replicas (object stores, HTTP origins) are fed from.
///
/// Every file appears under its final name only when complete: documents are written to
/// `<name>.tmp` and renamed over the old file (`rename(2)` is atomic), and a segment is written
/// to `<name>.tmp` while it is muxed and linked to its final name when it closes (`link(2)`
/// fails rather than replace a file), so a reader (a player, a CDN pull, a crashed run) never
/// sees a half-written file and a published segment is never overwritten.
///
/// Owned by the muxing thread of its pipeline; the replay reads through it too.
public final class DirectoryStore: Store {
    /// The directory all relative paths are resolved against.
    public let root: URL
    /// Whether to `fsync` files before renaming them (slower; survives power loss).
    public let durable: Bool

    public init(root: URL, durable: Bool = false) {
        self.root = root
        self.durable = durable
    }

    public var location: String { root.path }

    /// The absolute path of `path`.
    func absolute(_ path: String) -> String { root.appendingPathComponent(path).path }

    public func prepare(folders: [String] = []) throws(StorageError) {
        for path in [root.path] + folders.map(absolute) {
            try createDirectory(path)
        }
        let probe = absolute(".cuepoint-write-test")
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor < 0 { throw StorageError(path: root.path, operation: "write to", code: errno) }
        close(descriptor)
        unlink(probe)
    }

    public func replace(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        try write(bytes, to: path, replacing: true)
    }

    public func create(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        try write(bytes, to: path, replacing: false)
    }

    public func openNew(_ path: String) throws(StorageError) -> any StoreFile {
        try FileSink(store: self, relativePath: path, replacing: false)
    }

    public func list(_ folder: String) throws(StorageError) -> [StoreEntry] {
        let path = folder.isEmpty ? root.path : absolute(folder)
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw StorageError(path: path, operation: "list", code: errno)
        }
        defer { closedir(directory) }
        var entries: [StoreEntry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            // stat(2) through Foundation (the C struct's module is ambiguous once NIO is imported).
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name) else {
                continue  // removed meanwhile
            }
            let isFolder = attributes[.type] as? FileAttributeType == .typeDirectory
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            entries.append(StoreEntry(name: name, byteCount: isFolder ? nil : size))
        }
        return entries.sorted { $0.name < $1.name }
    }

    public func read(_ path: String) throws(StorageError) -> [UInt8]? {
        let absolute = absolute(path)
        guard FileManager.default.fileExists(atPath: absolute) else { return nil }
        guard let data = FileContents.read(atPath: absolute) else {
            throw StorageError(path: absolute, operation: "read", code: access(absolute, R_OK) != 0 ? errno : EIO)
        }
        return Array(data)
    }

    public func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: absolute(path))
    }

    public func remove(_ paths: [String]) throws(StorageError) {
        for path in paths {
            let absolute = absolute(path)
            if unlink(absolute) != 0 && errno != ENOENT { throw StorageError(path: absolute, operation: "remove", code: errno) }
        }
    }

    public func localPath(of path: String) -> String? { absolute(path) }

    private func write(_ bytes: [UInt8], to path: String, replacing: Bool) throws(StorageError) {
        let sink = try FileSink(store: self, relativePath: path, replacing: replacing)
        do {
            try bytes.withUnsafeBytes { buffer in try sink.write(buffer) }
        } catch {
            sink.discard()
            throw (error as? StorageError) ?? StorageError(path: sink.finalPath, operation: "write", code: EIO)
        }
        try sink.commit()
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
public final class FileSink: StoreFile {
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
        finalPath = store.absolute(relativePath)
        temporaryPath = RecordingLayout.temporary(finalPath)
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
        CrashPoint.documentCommit.reach()
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
            CrashPoint.segmentCommit.reach()
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
