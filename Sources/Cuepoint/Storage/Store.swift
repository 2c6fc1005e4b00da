public import CuepointFFmpeg

/// Where a recording's files live: the one seam through which the engine writes and reads a
/// recording, whatever keeps it.
///
/// Paths are relative and `/`-separated (`source/seg_000001.ts`); ``RecordingLayout`` names
/// every one of them. Implementations keep three promises that players and resuming rely on:
///
/// - **Whole files only.** A reader sees a file complete or not at all: ``replace(_:with:)``
///   swaps a document (a playlist, `recording.json`) in one step, and a segment opened with
///   ``openNew(_:)`` appears only when it is committed.
/// - **Media is never replaced.** ``create(_:with:)`` and ``openNew(_:)`` refuse a path that
///   already holds a file (``StorageError/replaceSegment``), so two runs, or a resumed run
///   with a different idea of the numbering, can never overwrite a published segment.
/// - **Errors name the path** and carry the system's reason and a fix (``StorageError``).
///
/// The calls block: they run on a pipeline's own thread, never on Swift's cooperative pool.
/// ``DirectoryStore`` (a local directory) is the embedded default and the durable spool;
/// object stores and HTTP origins are replicas fed from it.
public protocol Store: Sendable {
    /// Where the store is, for messages: a directory's path or a URL.
    var location: String { get }

    /// Creates the store's folders and proves the store can be written, before anything is
    /// recorded (so a read-only or missing output fails before the show, not during it).
    func prepare(folders: [String]) throws(StorageError)

    /// Replaces the file at `path` with `bytes` in one step: a reader gets the old content or
    /// the new one, never a mix (playlists, `recording.json`).
    func replace(_ path: String, with bytes: [UInt8]) throws(StorageError)

    /// Writes a new file (an init section) that must not exist yet.
    ///
    /// - Throws: ``StorageError`` with `EEXIST` and ``StorageError/replaceSegment`` when a file
    ///   is already at `path`; it is left untouched.
    func create(_ path: String, with bytes: [UInt8]) throws(StorageError)

    /// Opens a new file (a segment being muxed) that appears at `path` only on
    /// ``StoreFile/commit()``; like ``create(_:with:)`` it never replaces a file.
    func openNew(_ path: String) throws(StorageError) -> any StoreFile

    /// The files and folders in `folder` (`""` for the top), sorted by name; empty when the
    /// folder does not exist.
    func list(_ folder: String) throws(StorageError) -> [StoreEntry]

    /// The content of the file at `path`; nil when there is none.
    func read(_ path: String) throws(StorageError) -> [UInt8]?

    /// Whether a file is at `path`.
    func exists(_ path: String) -> Bool

    /// Removes files; a file already gone is not an error.
    func remove(_ paths: [String]) throws(StorageError)

    /// A path on this machine's file system that libavformat can open for the file at `path`
    /// (the replay reads segments through `concat:`), or nil when the store is not local.
    func localPath(of path: String) -> String?
}

/// A file or folder a ``Store`` lists.
public struct StoreEntry: Sendable, Equatable {
    /// Its name in the folder listed.
    public var name: String
    /// Its size in bytes; nil for a folder.
    public var byteCount: Int64?

    public init(name: String, byteCount: Int64?) {
        self.name = name
        self.byteCount = byteCount
    }

    /// Whether it is a folder.
    public var isFolder: Bool { byteCount == nil }
}

/// A file being written into a ``Store`` that becomes visible only when committed.
public protocol StoreFile: ByteSink {
    /// Bytes written so far.
    var byteCount: Int64 { get }
    /// Gives the file its final name; after this it is published.
    func commit() throws(StorageError)
    /// Gives up the file: nothing appears at its path.
    func discard()
}

extension Store {
    /// Replaces the file at `path` with UTF-8 `text` (see ``replace(_:with:)``).
    public func replace(_ path: String, text: String) throws(StorageError) {
        try replace(path, with: Array(text.utf8))
    }
}
