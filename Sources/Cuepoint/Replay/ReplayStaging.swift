import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The output directory of a replay, built in a hidden staging folder beside it and moved into
/// place only when every file is written, so an interrupted export never leaves a half package
/// under the final name, and `--force` replaces an old replay only once the new one is whole.
struct ReplayStaging {
    /// The file that marks a directory as a replay package (and describes it).
    static let manifestName = "replay.json"

    let destination: URL
    let staging: URL
    private let force: Bool

    /// Checks the destination and creates the staging folder.
    ///
    /// - Throws: ``CuepointError`` when the destination holds a replay and `force` is false,
    ///   holds anything else, lies inside the recording, or cannot be created.
    init(destination path: String, recording: URL, force: Bool) throws(CuepointError) {
        destination = URL(fileURLWithPath: path).standardizedFileURL
        self.force = force
        try Self.check(destination: path, recording: recording, force: force)
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
            try? manager.removeItem(at: staging)
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw CuepointError(
                subject: staging.path, message: "cannot be created: \(error.localizedDescription)",
                fix: "check that \(parent.path) is writable")
        }
    }

    /// Whether a replay of `recording` may be written to `path`: not inside the recording, and
    /// either new, empty, or an earlier replay with `force`. A pipeline checks this before it
    /// records, so a job whose replay would be refused fails at once.
    ///
    /// - Throws: ``CuepointError`` naming the directory and the fix.
    static func check(destination path: String, recording: URL, force: Bool) throws(CuepointError) {
        let destination = URL(fileURLWithPath: path).standardizedFileURL
        let recordingPath = recording.standardizedFileURL.path
        if destination.path == recordingPath || destination.path.hasPrefix(recordingPath + "/") {
            throw CuepointError(
                subject: path, message: "the replay cannot be written inside the recording it is made from",
                fix: "choose an output directory outside \(recordingPath)")
        }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CuepointError(subject: path, message: "exists and is not a directory", fix: "choose another output path")
            }
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? []
            if !contents.isEmpty {
                if !contents.contains(Self.manifestName) {
                    throw CuepointError(
                        subject: path, message: "is not empty and holds no replay (\(contents.count) entries)",
                        fix: "choose a new or empty directory; --force replaces only an earlier replay")
                }
                if !force {
                    throw CuepointError(
                        subject: path, message: "already holds a replay",
                        fix: "pass --force (or `force: true` under `replay:`) to replace it, or choose another directory")
                }
            }
        }
    }

    /// A path inside the staging folder.
    func path(_ relative: String) -> String { staging.appendingPathComponent(relative).path }

    func createDirectory(_ relative: String) throws(CuepointError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path(relative), withIntermediateDirectories: true)
        } catch {
            throw CuepointError(subject: path(relative), message: "cannot be created: \(error.localizedDescription)")
        }
    }

    /// Puts `source` at `relative` without copying its bytes when possible: a hard link (the
    /// segment then exists once on disk), or a copy when the two folders are on different file
    /// systems.
    ///
    /// - Returns: whether the bytes had to be copied.
    @discardableResult
    func link(_ source: String, to relative: String) throws(CuepointError) -> Bool {
        let target = path(relative)
        if systemLink(source, target) == 0 { return false }
        let linkError = errno
        guard linkError == EXDEV || linkError == EPERM || linkError == EMLINK else {
            throw CuepointError(
                subject: target, message: "cannot link \(source): \(String(cString: strerror(linkError)))",
                fix: "check free space and permissions of the output directory")
        }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: target)
        } catch {
            throw CuepointError(
                subject: target, message: "cannot copy \(source): \(error.localizedDescription)",
                fix: "check free space and permissions of the output directory")
        }
        return true
    }

    /// Writes a text file.
    func write(_ text: String, to relative: String) throws(CuepointError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path(relative)))
        } catch {
            throw CuepointError(
                subject: path(relative), message: "cannot be written: \(error.localizedDescription)",
                fix: "check free space and permissions of the output directory")
        }
    }

    /// Moves the finished package to its destination, replacing an earlier replay (``init`` has
    /// made sure that is what is there).
    func commit() throws(CuepointError) {
        let manager = FileManager.default
        let old = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
        let hadOld = manager.fileExists(atPath: destination.path)
        if hadOld {
            guard rename(destination.path, old.path) == 0 else {
                throw CuepointError(
                    subject: destination.path, message: "cannot be replaced: \(String(cString: strerror(errno)))")
            }
        }
        CrashPoint.replayStaging.reach()
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if hadOld { _ = rename(old.path, destination.path) }
            throw CuepointError(subject: destination.path, message: "cannot be written: \(reason)")
        }
        if hadOld { try? manager.removeItem(at: old) }
    }

    /// Removes the staging folder after a failure; the destination is untouched.
    func discard() { try? FileManager.default.removeItem(at: staging) }
}

/// `link(2)`, under a name the method above does not shadow.
private func systemLink(_ source: String, _ target: String) -> Int32 { link(source, target) }
