import CuepointTime

// MARK: - Overview
//
// The pipeline file is the declarative description of one job: where the media comes from
// (`input`), where and how the HLS recording is written (`output`), which renditions are
// produced (`renditions`) and where product markers come from (`markers`). It sits at the very
// start of the flow:
//
//     pipeline.yaml ──PipelineFile.load──▶ PipelineSpec ──▶ input ─▶ segmenter ─▶ playlists
//
// `PipelineFile` reads the text, `PipelineDecoder` walks the YAML tree strictly (unknown keys are
// errors, defaults are applied in code, every problem carries file, line, column and key path)
// and the result is this plain value. Nothing here touches FFmpeg or the file system beyond
// reading the pipeline file itself. The format is documented in `docs/pipeline.md` and described
// by `Pipelines/cuepoint-pipeline.schema.json`.

/// One job, as decoded from a pipeline file (format version 1).
///
/// Every default has already been applied; the only values left open are the ones decided at
/// run time from the input (``InputSpec/live`` and ``OutputSpec/playlists``), which the computed
/// properties ``InputSpec/isLive`` and ``playlists`` resolve.
public struct PipelineSpec: Sendable, Equatable {
    /// The only format version this build reads.
    public static let supportedVersion = 1

    /// The format version the file declares (`version:`); always ``supportedVersion`` once decoded.
    public var version: Int
    /// The job's name (`name:`), which names the recording's folder inside the output directory.
    public var name: String
    /// Where the media comes from (`input:`).
    public var input: InputSpec
    /// Where and how the recording is written (`output:`).
    public var output: OutputSpec
    /// The renditions to produce (`renditions:`), in file order; never empty.
    public var renditions: [RenditionSpec]
    /// Product markers (`markers:`); nil when the file has no `markers:` section.
    public var markers: MarkersSpec?
    /// The replay to export when the recording finishes (`replay:`); nil when not asked for.
    public var replay: ReplaySpec?
    /// How transcoded renditions run (`transcode:`).
    public var transcode: TranscodeSpec
    /// The HTTP server to run beside the job (`server:`); nil when the file has none.
    public var server: ServerSpec?
    /// Sidecar caption files, one per language (`captions:`): the recording publishes a subtitle
    /// rendition of each while it runs, and the replay makes its own (they are also in
    /// ``replay``'s options).
    public var captions: [CaptionSource]
    /// The producer console (`console:`); nil when the file has none.
    public var console: ConsoleSpec?

    public init(
        version: Int = PipelineSpec.supportedVersion,
        name: String,
        input: InputSpec,
        output: OutputSpec = OutputSpec(),
        renditions: [RenditionSpec] = RenditionSpec.defaultRenditions,
        markers: MarkersSpec? = nil,
        replay: ReplaySpec? = nil,
        transcode: TranscodeSpec = TranscodeSpec(),
        server: ServerSpec? = nil,
        captions: [CaptionSource] = [],
        console: ConsoleSpec? = nil
    ) {
        self.transcode = transcode
        self.version = version
        self.name = name
        self.input = input
        self.output = output
        self.renditions = renditions
        self.markers = markers
        self.replay = replay
        self.server = server
        self.captions = captions
        self.console = console
    }

    /// The folder the recording goes to: `<output.directory>/<name>`.
    public var recordingDirectory: String {
        let directory = output.directory
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The media playlists to write: ``OutputSpec/playlists`` when the file names them, otherwise
    /// the VOD `index` playlist for recorded inputs, and `index` (an EVENT playlist) plus the
    /// sliding-window `live` playlist for live inputs.
    public var playlists: Set<PlaylistKind> {
        output.playlists ?? (input.isLive ? [.index, .live] : [.index])
    }
}
