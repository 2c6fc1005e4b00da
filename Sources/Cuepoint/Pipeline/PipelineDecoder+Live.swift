import CuepointTime
internal import Yams

/// The live keys: `input.listen`, `input.timeout`, `input.passphrase`, `input.rtmp_server`,
/// `input.reconnect` and the `server:` section.
extension PipelineDecoder {
    /// The keys of `input.reconnect:`.
    static let reconnectKeys = ["wait"]
    /// The keys of `server:`.
    static let serverKeys = ["listen", "token_env"]
    /// The shortest and longest `input.timeout`.
    static let timeoutRange = MediaTime.milliseconds(500)...MediaTime.milliseconds(3_600_000)
    /// The longest `input.reconnect.wait`: a day.
    static let maximumReconnectWait = MediaTime.milliseconds(86_400_000)

    /// Decodes the live keys of `input:` into `input`, once `url` (and `live`) are known.
    mutating func decodeLiveInput(_ fields: Fields, into input: inout InputSpec, urlKnown: Bool) {
        let scheme = input.scheme
        if let node = optional("listen", in: fields), let listen = boolean(node, "input.listen") {
            input.listen = listen
            if listen, urlKnown {
                switch scheme {
                case "rtmp":
                    if LiveInput.rtmpStreamKey(of: input.url) == nil {
                        report(
                            node, "input.listen",
                            "an RTMP input that listens needs an application and a stream key in its URL, as in "
                                + "`rtmp://0.0.0.0:1935/live/${CUEPOINT_STREAM_KEY}`")
                    }
                case "srt", "udp": break
                default:
                    report(
                        node, "input.listen",
                        "only `rtmp://` and `srt://` inputs can listen (`udp://` always does), not "
                            + (scheme.map { "`\($0)://`" } ?? "a file") + "; remove `listen`")
                }
            }
        }
        if let node = optional("timeout", in: fields),
            let timeout = duration(node, "input.timeout", within: Self.timeoutRange)
        {
            input.timeout = timeout
        }
        if let node = optional("passphrase", in: fields), let passphrase = text(node, "input.passphrase") {
            if urlKnown, scheme != "srt" {
                report(node, "input.passphrase", "only `srt://` inputs are encrypted with a passphrase; remove it")
            } else if !(10...79).contains(passphrase.count) {
                // Never echo a secret: its length is enough to fix it.
                report(
                    node, "input.passphrase",
                    "an SRT passphrase has 10 to 79 characters, this one has \(passphrase.count)")
            } else {
                input.passphrase = passphrase
            }
        }
        if let node = optional("rtmp_server", in: fields), let name = text(node, "input.rtmp_server") {
            let names = RTMPServerChoice.allCases.map(\.rawValue)
            if let choice = RTMPServerChoice(rawValue: name) {
                if urlKnown, scheme != "rtmp" || !input.listen {
                    report(
                        node, "input.rtmp_server",
                        "only applies to an `rtmp://` input with `listen: true` (the server that waits for the publisher); "
                            + "remove it")
                } else {
                    input.rtmpServer = choice
                }
            } else {
                report(
                    node, "input.rtmp_server",
                    "expected \(names.map { "`\($0)`" }.joined(separator: " or ")), got \(quote(name))",
                    suggestion: KeySuggestion.closest(to: name, among: names))
            }
        }
        if let entry = fields.entries["reconnect"] {
            decodeReconnect(entry.value, key: entry.key, into: &input, urlKnown: urlKnown)
        }
    }

    /// `input.reconnect: { wait: 30s }`.
    private mutating func decodeReconnect(_ node: Node, key: Node, into input: inout InputSpec, urlKnown: Bool) {
        if isNull(node) {
            report(key, "input.reconnect", "expected a mapping such as `{ wait: 30s }`, got nothing")
            return
        }
        guard let fields = fields(of: node, path: "input.reconnect", known: Self.reconnectKeys) else { return }
        guard let waitNode = required("wait", in: fields),
            let wait = duration(waitNode, "input.reconnect.wait", within: .milliseconds(0)...Self.maximumReconnectWait)
        else { return }
        if urlKnown, !input.isLive {
            report(key, "input.reconnect", "only a live input can reconnect, and this one is recorded; remove `reconnect`")
            return
        }
        input.reconnectWait = wait
    }

    /// A duration within `range`, with a message that names both ends.
    mutating func duration(_ node: Node, _ path: String, within range: ClosedRange<MediaTime>) -> MediaTime? {
        guard let value = text(node, path, expected: "a duration such as \"30s\" or \"500ms\"") else { return nil }
        guard let duration = DurationText.parse(value) else {
            report(node, path, "expected a duration such as \"30s\" or \"500ms\", got \(quote(value))")
            return nil
        }
        guard range.contains(duration) else {
            report(
                node, path,
                "must be between \(DurationText.format(range.lowerBound)) and \(DurationText.format(range.upperBound)), "
                    + "got \(DurationText.format(duration))")
            return nil
        }
        return duration
    }

    /// The `server:` section.
    mutating func decodeServer(_ node: Node, key: Node) -> ServerSpec? {
        if isNull(node) {
            report(key, "server", "expected a mapping such as `{ listen: 127.0.0.1:8080 }`, got nothing")
            return nil
        }
        guard let fields = fields(of: node, path: "server", known: Self.serverKeys) else { return nil }
        var server: ServerSpec?
        if let listenNode = required("listen", in: fields), let address = text(listenNode, "server.listen") {
            if let (host, port) = ServerSpec.parseAddress(address) {
                server = ServerSpec(host: host, port: port)
            } else {
                report(listenNode, "server.listen", "expected HOST:PORT such as `127.0.0.1:8080`, got \(quote(address))")
            }
        }
        if let tokenNode = optional("token_env", in: fields), let name = nonEmptyText(tokenNode, "server.token_env") {
            if Self.isEnvironmentVariableName(name) {
                server?.tokenEnvironmentVariable = name
            } else {
                report(
                    tokenNode, "server.token_env",
                    "expected the name of an environment variable (letters, digits and `_`, not starting with a "
                        + "digit) that holds the token, got \(quote(name)); never write the token itself here")
            }
        }
        return server
    }

    static func isEnvironmentVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
