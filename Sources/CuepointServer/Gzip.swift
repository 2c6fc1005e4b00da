import CCuepointZlib
import Foundation

/// gzip (RFC 1952) through zlib: what playlists are compressed with for clients that send
/// `Accept-Encoding: gzip`.
enum Gzip {
    /// A zlib call that failed: the function and zlib's status code (`Z_STREAM_ERROR`, …).
    struct Failure: Error, Equatable, CustomStringConvertible {
        var function: String
        var code: Int32
        var description: String { "\(function) failed (zlib status \(code))" }
    }

    /// Compresses `input` in one call into a gzip member.
    ///
    /// - Parameter level: zlib's level, 1 (fastest) to 9 (smallest); 6 is zlib's default.
    /// - Throws: `Failure` when zlib refuses (it does not for valid arguments).
    ///
    /// The corresponding zlib functions are `deflateInit2` (window bits 15 + 16: a gzip
    /// wrapper), `deflateBound`, `deflate` with `Z_FINISH`, and `deflateEnd`.
    static func compress(_ input: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initialised = cuepoint_deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        guard initialised == Z_OK else { throw Failure(function: "deflateInit2", code: initialised) }
        defer { deflateEnd(&stream) }
        // deflateBound covers the gzip header and trailer of a stream set up this way.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(function: "deflate", code: status) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
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
