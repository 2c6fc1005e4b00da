import Foundation
import NIOCore

/// Why the server could not listen, in the user's terms: the socket error of `bind` (which NIO
/// reports as `bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`) turned into
/// what happened to which address.
public enum ListenFailure: Equatable, Sendable {
    /// Another process listens on the port (`EADDRINUSE`).
    case portInUse
    /// The port needs privileges this process lacks (`EACCES`: ports below 1024).
    case permissionDenied
    /// The host is not an address of this machine (`EADDRNOTAVAIL`).
    case addressNotAvailable

    /// The failure `error` (as a server's run throws it) stands for; nil for any other error.
    public init?(_ error: any Error) {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case EADDRINUSE: self = .portInUse
        case EACCES: self = .permissionDenied
        case EADDRNOTAVAIL: self = .addressNotAvailable
        default: return nil
        }
    }

    /// One line: what is wrong with `host`:`port`, and the fix (`fix` names the option that
    /// chooses the address, e.g. `--serve HOST:PORT`).
    public func message(host: String, port: Int, fix: String) -> String {
        switch self {
        case .portInUse: "port \(port) on \(host) is in use; choose another with \(fix)"
        case .permissionDenied:
            "port \(port) on \(host) needs privileges this process does not have; choose one above 1023 with \(fix)"
        case .addressNotAvailable: "\(host) is not an address of this machine; choose another with \(fix)"
        }
    }
}
