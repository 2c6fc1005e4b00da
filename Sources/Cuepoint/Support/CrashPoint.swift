import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Places in the write path where a crash leaves the most to repair, at which a test can have
/// the process kill itself with SIGKILL, exactly as `kill -9` from outside would, but at a
/// moment an outside kill only hits by luck.
///
/// Armed by the environment: `CUEPOINT_CRASH_POINT=NAME:N` kills the process the `N`th time
/// (from 1) it reaches the point `NAME`. Unset, ``reach()`` is one load of a constant and a
/// branch. The crash-loop test (`scripts/crash-loop.sh`) aims part of its kills with it; nothing
/// else sets it.
///
/// | name | the state a crash there leaves |
/// |---|---|
/// | `segment-commit` | a segment (or init section) linked to its final name, its `.tmp` name not yet removed |
/// | `document-commit` | a playlist or `recording.json` complete under its `.tmp` name, not yet renamed |
/// | `marker-append` | a marker's line written to `markers.jsonl`, not yet synced nor acknowledged |
/// | `replay-staging` | a replay complete in its staging folder, not yet renamed into place |
public enum CrashPoint: String, Sendable, CaseIterable {
    case segmentCommit = "segment-commit"
    case documentCommit = "document-commit"
    case markerAppend = "marker-append"
    case replayStaging = "replay-staging"

    /// The environment variable that arms a point.
    public static let environmentVariable = "CUEPOINT_CRASH_POINT"

    /// Kills the process when this point is armed and reached for the chosen time.
    public func reach() {
        guard let armed = Self.armed, armed.point == self else { return }
        let count = Self.counter.withLock { count -> Int in
            count += 1
            return count
        }
        if count == armed.hit { kill(getpid(), SIGKILL) }
    }

    /// The armed point and the hit that kills, read once from the environment.
    private static let armed: (point: CrashPoint, hit: Int)? = parse(
        ProcessInfo.processInfo.environment[environmentVariable])

    /// Times the armed point was reached.
    private static let counter = LockedCount()

    /// `NAME:N` (or `NAME`, the first time); nil for anything else.
    static func parse(_ value: String?) -> (point: CrashPoint, hit: Int)? {
        guard let value, !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1)
        guard let point = CrashPoint(rawValue: String(parts[0])) else { return nil }
        guard parts.count == 2 else { return (point, 1) }
        guard let hit = Int(parts[1]), hit >= 1 else { return nil }
        return (point, hit)
    }
}

/// A count behind a lock (used only while a crash point is armed).
private final class LockedCount: @unchecked Sendable {
    // Invariant: `value` is only touched with `lock` held.
    private let lock = NSLock()
    private var value = 0

    func withLock<T>(_ body: (inout Int) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
