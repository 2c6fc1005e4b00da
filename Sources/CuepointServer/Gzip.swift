import CompressNIO
import Foundation
import NIOCore

/// gzip (RFC 1952), what playlists are compressed with for clients that send
/// `Accept-Encoding: gzip`: compress-nio's zlib compressor on NIO's `ByteBuffer`, and the
/// reading of `Accept-Encoding`.
enum Gzip {
    /// `input` compressed into one gzip member.
    ///
    /// - Throws: `CompressNIOError` when zlib refuses (it does not for valid arguments).
    static func compress(_ input: ByteBuffer) throws -> ByteBuffer {
        var input = input
        return try input.compress(with: .gzip())
    }

    /// Whether an `Accept-Encoding` header (all its values) accepts gzip: `gzip` or `x-gzip`
    /// with a non-zero weight, or else `*` with a non-zero weight (RFC 9110 §12.5.3).
    static func isAccepted(byAcceptEncoding values: [String]) -> Bool {
        var wildcard = false
        for item in values.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first else { continue }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if coding == "gzip" || coding == "x-gzip" { return weight > 0 }
            if coding == "*" { wildcard = weight > 0 }
        }
        return wildcard
    }
}
