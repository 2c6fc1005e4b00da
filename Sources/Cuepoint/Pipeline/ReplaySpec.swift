/// The `replay:` section of a pipeline file: export a shoppable replay when the recording
/// finishes (at the end of the input, or after a stop).
///
/// ```yaml
/// replay:
///   directory: out/spring-sale-replay   # default: <output.directory>/<name>-replay
///   chapters: products                  # or full (Intro and filler chapters)
///   mp4: true
///   clips: keyframe                     # exact, none; true = keyframe, false = none
///   thumbnails: true
///   thumbnail_width: 320
///   language: en
///   force: true                         # replace the replay of an earlier run
///   posters: true                       # posters/<id>-16x9.jpg and -9x16.jpg
///   storyboard: { interval: 5s }        # or false
///   shorts: { size: 1080x1920, fit: crop, min: 15s, max: 60s }   # or true for the defaults
///   reel: { count: 5, events: events.jsonl }                     # or true
/// ```
public struct ReplaySpec: Sendable, Equatable {
    /// The package directory; nil means `<output.directory>/<name>-replay`.
    public var directory: String?
    public var options: ReplayOptions

    public init(directory: String? = nil, options: ReplayOptions = ReplayOptions()) {
        self.directory = directory
        self.options = options
    }
}
