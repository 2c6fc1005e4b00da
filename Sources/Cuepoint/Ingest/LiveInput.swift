import CuepointFFmpeg
import CuepointTime
import Foundation

/// How a live network input is opened, waited for and re-opened: an RTMP server for one
/// publisher, an SRT listener or caller, a UDP MPEG-TS socket, or an RTMP/SRT source pulled from
/// a streaming server.
///
/// **Stream key.** FFmpeg's RTMP server (`listen=1`) accepts any application and stream name:
/// it only logs "App field don't match up: A <-> B" and "Unexpected stream KEY, expecting
/// EXPECTED" (verified with FFmpeg 5.1; see `rtmpproto.c`, `send_invoke_response`) and records
/// whatever it receives. So cuepoint gives FFmpeg the URL *without* the key
/// (`rtmp://host:port/live/`): FFmpeg then logs the stream name of every publisher, never the
/// expected key; the name is read from the log (``FFmpegLogObserver``) right after
/// `avformat_open_input` returns and compared in constant time with the key of `input.url`. A
/// publisher with another key is disconnected before any of its media is used, a warning names
/// the key it tried, and the listener opens again for the right one.
///
/// **One publisher.** FFmpeg's TCP listener accepts one connection and closes its listening
/// socket, so a second publisher is refused by the operating system (`ECONNREFUSED`) while one
/// is live, and is accepted once the first has gone and the listener is open again.
///
/// **Timeouts.** `input.timeout` becomes FFmpeg's `rw_timeout` (microseconds): a read that gets no
/// data for that long fails with `ETIMEDOUT`, for the RTMP handshake as for media, so a stalled
/// or silent connection counts as dropped. Waiting for a connection has no timeout of its own:
/// the wait is ended by ``InterruptPolicy`` (a stop, or the reconnect deadline).
struct LiveInput {
    let spec: InputSpec
    /// The URL handed to FFmpeg (for an RTMP server: without the stream key).
    let ffmpegURL: String
    /// The libavformat options: ours, then `input.options` (which win).
    let options: [String: String]
    /// The stream key a publisher must use (RTMP server only).
    private let expectedKey: [UInt8]?
    /// The URL as it may be printed: the stream key and any passphrase replaced by `***`.
    let displayURL: String
    /// Cuepoint's own RTMP server (`input.rtmp_server: cuepoint`): this pipeline's claim on the
    /// listening address, released when the last copy of this input is.
    private let cuepointServer: RTMPIngest.Lease?

    init(spec: InputSpec) {
        self.spec = spec
        var url = spec.url
        var options: [String: String] = [:]
        var expectedKey: [UInt8]?
        var cuepointServer: RTMPIngest.Lease?
        let scheme = spec.scheme
        if let timeout = spec.timeout ?? (LiveInput.isNetwork(scheme) ? InputSpec.defaultTimeout : nil),
            LiveInput.isNetwork(scheme)
        {
            options["rw_timeout"] = String(timeout.rescaled(to: .microseconds).ticks)
        }
        switch scheme {
        case "rtmp" where spec.listen:
            if let (base, key) = LiveInput.rtmpStreamKey(of: spec.url) {
                url = base
                expectedKey = Array(key.utf8)
                if spec.rtmpServer == .cuepoint {
                    cuepointServer = LiveInput.lease(base: base, key: key, timeout: spec.timeout ?? InputSpec.defaultTimeout)
                }
            }
            options["listen"] = "1"
        case "srt":
            if spec.listen, !url.contains("mode=") { options["mode"] = "listener" }
            if let passphrase = spec.passphrase { options["passphrase"] = passphrase }
        case "udp":
            // Overruns lose data, not the input. The receive buffer keeps FFmpeg's default
            // (`fifo_size` 28672 packets of 188 bytes: 5.4 MB, about 14 s at 3 Mbit/s); it is
            // allocated per stream, so hundreds of shows in one process must not multiply a big one.
            options["overrun_nonfatal"] = "1"
            // The udp protocol's reads wait on its receive thread and ignore `rw_timeout`; its own
            // `timeout` (microseconds) ends a read that gets no datagram.
            if let timeout = options["rw_timeout"] { options["timeout"] = timeout }
        default:
            break
        }
        options.merge(spec.options) { $1 }
        self.ffmpegURL = url
        self.options = options
        self.expectedKey = expectedKey
        self.displayURL = LiveInput.redacted(spec.url)
        self.cuepointServer = cuepointServer
    }

    /// Whether FFmpeg waits for the source to connect: an RTMP server, an SRT listener, UDP.
    var listens: Bool {
        switch spec.scheme {
        case "udp": true
        case "rtmp": spec.listen
        case "srt": spec.listen || spec.url.contains("mode=listener")
        default: false
        }
    }

    /// Whether the input is a network connection (read timeouts apply; a read error is a drop).
    var isNetwork: Bool { LiveInput.isNetwork(spec.scheme) }

    static func isNetwork(_ scheme: String?) -> Bool {
        ["rtmp", "rtmps", "srt", "udp", "rtp", "rtsp", "tcp"].contains(scheme ?? "")
    }

    /// Whether this input gets the live loop (waiting, refusing, reconnecting).
    static func applies(to spec: InputSpec) -> Bool {
        spec.isLive && (isNetwork(spec.scheme) || spec.reconnectWait != nil)
    }

    /// Splits an RTMP URL into the URL up to its last `/` and the stream key after it; nil
    /// when the path has no application and key (`rtmp://host/live/KEY`).
    static func rtmpStreamKey(of url: String) -> (base: String, key: String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let pathStart = afterScheme.firstIndex(of: "/") else { return nil }
        var path = url[pathStart...]
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard components.count >= 2, let key = components.last, !key.isEmpty, components.dropLast().allSatisfy({ !$0.isEmpty })
        else { return nil }
        let keyStart = path.index(path.endIndex, offsetBy: -key.count)
        return (String(url[..<keyStart]), String(key))
    }

    /// `url` with what must not be printed replaced by `***`: the stream key of an RTMP URL and
    /// an SRT `passphrase=` or `streamid=` in the query.
    static func redacted(_ url: String) -> String {
        var text = url
        if InputSpec.scheme(of: url)?.hasPrefix("rtmp") == true, let (base, key) = rtmpStreamKey(of: url) {
            text = base + "***" + url.dropFirst(base.count + key.count)
        }
        for name in ["passphrase=", "streamid="] {
            while let range = text.range(of: name), !text[range.upperBound...].hasPrefix("***") {
                let end = text[range.upperBound...].firstIndex { $0 == "&" } ?? text.endIndex
                text.replaceSubrange(range.upperBound..<end, with: "***")
            }
        }
        return text
    }

    /// What waiting for the source ended with.
    enum Outcome {
        case opened(Demuxer)
        /// `stop()` was called.
        case stopped
        /// The deadline passed with no source.
        case waitExpired
    }

    /// Opens the input, waiting for a source that is accepted: connections refused (a wrong
    /// stream key) or broken before their media started (garbage, a stalled handshake) are
    /// reported and waited past. Pulling inputs (not listening) retry once a second.
    ///
    /// - Parameters:
    ///   - deadline: when to give up (`DispatchTime.uptimeNanoseconds`); nil waits until stopped
    ///     when listening, and tries once when pulling.
    /// - Throws: `CuepointError` for failures waiting cannot fix (the port is in use, the URL is wrong).
    func open(interrupt: InterruptPolicy, until deadline: UInt64?, warnings: WarningCollector) throws(CuepointError)
        -> Outcome
    {
        if let cuepointServer {
            return try cuepointServer.open(interrupt: interrupt, until: deadline, warnings: warnings, displayURL: displayURL)
        }
        while true {
            if interrupt.isCancelled { return .stopped }
            let now = DispatchTime.now().uptimeNanoseconds
            if let deadline {
                if now >= deadline { return .waitExpired }
                interrupt.armDeadline(after: Double(deadline - now) / 1e9)
            } else {
                interrupt.disarmDeadline()
            }
            do {
                let demuxer = try Demuxer(
                    url: ffmpegURL, format: spec.format, options: options, interrupt: interrupt,
                    vetConnection: { messages in
                        // Connected: the wait is over; reading the stream's parameters has its own timeout.
                        interrupt.disarmDeadline()
                        return vet(messages)
                    })
                interrupt.disarmDeadline()
                return .opened(demuxer)
            } catch {
                interrupt.disarmDeadline()
                if interrupt.isCancelled { return .stopped }
                if error.code == .exit { return deadline == nil ? .stopped : .waitExpired }
                let refused = error.function == Demuxer.refusedByCaller
                if let posix = error.code.posixErrno, [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(posix), !refused {
                    throw CuepointError(
                        subject: displayURL, message: "cannot listen (\(error.message))",
                        fix: "check that the address is this machine's and no other program uses the port")
                }
                if !listens && deadline == nil { throw InputOpener.describe(error, url: displayURL) }
                if refused {
                    warnings.add("\(displayURL): \(error.message); still waiting for the publisher")
                } else if listens {
                    warnings.add(
                        "\(displayURL): a connection failed before its media started (\(error.message)); "
                            + "still waiting for the publisher")
                } else {
                    warnings.count("\(displayURL): the source was not available; retried every second")
                }
                // Not a busy loop when a source fails at once (a pulled server that refuses).
                let pause = DispatchTime.now().uptimeNanoseconds + (listens ? 100_000_000 : 1_000_000_000)
                while DispatchTime.now().uptimeNanoseconds < pause, !interrupt.isCancelled {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
    }

    /// The refusal of a connection, from what FFmpeg logged while accepting it; nil accepts it.
    func vet(_ messages: [FFmpegLogMessage]) -> String? {
        guard let expectedKey else { return nil }
        let rtmp = messages.filter { $0.className == "rtmp" }
        if let mismatch = rtmp.first(where: { $0.text.hasPrefix("App field don't match up: ") }) {
            let app = mismatch.text.dropFirst("App field don't match up: ".count).components(separatedBy: " <-> ").first ?? ""
            return "refused an RTMP publisher for the application \"\(LiveInput.printable(app))\" (not the one in input.url)"
        }
        // FFmpeg was given no key, so it reports every publisher's stream name.
        let tried = rtmp.compactMap { message -> String? in
            guard message.text.hasPrefix("Unexpected stream "), let comma = message.text.range(of: ", expecting")
            else { return nil }
            return String(message.text[message.text.index(message.text.startIndex, offsetBy: 18)..<comma.lowerBound])
        }.first ?? ""
        guard LiveInput.constantTimeEqual(Array(tried.utf8), expectedKey) else {
            return "refused an RTMP publisher with the wrong stream key \"\(LiveInput.printable(tried))\""
        }
        return nil
    }

    /// Compares two byte strings in time that depends only on their lengths, not on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    /// A name from the network as it may be printed: at most 64 characters, no control characters.
    static func printable(_ text: some StringProtocol) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return cleaned.count > 64 ? String(cleaned.prefix(64)) + "…" : cleaned
    }
}

extension InputSpec {
    /// ``url`` as it may be printed: an RTMP stream key and an SRT passphrase replaced by `***`.
    public var displayURL: String { LiveInput.redacted(url) }

    /// `url` as it may be printed (see ``displayURL``).
    public static func redacted(_ url: String) -> String { LiveInput.redacted(url) }

    /// Whether an RTMP URL names an application and a stream key (`rtmp://host/live/KEY`).
    public static func hasStreamKey(_ url: String) -> Bool { LiveInput.rtmpStreamKey(of: url) != nil }
}
