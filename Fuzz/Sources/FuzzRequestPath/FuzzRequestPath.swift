import Cuepoint
@testable import CuepointServer
import Foundation
import FuzzSupport
import Hummingbird
import HummingbirdCore

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzRequestPath)

/// The server's reading of a request, before any file or store is touched: the request target
/// as Hummingbird's `URI` parses it, the path guard, the LL-HLS routing of `R/index.m3u8` and
/// `R/part_N.m4s`, the blocking-reload query parameters (`_HLS_msn`, `_HLS_part`, `_HLS_skip`),
/// a `Range` header and an `Authorization` header.
///
/// The input is up to three lines: the request target (`/source/index.m3u8?_HLS_msn=4`), the
/// `Range` value, the `Authorization` value.
///
/// Properties: no crash, leak or hang; a path the guard lets through, decoded as the file
/// lookup decodes it, stays inside the served folder and names no private file; a range
/// resolves to bytes inside the representation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (targetBytes, rest) = FuzzInput.split(FuzzInput.bytes(data, size), at: UInt8(ascii: "\n"))
    let (rangeBytes, authorizationBytes) = FuzzInput.split(rest, at: UInt8(ascii: "\n"))
    let target = String(decoding: targetBytes, as: UTF8.self)

    let uri = URI(target)
    let path = uri.path
    if PathGuardMiddleware<ServerRequestContext>.isSafe(path), let decoded = path.removingPercentEncoding {
        let root = "/srv/recording"
        let resolved = URL(fileURLWithPath: root + "/" + decoded).standardizedFileURL.path
        // Bytes, not Characters: `/` followed by a combining mark is one Character.
        FuzzCheck.require(
            resolved.utf8.elementsEqual(root.utf8) || resolved.utf8.starts(with: (root + "/").utf8),
            "\(target) passes the guard and resolves to \(resolved)")
        FuzzCheck.require(
            !resolved.unicodeScalars.split(separator: "/").contains { String(String.UnicodeScalarView($0)).lowercased() == "markers.jsonl" },
            "\(target) passes the guard and names the marker log")
    }

    // LowLatencyMiddleware's routing and the blocking reload's directives.
    let components = path.split(separator: "/", omittingEmptySubsequences: true)
    if components.count == 2 {
        _ = RecordingLayout.playlistKind(named: String(components[1]))
        _ = RecordingLayout.partNumber(String(components[1]))
    }
    let query = uri.queryParameters.map { (String($0.key), String($0.value)) }
    if let directives = try? DeliveryDirectives(query: query) {
        FuzzCheck.require(
            (directives.sequence ?? 0) >= 0 && (directives.part ?? 0) >= 0 && (directives.part == nil || directives.sequence != nil),
            "\(target) gives directives \(directives)")
    }

    if let range = ByteRangeRequest(header: String(decoding: rangeBytes, as: UTF8.self)) {
        for length in [0, 1, 188, 1_000_000, Int.max] {
            if case .bytes(let bytes) = range.resolve(length: length) {
                FuzzCheck.require(
                    bytes.lowerBound >= 0 && bytes.upperBound < length, "\(range) of \(length) bytes selects \(bytes)")
            }
        }
    }

    let token = BearerToken("s3cret-token")
    _ = token?.admits(authorization: String(decoding: authorizationBytes, as: UTF8.self))
    return 0
}
