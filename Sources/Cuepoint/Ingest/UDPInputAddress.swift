/// A `udp://` input URL as Cuepoint's own UDP receiver (``DatagramSource``) reads it: where to
/// listen and the options it understands. Pure.
///
/// It binds as FFmpeg's `udp` protocol does for reading: the URL's port on every local address
/// (or on `localaddr=`), and a multicast group in the URL is joined. The options it takes are
/// the ones a live MPEG-TS input uses; an URL with any other option is left to FFmpeg (the
/// pipeline then reads through libavformat, as before).
struct UDPInputAddress: Equatable, Sendable {
    /// The address in the URL (dotted IPv4); for a multicast group, the group joined.
    var host: String
    var port: UInt16
    /// `localaddr=`: the local address to bind (unicast) or to join the group on (multicast).
    var localAddress: String?
    /// `buffer_size=`: the socket's receive buffer in bytes; nil for ``defaultBufferSize``.
    var bufferSize: Int?
    /// `timeout=`: microseconds without a datagram after which a read fails; nil for none.
    var timeoutMicroseconds: Int64?
    /// `reuse=` / `reuse_socket=`: SO_REUSEADDR.
    var reuse = false

    /// The receive buffer asked for when `buffer_size` is not given: 4 MB, about 10 s of a
    /// 3 Mbit/s stream while the pipeline's thread writes a segment or a playlist (the kernel
    /// keeps it, not the process, and caps it at `net.core.rmem_max`).
    static let defaultBufferSize = 4 * 1024 * 1024

    /// Options that change nothing for this receiver: FFmpeg's receive thread and its buffer
    /// (`fifo_size`, `overrun_nonfatal`) are replaced by the socket's own buffer, and datagrams
    /// of any size are taken whole (`pkt_size`).
    static let acceptedWithoutEffect: Set<String> = ["fifo_size", "overrun_nonfatal", "pkt_size"]

    /// Reads `url` with `options` (the pipeline's `input.options`, which win over the query).
    ///
    /// - Returns: nil with the reason when this receiver does not handle the URL (not `udp://`,
    ///   not IPv4, an option it does not know): FFmpeg reads it instead.
    static func parse(_ url: String, options: [String: String] = [:]) -> Result<UDPInputAddress, Unsupported> {
        guard url.lowercased().hasPrefix("udp://") else { return .failure(Unsupported("not a udp:// URL")) }
        var rest = url.dropFirst("udp://".count)
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            rest = rest[..<mark]
        }
        query.merge(options) { $1 }
        if rest.hasPrefix("@") { rest = rest.dropFirst() }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
            return .failure(Unsupported("no port"))
        }
        var host = String(rest[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        guard isIPv4(host) else { return .failure(Unsupported("the host \(host) is not an IPv4 address")) }
        var address = UDPInputAddress(host: host, port: port)
        for (name, value) in query {
            switch name {
            case _ where acceptedWithoutEffect.contains(name):
                continue
            case "localaddr":
                guard isIPv4(value) else { return .failure(Unsupported("localaddr \(value) is not an IPv4 address")) }
                address.localAddress = value
            case "buffer_size":
                guard let size = Int(value), size > 0 else { return .failure(Unsupported("buffer_size \(value)")) }
                address.bufferSize = size
            case "timeout":
                guard let timeout = Int64(value) else { return .failure(Unsupported("timeout \(value)")) }
                address.timeoutMicroseconds = timeout > 0 ? timeout : nil
            case "reuse", "reuse_socket":
                address.reuse = value != "0"
            case "rw_timeout":
                continue  // FFmpeg's udp reads ignore it too; `timeout` is the one that applies
            default:
                return .failure(Unsupported("the option \(name)"))
            }
        }
        return .success(address)
    }

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Whether ``host`` is an IPv4 multicast group (224.0.0.0/4).
    var isMulticast: Bool {
        guard let first = host.split(separator: ".").first.flatMap({ Int($0) }) else { return false }
        return (224...239).contains(first)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && UInt8(part) != nil }
    }

    /// Why an URL is left to FFmpeg.
    struct Unsupported: Error, Equatable, CustomStringConvertible {
        var reason: String
        init(_ reason: String) { self.reason = reason }
        var description: String { reason }
    }
}
