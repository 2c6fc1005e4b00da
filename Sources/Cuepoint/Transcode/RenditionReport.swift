import CuepointTime

/// What one rendition's encoding did, for warnings and tests: counts, the forced IDR times,
/// and the source changes it adapted to.
struct RenditionReport: Sendable, Equatable {
    /// A change of the decoded pictures' size or pixel format, after which the scaler was remade.
    struct SourceChange: Sendable, Equatable, CustomStringConvertible {
        /// The first frame in the new geometry, in the source's time base.
        var time: MediaTime
        /// `640x360 yuv420p` before and after.
        var from: String
        var to: String

        var description: String { "\(from) → \(to) at \(SecondsText.format(time))" }
    }

    /// Video frames sent to the encoder.
    var videoFrames = 0
    /// The times of the frames forced to be IDR pictures, in the source's time base.
    var forcedKeyframes: [MediaTime] = []
    /// Video frames without a timestamp, or not later than the frame before, which were dropped.
    var droppedVideoFrames = 0
    /// Picture size or format changes of the source.
    var videoChanges: [SourceChange] = []
    /// Encoded video packets handed on.
    var videoPackets = 0
    /// Audio samples (per channel) sent to the encoder, in the output rate.
    var audioSamples = 0
    /// Audio rate, layout or format changes of the source (`48000 Hz stereo fltp`).
    var audioChanges: [SourceChange] = []
    /// Encoded audio packets handed on.
    var audioPackets = 0
}
