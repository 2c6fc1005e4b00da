/// A transcoded rendition's audio: the `audio:` key of a rendition in the pipeline file.
///
///     audio: { codec: aac, bitrate: 128k }
///
/// The source is resampled to ``sampleRate`` and mixed to ``channels`` (libswresample's
/// default matrix folds 5.1 into stereo), then encoded as AAC-LC by FFmpeg's `aac` encoder.
public struct AudioSettings: Sendable, Hashable {
    /// The codecs a rendition may use (`codec:`).
    public static let codecs = ["aac"]
    /// The sample rates AAC can signal, highest first.
    public static let sampleRates = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ]
    /// AAC's channel configurations go up to 7.1.
    public static let maximumChannels = 8

    /// `aac` (FFmpeg's native AAC-LC encoder).
    public var codec: String
    /// Output sample rate in Hz (`sample_rate:`); one of ``sampleRates``, 48000 by default.
    public var sampleRate: Int
    /// Output channel count (`channels:`); 2 by default.
    public var channels: Int
    /// Bit rate in bits per second (`bitrate:`); nil for the encoder's default.
    public var bitrate: Int?
    /// Whether more than two channels are wanted (`multichannel: true`). Without it a ladder
    /// rendition asking for more than stereo is a mistake: every variant of an HLS ladder
    /// should carry the same stereo AAC-LC, and surround belongs in an alternative rendition.
    public var multichannel: Bool

    public init(
        codec: String = "aac", sampleRate: Int = 48000, channels: Int = 2, bitrate: Int? = nil,
        multichannel: Bool = false
    ) {
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrate = bitrate
        self.multichannel = multichannel
    }

    /// The highest bit rate FFmpeg's AAC encoder can produce for these settings, in bits per
    /// second: 6144 bits per channel per frame of 1024 samples (ISO/IEC 14496-3, 4.5.3.2).
    public var maximumBitrate: Int { 6144 * channels * sampleRate / 1024 }

    /// Everything wrong with these settings, for this source (nil when it is not known yet),
    /// in a stable order; empty when they can be used.
    ///
    /// A source of any rate and layout is accepted: it is resampled and mixed (22 050 Hz 5.1
    /// becomes 48 kHz stereo).
    public func validationProblems(source: TranscodeSource?) -> [TranscodeProblem] {
        var problems: [TranscodeProblem] = []
        func add(_ key: String, _ message: String, suggestion: String? = nil) {
            problems.append(TranscodeProblem(keyPath: key, message: message, suggestion: suggestion))
        }
        if let source, source.audio == nil {
            add("audio", "the input has no audio stream; leave `audio:` out of this rendition")
        }
        if !Self.codecs.contains(codec) {
            add(
                "audio.codec", "unknown codec `\(codec)`; the audio codec is aac (AAC-LC)",
                suggestion: KeySuggestion.closest(to: codec, among: Self.codecs))
        }
        if !Self.sampleRates.contains(sampleRate) {
            add(
                "audio.sample_rate",
                "\(sampleRate) Hz is not an AAC sample rate; use 48000 or 44100 (AAC also has "
                    + Self.sampleRates.filter { $0 != 48000 && $0 != 44100 }.map(String.init).joined(separator: ", ")
                    + ")")
        }
        if channels < 1 || channels > Self.maximumChannels {
            add("audio.channels", "must be 1 to \(Self.maximumChannels), got \(channels)")
        } else if channels > 2 && !multichannel {
            add(
                "audio.channels",
                "\(channels) channels in a ladder rendition; HLS variants carry stereo AAC-LC and a surround source "
                    + "is mixed down to it: use channels: 2, or set multichannel: true to keep \(channels)")
        }
        if let bitrate {
            if bitrate <= 0 {
                add("audio.bitrate", "must be positive, got \(bitrate)")
            } else if channels >= 1, Self.sampleRates.contains(sampleRate), bitrate > maximumBitrate {
                add(
                    "audio.bitrate",
                    "\(BitRateText.format(bitrate)) is above AAC's \(BitRateText.format(maximumBitrate)) for "
                        + "\(channels) channel\(channels == 1 ? "" : "s") at \(sampleRate) Hz")
            }
        }
        return problems
    }
}
