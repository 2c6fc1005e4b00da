public import CuepointFFmpeg
public import CuepointTime

/// What a transcoded rendition needs to know of its input before the first frame: picture
/// size and frame rate, audio rate and channels, and the time bases the decoders stamp
/// their frames in. A value, so settings can be validated against it without opening
/// anything.
public struct TranscodeSource: Sendable, Hashable {
    /// The input's video stream.
    public struct Video: Sendable, Hashable {
        /// Picture size in pixels, as the stream declares it (frames may change it later).
        public var width: Int
        public var height: Int
        /// The nominal (average) frame rate; nil when the input does not say.
        public var frameRate: Rational?
        /// The unit of the decoded frames' `pts`.
        public var timeBase: Rational

        public init(width: Int, height: Int, frameRate: Rational?, timeBase: Rational) {
            self.width = width
            self.height = height
            self.frameRate = frameRate
            self.timeBase = timeBase
        }
    }

    /// The input's audio stream.
    public struct Audio: Sendable, Hashable {
        /// Sample rate in Hz.
        public var sampleRate: Int
        /// Channel count.
        public var channels: Int
        /// The unit of the decoded frames' `pts`.
        public var timeBase: Rational

        public init(sampleRate: Int, channels: Int, timeBase: Rational) {
            self.sampleRate = sampleRate
            self.channels = channels
            self.timeBase = timeBase
        }
    }

    /// Nil when the input has no video.
    public var video: Video?
    /// Nil when the input has no audio.
    public var audio: Audio?

    public init(video: Video?, audio: Audio?) {
        self.video = video
        self.audio = audio
    }

    /// The first video stream (cover pictures excluded) and the first audio stream of an input.
    public init(streams: [StreamInfo]) {
        let video = streams.first { $0.mediaType == .video && !$0.isAttachedPicture }
        let audio = streams.first { $0.mediaType == .audio }
        self.video = video.map {
            Video(width: $0.width, height: $0.height, frameRate: $0.frameRate, timeBase: $0.timeBase)
        }
        self.audio = audio.map { Audio(sampleRate: $0.sampleRate, channels: $0.channels, timeBase: $0.timeBase) }
    }
}
