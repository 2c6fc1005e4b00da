public import CuepointTime

/// Where and how the recording is written: the `output:` section of a pipeline file.
public struct OutputSpec: Sendable, Equatable {
    /// `directory:` when the file does not say.
    public static let defaultDirectory = "out"
    /// `container:` when the file does not say.
    public static let defaultContainer = Container.ts
    /// `segment:` when the file does not say: 6 seconds.
    public static let defaultSegmentDuration = MediaTime.milliseconds(6_000)
    /// The shortest `segment:` accepted: 1 second.
    public static let minimumSegmentDuration = MediaTime.milliseconds(1_000)
    /// The longest `segment:` accepted: 60 seconds.
    public static let maximumSegmentDuration = MediaTime.milliseconds(60_000)
    /// `live_window:` when the file does not say.
    public static let defaultLiveWindow = 6
    /// The smallest `live_window:` accepted (RFC 8216 asks a live playlist for at least three
    /// target durations of segments).
    public static let minimumLiveWindow = 3

    /// The folder that holds recordings (`directory:`); the recording goes to
    /// `<directory>/<name>/`. A relative path is relative to the current working directory.
    public var directory: String
    /// The segment container (`container:`).
    public var container: Container
    /// The target segment duration (`segment:`), in milliseconds; between 1 s and 60 s.
    public var segmentDuration: MediaTime
    /// How many segments the sliding-window `live.m3u8` keeps (`live_window:`); at least 3.
    public var liveWindow: Int
    /// The media playlists to write (`playlists:`); nil to choose from the input
    /// (see ``PipelineSpec/playlists``).
    public var playlists: Set<PlaylistKind>?
    /// LL-HLS (`part:`): the part target duration; nil for no parts. Parts need `fmp4`, and are at
    /// least ``minimumPartDuration`` and shorter than ``segmentDuration``. See ``partProblem``.
    public var partDuration: MediaTime? = nil
    /// The stores the recording is copied to while it is made (`publish:`): object stores and
    /// HTTP origins, each a replica of the local directory (docs/storage.md).
    public var publish: [PublishSpec] = []

    /// The shortest `part:` accepted: 100 ms.
    public static let minimumPartDuration = MediaTime.milliseconds(100)

    /// Why ``partDuration`` cannot be used with the rest of this output, or nil when it can (or
    /// is not set): the pipeline decoder, the command line and ``PipelineRunner`` all ask this.
    public var partProblem: String? {
        guard let part = partDuration else { return nil }
        if container != .fmp4 {
            return "LL-HLS parts need `container: fmp4` (each part is one fMP4 fragment), got `\(container.rawValue)`"
        }
        if part < OutputSpec.minimumPartDuration {
            let minimum = DurationText.format(OutputSpec.minimumPartDuration)
            return "must be at least \(minimum), got \(DurationText.format(part))"
        }
        if part >= segmentDuration {
            return "must be shorter than the segment duration (\(DurationText.format(segmentDuration))), got "
                + DurationText.format(part)
        }
        return nil
    }

    public init(
        directory: String = OutputSpec.defaultDirectory,
        container: Container = OutputSpec.defaultContainer,
        segmentDuration: MediaTime = OutputSpec.defaultSegmentDuration,
        liveWindow: Int = OutputSpec.defaultLiveWindow,
        playlists: Set<PlaylistKind>? = nil
    ) {
        self.directory = directory
        self.container = container
        self.segmentDuration = segmentDuration
        self.liveWindow = liveWindow
        self.playlists = playlists
    }
}
