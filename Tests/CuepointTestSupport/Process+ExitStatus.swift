public import Foundation

extension Process {
    /// The exit status, or nil while the program still runs. Foundation traps when
    /// `terminationStatus` is read before the end, so a test whose wait timed out (a loaded
    /// machine) would crash the whole test run instead of failing one expectation.
    public var exitStatus: Int32? { isRunning ? nil : terminationStatus }
}
