/// One thing wrong with a rendition's `video:` or `audio:` settings, found before any
/// encoder is opened.
///
/// The key path is relative to the rendition (`video.width`); the pipeline decoder prefixes
/// `renditions[i].` and adds the file position. Its ``description`` is the line a user reads:
///
///     video.width: 641 is odd; H.264 4:2:0 pictures need even sizes: use 640 or 642
public struct TranscodeProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is, relative to the rendition: `video`, `video.preset`, `audio.channels`.
    public var keyPath: String
    /// What is wrong and what to do.
    public var message: String
    /// The likely intended value (`veryfast` for `veryfst`); nil when none is close.
    public var suggestion: String?

    public init(keyPath: String, message: String, suggestion: String? = nil) {
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var text = "\(keyPath): \(message)"
        if let suggestion { text += "; did you mean `\(suggestion)`?" }
        return text
    }
}

/// Bit rates as messages print them: whole kilobits (`2000k`) when the value is a multiple
/// of 1000, bits per second otherwise.
enum BitRateText {
    /// `2000000` → `2000k`; `96500` → `96500`.
    static func format(_ bitsPerSecond: Int) -> String {
        bitsPerSecond % 1000 == 0 ? "\(bitsPerSecond / 1000)k" : "\(bitsPerSecond)"
    }
}
