internal import CCuepointFFmpeg
public import CuepointTime

/// Makes JPEG images of decoded video frames (thumbnails, poster frames) at a chosen width,
/// keeping the picture's proportions.
///
/// Each frame is scaled into full-range `yuvj420p` and encoded with libavcodec's `mjpeg`
/// encoder at a fixed quantiser. The scaler and encoder are kept while frames keep the same
/// geometry, so encoding many frames of one stream is cheap. Owned by one thread.
public final class JPEGEncoder {
    /// The requested image width in pixels; images are this wide, rounded down to even.
    public let width: Int
    /// The quantiser scale, 1 (best, largest) to 31 (worst, smallest); FFmpeg's `-q:v`.
    public let quality: Int
    /// The interpolation used to resize.
    public let algorithm: Scaler.Algorithm

    private var scaler: Scaler?
    private var encoder: Encoder?
    private let scaled = Frame()
    private let packet = Packet()

    /// - Parameters:
    ///   - width: the image width in pixels, at least 2.
    ///   - quality: 1 (best) to 31; 2 to 5 is typical for thumbnails.
    /// - Throws: `FFmpegError` with `.invalidArgument` for a width or quality out of range.
    public init(width: Int, quality: Int = 3, algorithm: Scaler.Algorithm = .bicubic) throws(FFmpegError) {
        guard width >= 2 else {
            throw FFmpegError(
                code: .invalidArgument, function: "JPEGEncoder",
                message: "the image width must be at least 2, got \(width)")
        }
        guard (1...31).contains(quality) else {
            throw FFmpegError(
                code: .invalidArgument, function: "JPEGEncoder",
                message: "the JPEG quality must be 1 (best) to 31, got \(quality)")
        }
        self.width = width
        self.quality = quality
        self.algorithm = algorithm
    }

    /// The size of the image made from a `sourceWidth`×`sourceHeight` picture whose pixels
    /// are `sampleAspectRatio` wide (nil: square): `width` rounded down to even, and the
    /// height that keeps the displayed proportions, rounded to the nearest even number.
    /// Both dimensions are even because 4:2:0 chroma is subsampled by two.
    public func imageSize(sourceWidth: Int, sourceHeight: Int, sampleAspectRatio: Rational? = nil) -> (
        width: Int, height: Int
    ) {
        let imageWidth = max(2, width & ~1)
        let aspect = sampleAspectRatio ?? Rational(1, 1)
        // height = imageWidth × sourceHeight / (sourceWidth × aspect), in units of 2 pixels, rounded.
        let numerator = Int64(imageWidth) * Int64(sourceHeight) * aspect.denominator
        let denominator = Int64(sourceWidth) * aspect.numerator * 2
        let pairs = (numerator + denominator / 2) / denominator
        return (imageWidth, Int(max(1, pairs)) * 2)
    }

    /// Encodes `frame` as a JPEG image.
    ///
    /// - Returns: the JPEG file's bytes (starting with the SOI marker `FF D8`).
    /// - Throws: `FFmpegError` with `.invalidArgument` when `frame` is not a video frame, or
    ///   from scaling or encoding.
    public func encode(_ frame: Frame) throws(FFmpegError) -> [UInt8] {
        guard frame.width > 0, frame.height > 0, frame.pixelFormat != .none else {
            throw FFmpegError(
                code: .invalidArgument, function: "JPEGEncoder.encode", message: "the frame holds no picture")
        }
        let (scaler, encoder) = try prepare(for: frame)
        try scaler.scale(frame, into: scaled)
        scaled.pictureType = .none
        try encoder.send(scaled)
        var image: [UInt8] = []
        while try encoder.receive(into: packet) == .packet {
            image.append(contentsOf: packet.bytes)
        }
        return image
    }

    /// The scaler and encoder for `frame`'s geometry, made anew when it changed.
    private func prepare(for frame: Frame) throws(FFmpegError) -> (Scaler, Encoder) {
        if let scaler, let encoder, scaler.sourceWidth == frame.width, scaler.sourceHeight == frame.height,
            scaler.sourceFormat == frame.pixelFormat
        {
            return (scaler, encoder)
        }
        let size = imageSize(
            sourceWidth: frame.width, sourceHeight: frame.height, sampleAspectRatio: frame.sampleAspectRatio)
        let scaler = try Scaler(
            from: frame, width: size.width, height: size.height, format: .yuvj420p, algorithm: algorithm)
        let encoder: Encoder
        if let existing = self.encoder, existing.width == size.width, existing.height == size.height {
            encoder = existing
        } else {
            encoder = try Encoder(
                video: VideoEncoderSettings(
                    codecName: "mjpeg", width: size.width, height: size.height, pixelFormat: .yuvj420p,
                    timeBase: Rational(1, 25), fixedQuality: quality, threadCount: 1))
        }
        self.scaler = scaler
        self.encoder = encoder
        return (scaler, encoder)
    }
}
