import CuepointTime
public import Foundation
public import Logging
public import Metrics

/// Options of a run that are not part of the pipeline file.
public struct RunOptions: Sendable {
    /// The wall clock (PROGRAM-DATE-TIME); tests pass a manual one.
    public var clock: any WallClock = SystemWallClock()
    /// Where warnings and errors go: each warning is logged at `.warning` as one line (the CLI's
    /// handler prints `cuepoint: warning: …`). By default the process's `LoggingSystem`.
    public var logger = Logger(label: "cuepoint")
    /// Also called with each warning as it happens (for callers that collect them).
    public var warning: @Sendable (String) -> Void = { _ in }
    /// Called a few times a second with the run's progress.
    public var progress: (@Sendable (RunProgress) -> Void)? = nil
    /// Where the run's metrics are recorded (``PipelineMetrics``); nil: `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)? = nil
    /// Labels put first on every metric of the run, e.g. `[("show", "spring-sale")]`.
    public var metricsDimensions: [(String, String)] = []
    /// Whether an MPEG-TS input copied into MPEG-TS segments may take the transport stream copy
    /// path (``ReadPath/transportStreamCopy``); false makes libavformat read every packet. Which
    /// path was taken is logged at `.info`, counted by `cuepoint_transport_stream_copy` and
    /// given by ``RunSummary/readPath``.
    public var transportStreamCopy = true
    /// Where publish targets read their keys and defaults (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`,
    /// the variables a target's `*_env` keys name): the process environment by default.
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}
}

/// How far a run is.
public struct RunProgress: Sendable {
    /// Media time processed, in milliseconds.
    public var mediaMilliseconds: Int64
    /// The input's declared duration in milliseconds, nil for live inputs.
    public var totalMilliseconds: Int64?
    /// Segments completed (per rendition).
    public var segments: Int
}

/// What a finished run produced.
public struct RunSummary: Sendable {
    public struct Rendition: Sendable {
        public var name: String
        public var segments: Int
        public var durationMilliseconds: Int64
        public var byteCount: Int64
        /// The rendition's main playlist, relative to the recording directory.
        public var playlist: String
        /// Whether the rendition was encoded (rather than copied).
        public var transcoded: Bool = false
        /// Picture size (`640x360`), nil for audio-only.
        public var resolution: String? = nil
        /// The measured average bit rate (AVERAGE-BANDWIDTH), bits per second.
        public var averageBitrate: Int? = nil
        /// CODECS as the multivariant playlist gives them.
        public var codecs: [String] = []
    }

    /// The recording directory.
    public var directory: URL
    public var renditions: [Rendition]
    public var warnings: [String]
    /// Whether the run ended through `stop()` rather than at the end of the input.
    public var stopped: Bool
    /// The replay exported after the recording finished (`replay:`), if asked for.
    public var replay: ReplayResult?
    /// Which path read the input.
    public var readPath: ReadPath = .demuxer
    /// How each publish target ended (`output.publish`): what was uploaded and what is left.
    public var publishing: [Publication.Outcome] = []
}
