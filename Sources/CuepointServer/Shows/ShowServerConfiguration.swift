import Cuepoint
public import CuepointTime
public import Foundation

/// How `cuepoint server` runs: where it listens, where it keeps shows, and the defaults of the
/// shows it creates. Built from the command line and, with `--config FILE`, a server
/// configuration file (``ShowServerConfigurationFile``); the command line wins.
public struct ShowServerConfiguration: Sendable {
    /// The HTTP address (control API, playback, marker API, hooks, `/metrics`).
    public var host: String
    public var port: Int
    /// The data directory: shows' records and documents, and recordings that name no folder.
    public var dataDirectory: URL
    /// The RTMP address every show's publisher may use (`--rtmp`); nil: no RTMP port (shows
    /// without an `input` then wait for a streaming server's publish hook).
    public var rtmp: (host: String, port: Int)?
    /// The host written into ingest URLs (`rtmp://HOST:PORT/live/KEY`); nil: the RTMP address's
    /// host, or `127.0.0.1` when it listens on every address.
    public var rtmpPublicHost: String?
    /// The environment variable holding the admin token of the control API.
    public var adminTokenEnvironmentVariable: String
    /// The base of the playback and marker URLs in answers (`http://shows.example.com`); nil:
    /// `http://HOST:PORT` as listened on.
    public var publicURL: String?
    /// A folder of pipeline files, one show each, read again when a file changes; nil: none.
    public var showsDirectory: URL?
    /// How long a show waits for its first publisher before it ends as failed.
    public var publisherWait: MediaTime
    /// How long a show whose publisher left waits for it to come back (shows without an
    /// `input`, whose input the server makes).
    public var reconnectWait: MediaTime
    /// How often the shows directory is looked at, and waits are checked.
    public var pollInterval: MediaTime

    public static let defaultAdminTokenEnvironmentVariable = "CUEPOINT_ADMIN_TOKEN"
    public static let defaultPublisherWait = MediaTime.milliseconds(600_000)
    public static let defaultReconnectWait = MediaTime.milliseconds(60_000)
    public static let defaultPollInterval = MediaTime.milliseconds(1_000)
    /// The RTMP application publishers use: `rtmp://HOST:PORT/live/STREAM_KEY`.
    public static let rtmpApplication = "live"

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL, rtmp: (host: String, port: Int)? = nil,
        adminTokenEnvironmentVariable: String = ShowServerConfiguration.defaultAdminTokenEnvironmentVariable,
        publicURL: String? = nil, showsDirectory: URL? = nil,
        publisherWait: MediaTime = ShowServerConfiguration.defaultPublisherWait,
        reconnectWait: MediaTime = ShowServerConfiguration.defaultReconnectWait,
        pollInterval: MediaTime = ShowServerConfiguration.defaultPollInterval
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.rtmp = rtmp
        self.adminTokenEnvironmentVariable = adminTokenEnvironmentVariable
        self.publicURL = publicURL
        self.showsDirectory = showsDirectory
        self.publisherWait = publisherWait
        self.reconnectWait = reconnectWait
        self.pollInterval = pollInterval
    }
}
