public import CuepointTime
import Foundation

/// Where the wall clock comes from; tests pass a manual one.
public protocol WallClock: Sendable {
    func now() -> WallClockTime
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> WallClockTime {
        WallClockTime(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
