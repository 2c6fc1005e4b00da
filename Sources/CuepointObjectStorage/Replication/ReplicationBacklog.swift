/// The ordered operations a ``Replicator`` has not finished yet, and the rules for which may
/// start. Pure: no I/O, time passed in (milliseconds on any monotonic clock).
///
/// Rules:
/// 1. **Files first.** A file (segment, init section) may start as soon as a slot is free. A
///    document or a removal starts only when everything before it is acknowledged, so a
///    playlist is never visible before the segments it lists, and a segment is deleted only
///    after the playlists that stopped listing it.
/// 2. **Latest document wins.** A document replaced while its previous version is still
///    waiting (not yet sent) drops that version; the new one takes its own, later place in
///    the order, so it never overtakes the segments it lists. A version already being sent
///    completes first (the new one waits behind it, by rule 1).
/// 3. **Deletes batch.** Consecutive removals merge into one batch of at most `deleteBatch`
///    keys while they wait.
///
/// A file is uploaded even when its removal follows while it waits: a document handed over
/// before the removal may list it, and a playlist on the store must never list an object that
/// is not there. (If the local file is gone by then, the replicator reports it as skipped.)
///
/// Cost: enqueueing, ``hasPendingFile(key:)`` and ``complete(_:)`` never scan the backlog: a
/// counted map of pending file keys and a map from document key to its waiting version answer
/// them, and entries are found by id with a binary search (ids increase along the array). Only
/// the removal of an entry from the middle of the array moves the ones after it (a memmove).
/// A store that is down for an hour therefore costs the pipeline's thread the same per segment
/// at the end of the hour as at its start.
///
/// Memory: files are held as paths (never bytes), at most one waiting version per document
/// key, and keys of removals. Removals merge only when nothing came between them, and a live
/// show alternates files and removals, so a store that is down costs about two entries per
/// segment and rendition: with 1 s segments, 7,200 entries an hour per rendition (a key and a
/// path each, a few hundred bytes: about 2 MB an hour; `anHourOfOneSecondSegmentsWhileTheStoreIsDown`).
/// The backlog is not capped: the local spool keeps every file until each target has it, so
/// nothing is dropped, and the lag warning and `/metrics` say how far behind the store is.
public struct ReplicationBacklog: Sendable {
    /// An operation with its place in the order.
    public struct Entry: Sendable, Equatable {
        /// The place in the order (increasing).
        public var id: Int
        public var operation: ReplicationOperation
        /// When it was enqueued, in milliseconds.
        public var enqueuedAt: Int64
        /// Whether it has been handed out by ``startable(limit:)`` and not completed.
        public var inFlight: Bool
    }

    /// Entries not yet completed, in order.
    public private(set) var entries: [Entry] = []
    /// How many waiting document versions were dropped for a newer one (rule 2).
    public private(set) var droppedDocumentVersions = 0
    /// The most keys in one removal batch.
    public let deleteBatch: Int
    private var nextID = 0
    /// How many file entries hold each key (a key may be uploaded twice: a resumed show).
    private var pendingFiles: [String: Int] = [:]
    /// The id of each document key's waiting version (not in flight), the one rule 2 replaces.
    private var waitingDocuments: [String: Int] = [:]
    private var inFlightCount = 0

    public init(deleteBatch: Int = 1000) {
        precondition(deleteBatch > 0)
        self.deleteBatch = deleteBatch
    }

    /// Adds an operation at the end, applying rules 2 and 3.
    public mutating func enqueue(_ operation: ReplicationOperation, now: Int64) {
        switch operation {
        case .document(let key, _, _, _):
            if let waiting = waitingDocuments[key], let index = index(of: waiting) {
                entries.remove(at: index)
                droppedDocumentVersions += 1
            }
            waitingDocuments[key] = nextID
        case .removal(var keys):
            if let last = entries.last, !last.inFlight, case .removal(let waiting) = last.operation,
                waiting.count < deleteBatch
            {
                let room = deleteBatch - waiting.count
                entries[entries.count - 1].operation = .removal(keys: waiting + keys.prefix(room))
                keys.removeFirst(min(room, keys.count))
            }
            while !keys.isEmpty {
                append(.removal(keys: Array(keys.prefix(deleteBatch))), now: now)
                keys.removeFirst(min(deleteBatch, keys.count))
            }
            return
        case .file(let key, _, _):
            pendingFiles[key, default: 0] += 1
        }
        append(operation, now: now)
    }

    /// Whether a file at `key` is still to be uploaded (waiting or in flight).
    public func hasPendingFile(key: String) -> Bool { pendingFiles[key] != nil }

    /// Marks as in flight, and returns, the entries that may start now (rule 1), so that at most
    /// `limit` are in flight.
    public mutating func startable(limit: Int) -> [Entry] {
        var started: [Entry] = []
        for index in entries.indices {
            guard inFlightCount < limit else { break }
            guard !entries[index].inFlight else { continue }
            // A file may overtake a waiting document; a document or removal waits for all before it.
            guard entries[index].operation.isFile || index == 0 else { continue }
            entries[index].inFlight = true
            inFlightCount += 1
            if case .document(let key, _, _, _) = entries[index].operation, waitingDocuments[key] == entries[index].id {
                waitingDocuments[key] = nil
            }
            started.append(entries[index])
        }
        return started
    }

    /// Removes a finished entry (acknowledged, or given up and reported).
    public mutating func complete(_ id: Int) {
        guard let index = index(of: id) else { return }
        let entry = entries.remove(at: index)
        if entry.inFlight { inFlightCount -= 1 }
        switch entry.operation {
        case .file(let key, _, _):
            pendingFiles[key, default: 1] -= 1
            if pendingFiles[key] == 0 { pendingFiles[key] = nil }
        case .document(let key, _, _, _):
            if waitingDocuments[key] == id { waitingDocuments[key] = nil }
        case .removal:
            break
        }
    }

    /// Entries handed out but not completed go back to waiting (a replicator that stopped).
    public mutating func returnInFlight() {
        for index in entries.indices {
            entries[index].inFlight = false
            // The latest waiting version of a document is the one a newer version replaces.
            if case .document(let key, _, _, _) = entries[index].operation { waitingDocuments[key] = entries[index].id }
        }
        inFlightCount = 0
    }

    /// The lag figures at `now`.
    public func lag(now: Int64) -> ReplicationLag {
        ReplicationLag(
            pendingOperations: entries.count, pendingBytes: entries.reduce(0) { $0 + $1.operation.byteCount },
            oldestPendingMilliseconds: entries.map(\.enqueuedAt).min().map { max(0, now - $0) } ?? 0)
    }

    /// The index of the entry with `id`, by binary search (ids increase along `entries`).
    private func index(of id: Int) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].id == id ? low : nil
    }

    private mutating func append(_ operation: ReplicationOperation, now: Int64) {
        entries.append(Entry(id: nextID, operation: operation, enqueuedAt: now, inFlight: false))
        nextID += 1
    }
}

/// How far a replica is behind the local recording: for `/metrics` and the lag warning.
public struct ReplicationLag: Sendable, Equatable {
    /// Operations not yet acknowledged (in flight included).
    public var pendingOperations: Int
    /// Bytes of those operations.
    public var pendingBytes: Int
    /// Age of the oldest of them, in milliseconds; 0 when none.
    public var oldestPendingMilliseconds: Int64

    public init(pendingOperations: Int, pendingBytes: Int, oldestPendingMilliseconds: Int64) {
        self.pendingOperations = pendingOperations
        self.pendingBytes = pendingBytes
        self.oldestPendingMilliseconds = oldestPendingMilliseconds
    }
}
