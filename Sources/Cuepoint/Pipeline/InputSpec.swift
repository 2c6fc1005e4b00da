public import CuepointTime

/// Where the media comes from: the `input:` section of a pipeline file.
public struct InputSpec: Sendable, Equatable {
    /// URL schemes that make an input live unless `live:` says otherwise.
    public static let liveSchemes: Set<String> = ["rtmp", "rtmps", "srt", "udp", "rtp", "rtsp", "tcp", "pipe"]
    /// URL schemes of recorded inputs (a plain file path has no scheme and is recorded too).
    public static let recordedSchemes: Set<String> = ["file", "http", "https"]

    /// What libavformat opens (`url:`): a file path, `pipe:0`, or an `rtmp://`, `rtmps://`,
    /// `srt://`, `udp://`, `rtp://`, `rtsp://`, `tcp://`, `http://`, `https://` or `file:` URL.
    /// A relative path is relative to the current working directory. Environment variables
    /// are already expanded.
    public var url: String
    /// The demuxer to force (`format:`), as FFmpeg names it (`mpegts`, `flv`); nil to probe.
    public var format: String?
    /// libavformat options passed when the input is opened (`options:`), e.g. `rw_timeout`.
    public var options: [String: String]
    /// The wall-clock time of media time 0 (`start_date:`) for recorded inputs; nil means the
    /// time the job starts. Never set for live inputs, which take the wall clock as they go.
    public var startDate: WallClockTime?
    /// Whether the input is live as the file says it (`live:`); nil to infer it from ``url``.
    public var live: Bool?
    /// Wait for the source to connect instead of connecting to it (`listen:`): an RTMP server
    /// for one publisher (the stream key is the last path component of ``url``), an SRT listener.
    /// UDP always listens.
    public var listen: Bool = false
    /// How long a live input may send nothing before it counts as dropped (`timeout:`); nil uses
    /// ``defaultTimeout`` for network inputs and waits forever on pipes.
    public var timeout: MediaTime?
    /// The SRT passphrase (`passphrase:`, 10 to 79 characters); nil for an unencrypted stream.
    public var passphrase: String?
    /// How long a dropped live input is waited for before the recording is finalised
    /// (`reconnect: { wait: }`); nil finalises at the first drop.
    public var reconnectWait: MediaTime?
    /// Which RTMP server listens for an `rtmp://` input with ``listen`` (`rtmp_server:`).
    public var rtmpServer: RTMPServerChoice = .ffmpeg

    /// The read timeout of network inputs when `timeout:` is not given.
    public static let defaultTimeout = MediaTime.milliseconds(10_000)

    public init(
        url: String,
        format: String? = nil,
        options: [String: String] = [:],
        startDate: WallClockTime? = nil,
        live: Bool? = nil,
        listen: Bool = false,
        timeout: MediaTime? = nil,
        passphrase: String? = nil,
        reconnectWait: MediaTime? = nil,
        rtmpServer: RTMPServerChoice = .ffmpeg
    ) {
        self.url = url
        self.format = format
        self.options = options
        self.startDate = startDate
        self.live = live
        self.listen = listen
        self.timeout = timeout
        self.passphrase = passphrase
        self.reconnectWait = reconnectWait
        self.rtmpServer = rtmpServer
    }

    /// Whether the input is treated as live: ``live`` when given, otherwise true for the schemes
    /// in ``liveSchemes`` (`rtmp`, `srt`, `udp`, `pipe`, …) and false for files and HTTP.
    public var isLive: Bool {
        live ?? InputSpec.isLiveByDefault(url: url)
    }

    /// The URL's scheme in lower case (`rtmp`, `pipe`, `file`), or nil for a plain file path.
    public var scheme: String? {
        InputSpec.scheme(of: url)
    }

    /// Whether an input at `url` is live when the file does not say (see ``isLive``).
    public static func isLiveByDefault(url: String) -> Bool {
        guard let scheme = scheme(of: url) else { return false }
        return liveSchemes.contains(scheme)
    }

    /// The scheme of `url` in lower case: the letters before the first `:` when they form a
    /// URL scheme of at least two characters (so `C:\video.mp4` stays a path); nil otherwise.
    public static func scheme(of url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let candidate = url[..<colon]
        guard candidate.count >= 2, let first = candidate.first, first.isASCII, first.isLetter,
            candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        return candidate.lowercased()
    }
}

/// The RTMP server that waits for the publisher of an `rtmp://` input with `listen: true`.
public enum RTMPServerChoice: String, Sendable, Equatable, CaseIterable {
    /// FFmpeg's RTMP server (`listen=1`): one connection per port; the key is checked from its log.
    case ffmpeg
    /// Cuepoint's own RTMP server (`CuepointRTMP`): one port for any number of pipelines, each
    /// publisher routed by its stream key, refused with an RTMP error status when the key is wrong.
    case cuepoint
}
