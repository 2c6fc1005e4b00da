import CuepointJSON
public import CuepointTime
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The recording's durable `markers.jsonl`: every accepted marker and every close, in order.
///
/// Each record is one line of JSON:
///
///     {"event":"add","received":"2025-03-14T18:00:04.210Z","marker":{"id":"p-1",…,"start":4.2,"duration":10}}
///     {"event":"close","id":"p-1","duration":12.5,"received":"2025-03-14T18:00:16.700Z"}
///
/// `marker` is in the JSON-lines input format (``MarkerDecoder``), with `start` the placed start
/// in seconds from media time 0 and `duration` in seconds when known. Every append is written with
/// one `write(2)` of the whole line and `fsync(2)`'d before it returns, so a marker is on disk
/// before it is acknowledged. After a crash, the last line may be torn: ``init(path:)`` ends it
/// with a line feed so later records stay whole, and ``read(path:)`` reports and skips it.
///
/// `MarkerLog` is `@unchecked Sendable`: its only mutable state, the file descriptor, is used
/// under `lock`.
public final class MarkerLog: @unchecked Sendable {
    /// The log file.
    public let path: String
    private var descriptor: Int32
    private let lock = NSLock()
    /// Called after each record is synced, still under the lock (so calls come in the order of
    /// the records): a published recording replicates the log then.
    private let afterAppend: (@Sendable () -> Void)?

    /// Opens the log for appending, creating it (and syncing its directory) when missing.
    ///
    /// - Parameter afterAppend: called after each record is on disk, one call at a time in the
    ///   order of the records (a ``ReplicatingStore`` uploads the log's new content then).
    /// - Throws: ``StorageError`` when the file cannot be opened, created or repaired.
    public init(path: String, afterAppend: (@Sendable () -> Void)? = nil) throws {
        self.path = path
        self.afterAppend = afterAppend
        let existed = FileManager.default.fileExists(atPath: path)
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StorageError(path: path, operation: "open", code: errno) }
        self.descriptor = descriptor
        do {
            if existed {
                try endTornLine()
            } else {
                try syncDirectory()
            }
        } catch {
            _ = systemClose(descriptor)
            self.descriptor = -1
            throw error
        }
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// Closes the file. Every append has already been synced, so nothing is lost if this is never
    /// called; the descriptor is then closed when the log is released.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if descriptor >= 0 { _ = systemClose(descriptor) }
        descriptor = -1
    }

    /// Appends an accepted marker and syncs it to disk.
    ///
    /// - Parameters:
    ///   - marker: The placed marker.
    ///   - received: When it was received (the wall clock of the caller).
    /// - Throws: ``StorageError`` when the line cannot be written or synced; the marker must
    ///   then not be acknowledged.
    public func append(_ marker: PlacedMarker, received: WallClockTime) throws {
        try write(MarkerLogRecord.add(marker, received: received))
    }

    /// Appends the close of an open marker and syncs it to disk.
    ///
    /// - Parameters:
    ///   - id: The marker's id.
    ///   - durationMilliseconds: How long it lasted, in milliseconds.
    ///   - received: When the close was received.
    public func appendClose(id: String, durationMilliseconds: Int64, received: WallClockTime) throws {
        try write(MarkerLogRecord.close(id: id, durationMilliseconds: durationMilliseconds, received: received))
    }

    /// Reads a log back: the markers in the order they were added, each with its latest close.
    ///
    /// A missing file is an empty log. Lines that cannot be used (malformed or torn JSON, an
    /// unknown event, a second add of an id, a close of an unknown id) are reported with their
    /// line number and skipped.
    public static func read(path: String) -> (markers: [PlacedMarker], problems: [MarkerProblem]) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], []) }
        guard let data = FileContents.read(atPath: path) else {
            return ([], [MarkerProblem(source: path, message: "cannot read the marker log")])
        }
        return MarkerLogRecord.fold(String(decoding: data, as: UTF8.self), source: path)
    }

    // MARK: - File

    private func write(_ line: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor >= 0 else { throw StorageError(path: path, operation: "write to a closed", code: EBADF) }
        try writeAll(Array((line + "\n").utf8))
        CrashPoint.markerAppend.reach()
        guard fsync(descriptor) == 0 else { throw StorageError(path: path, operation: "fsync", code: errno) }
        afterAppend?()
    }

    /// Writes `bytes` at the end of the file: one `write(2)`, repeated only for what a short
    /// write left (a full disk) or after an interrupt.
    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }

    /// Ends a last line left without its line feed by a crash, so the next record starts on a
    /// line of its own (the torn one stays, and ``read(path:)`` reports it).
    private func endTornLine() throws {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(descriptor, &last, 1, size - 1) == 1 else {
            throw StorageError(path: path, operation: "read", code: errno)
        }
        guard last != UInt8(ascii: "\n") else { return }
        try writeAll([UInt8(ascii: "\n")])
        guard fsync(descriptor) == 0 else { throw StorageError(path: path, operation: "fsync", code: errno) }
    }

    /// Syncs the directory that holds a newly created log, so the file itself survives a crash.
    private func syncDirectory() throws {
        let directory = (path as NSString).deletingLastPathComponent
        let handle = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard handle >= 0 else { throw StorageError(path: path, operation: "open the directory of", code: errno) }
        defer { _ = systemClose(handle) }
        guard fsync(handle) == 0 else {
            throw StorageError(path: path, operation: "fsync the directory of", code: errno)
        }
    }
}

// `close` and `write` are also methods of `MarkerLog`; these name the C functions.
private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// The records of the marker log: writing them, and folding a log back into markers.
enum MarkerLogRecord {
    /// `{"event":"add","received":…,"marker":{…}}`.
    static func add(_ placed: PlacedMarker, received: WallClockTime) -> String {
        JSONWriter.compact(
            .object([
                JSONMember(key: "event", value: .string("add")),
                JSONMember(key: "received", value: .string(received.iso8601)),
                JSONMember(key: "marker", value: placed.marker.jsonValue()),
            ]))
    }

    /// `{"event":"close","id":…,"duration":…,"received":…}`.
    static func close(id: String, durationMilliseconds: Int64, received: WallClockTime) -> String {
        JSONWriter.compact(
            .object([
                JSONMember(key: "event", value: .string("close")),
                JSONMember(key: "id", value: .string(id)),
                JSONMember(
                    key: "duration", value: .number(SecondsText.shortest(milliseconds: durationMilliseconds))),
                JSONMember(key: "received", value: .string(received.iso8601)),
            ]))
    }

    /// Reads log text: adds in order, closes folded into their markers.
    static func fold(_ text: String, source: String) -> (markers: [PlacedMarker], problems: [MarkerProblem]) {
        var markers: [PlacedMarker] = []
        var indexOfID: [String: Int] = [:]
        var problems: [MarkerProblem] = []
        for (offset, line) in MarkerFile.lines(of: text).enumerated() {
            let number = offset + 1
            func report(_ message: String, id: String? = nil) {
                problems.append(MarkerProblem(source: source, line: number, id: id, message: message))
            }
            guard !line.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
            let fields: [String: JSONValue]
            do throws(JSONSyntaxError) {
                guard case .object(let members) = try Marker.parseJSON(String(line)).kind else {
                    report("expected a JSON object")
                    continue
                }
                fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            } catch {
                report("malformed JSON at column \(error.column): \(error.message) (a line torn by a crash?)")
                continue
            }
            switch fields["event"]?.kind {
            case .string("add"):
                guard let value = fields["marker"] else {
                    report("an \"add\" record without \"marker\"")
                    continue
                }
                let options = MarkerDecoder.Options(allowGeneratedIDs: true, limitSize: false)
                switch MarkerDecoder.decode(value, options: options, source: source, line: number) {
                case .failure(let failure):
                    problems += failure.problems
                case .success(let marker):
                    guard case .offset(let start) = marker.start else {
                        report("the logged start is not a number of seconds", id: marker.id)
                        continue
                    }
                    var duration: Int64?
                    if case .duration(let milliseconds) = marker.end { duration = milliseconds }
                    if indexOfID[marker.id] != nil {
                        report("\(MarkerDecoder.quote(marker.id)) was already added", id: marker.id)
                        continue
                    }
                    indexOfID[marker.id] = markers.count
                    markers.append(
                        PlacedMarker(marker: marker, startMilliseconds: start, durationMilliseconds: duration))
                }
            case .string("close"):
                guard case .string(let id) = fields["id"]?.kind else {
                    report("a \"close\" record without an \"id\" string")
                    continue
                }
                guard case .number(let text) = fields["duration"]?.kind,
                    let duration = Marker.milliseconds(fromSeconds: text)
                else {
                    report("a \"close\" record without a \"duration\" of seconds ≥ 0", id: id)
                    continue
                }
                guard let index = indexOfID[id] else {
                    report("closes \(MarkerDecoder.quote(id)), which was not added before", id: id)
                    continue
                }
                markers[index] = markers[index].closed(durationMilliseconds: duration)
            default:
                report("expected \"event\" to be \"add\" or \"close\"")
            }
        }
        return (markers, problems)
    }
}
