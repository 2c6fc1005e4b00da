/// One rendition of the recording: an entry of the `renditions:` list.
///
/// A rendition either copies the input's streams (`copy: true`) or transcodes them: `video:`
/// and/or `audio:` settings, or a named ladder `preset:` (`720p`, `480p`, … `audio-only`)
/// whose settings follow from the source. Copy and transcoded renditions mix in one pipeline.
public struct RenditionSpec: Sendable, Equatable {
    /// The renditions a file gets when it has no `renditions:` key: one copy named `source`.
    public static let defaultRenditions = [RenditionSpec(name: "source", copy: true)]

    /// The rendition's name (`name:`), unique within the file; names its playlist folder.
    public var name: String
    /// Whether the rendition copies the input's streams without re-encoding (`copy:`).
    public var copy: Bool
    /// H.264 settings (`video:`); nil for a copy or audio-only rendition.
    public var video: VideoSpec?
    /// AAC settings (`audio:`); nil for a copy rendition or one without audio.
    public var audio: AudioSettings?
    /// A named ladder rung (`preset:`) whose settings are derived from the source.
    public var preset: LadderPreset?

    public init(
        name: String, copy: Bool = true, video: VideoSpec? = nil, audio: AudioSettings? = nil,
        preset: LadderPreset? = nil
    ) {
        self.name = name
        self.copy = copy
        self.video = video
        self.audio = audio
        self.preset = preset
    }

    /// Whether the rendition is encoded rather than copied.
    public var transcodes: Bool { !copy }
}

/// The `video:` settings of a transcoded rendition as the pipeline file gives them: like
/// ``VideoSettings``, but `width` or `height` may be left out and then follows from the
/// source's aspect ratio (the nearest even number).
public struct VideoSpec: Sendable, Equatable {
    public var codec: String = "h264"
    public var width: Int?
    public var height: Int?
    public var bitrate: Int?
    public var maxrate: Int?
    public var bufsize: Int?
    public var crf: Int?
    public var preset: String = VideoSettings.defaultPreset
    public var profile: String?
    public var level: String?

    public init(
        codec: String = "h264", width: Int? = nil, height: Int? = nil, bitrate: Int? = nil, maxrate: Int? = nil,
        bufsize: Int? = nil, crf: Int? = nil, preset: String = VideoSettings.defaultPreset, profile: String? = nil,
        level: String? = nil
    ) {
        self.codec = codec
        self.width = width
        self.height = height
        self.bitrate = bitrate
        self.maxrate = maxrate
        self.bufsize = bufsize
        self.crf = crf
        self.preset = preset
        self.profile = profile
        self.level = level
    }

    /// The settings for a source of `sourceWidth`×`sourceHeight`: a missing side keeps the
    /// source's aspect ratio (rounded to an even number); both missing keep the source's size.
    public func resolved(sourceWidth: Int, sourceHeight: Int) -> VideoSettings {
        func scaled(_ value: Int, _ from: Int, _ to: Int) -> Int {
            guard from > 0 else { return value }
            return max(2, 2 * ((value * to + from) / (2 * from)))
        }
        let (w, h): (Int, Int) =
            switch (width, height) {
            case (let w?, let h?): (w, h)
            case (let w?, nil): (w, scaled(w, sourceWidth, sourceHeight))
            case (nil, let h?): (scaled(h, sourceHeight, sourceWidth), h)
            case (nil, nil): (sourceWidth, sourceHeight)
            }
        return VideoSettings(
            codec: codec, width: w, height: h, bitrate: bitrate, maxrate: maxrate, bufsize: bufsize, crf: crf,
            preset: preset, profile: profile, level: level)
    }
}
