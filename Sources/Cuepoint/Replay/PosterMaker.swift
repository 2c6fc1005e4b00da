import CuepointFFmpeg
import CuepointTime
import Foundation

/// Makes a product's two posters from the frame at its start: `posters/<id>-16x9.jpg`
/// (1280x720, the picture scaled to cover and centred) and `posters/<id>-9x16.jpg` (720x1280,
/// filled as the shorts are: cropped or over a blurred copy), each with the product's title and
/// price, through the shorts' filter graph (``ShortGraph``).
///
/// Used on the thumbnail thread, which has the decoded frame at hand.
struct PosterMaker: Sendable {
    /// One poster shape.
    struct Shape: Sendable {
        var suffix: String
        var width: Int
        var height: Int
    }

    static let shapes = [Shape(suffix: "16x9", width: 1280, height: 720), Shape(suffix: "9x16", width: 720, height: 1280)]

    /// The text and look of one product's posters.
    struct Product: Sendable {
        var title: String
        var price: String?
        var cropX: Double?
        /// The path of the poster of each shape, by suffix.
        var paths: [String: String]
    }

    /// The font; nil writes no text (the font is missing: a note says so).
    var font: String?
    /// How the 9:16 poster is filled.
    var fit: ShortOptions.Fit

    /// Writes the posters of `product` from `frame` (stamped in `timeBase`).
    ///
    /// - Returns: The files written, by suffix.
    /// - Throws: `FFmpegError` from the graph or the JPEG encoder; file errors.
    func make(_ product: Product, from frame: Frame, timeBase: Rational) throws -> [String: String] {
        var written: [String: String] = [:]
        let geometry = ShortGraph(sourceWidth: frame.width, sourceHeight: frame.height, sampleAspectRatio: frame.sampleAspectRatio)
        let output = Frame()
        for shape in Self.shapes {
            guard let path = product.paths[shape.suffix] else { continue }
            let lines =
                font == nil
                ? []
                : ShortGraph.productLines(title: product.title, price: product.price, width: shape.width, height: shape.height).lines
            let graph = try FilterGraph(
                geometry.video(
                    width: shape.width, height: shape.height, fit: shape.suffix == "16x9" ? .crop : fit,
                    cropX: product.cropX, lines: lines, font: font ?? ""),
                inputs: [.video(.init(like: frame, timeBase: timeBase))], outputs: [.video()], threadCount: 1)
            try graph.send(frame)
            try graph.send(nil)
            guard try graph.receive(into: output) == .frame else {
                throw CuepointError(subject: path, message: "the poster's filter graph returned no picture")
            }
            let image = try JPEGEncoder(width: shape.width).encode(output)
            try Data(image).write(to: URL(fileURLWithPath: path))
            written[shape.suffix] = path
        }
        return written
    }
}
