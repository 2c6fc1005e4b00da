/// A video size in pixels, written as the decimal-resolution `<width>x<height>` (`1280x720`).
public struct Resolution: Hashable, Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The attribute text: `1280x720`.
    var text: String { "\(width)x\(height)" }

    /// Parses `<width>x<height>`; nil for anything else.
    init?(text: Substring) {
        let parts = text.split(separator: "x", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let width = DecimalText.integer(parts[0]), let height = DecimalText.integer(parts[1]),
            let width = Int(exactly: width), let height = Int(exactly: height)
        else { return nil }
        self.init(width: width, height: height)
    }
}
