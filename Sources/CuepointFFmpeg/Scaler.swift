internal import CCuepointFFmpeg

/// A libswscale converter from one picture size and pixel format to another, for example a
/// decoded 1920×1080 `yuv420p` frame to a 320×180 `yuvj420p` thumbnail.
///
/// Made for one source geometry: frames of another size or format are an error (make a new
/// scaler when the input changes). Owned by one thread. The corresponding FFmpeg type is
/// `SwsContext`.
public final class Scaler {
    private var context: OpaquePointer?

    /// The interpolation a scaler uses. Open: other `SWS_*` flags may be combined by value.
    public struct Algorithm: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `SWS_FAST_BILINEAR`: quickest, softest.
        public static let fastBilinear = Algorithm(rawValue: SWS_FAST_BILINEAR)
        /// `SWS_BILINEAR`.
        public static let bilinear = Algorithm(rawValue: SWS_BILINEAR)
        /// `SWS_BICUBIC`: FFmpeg's default, a good general choice.
        public static let bicubic = Algorithm(rawValue: SWS_BICUBIC)
        /// `SWS_POINT`: nearest neighbour.
        public static let point = Algorithm(rawValue: SWS_POINT)
        /// `SWS_AREA`: averaging, good for large reductions.
        public static let area = Algorithm(rawValue: SWS_AREA)
        /// `SWS_LANCZOS`: sharpest, slowest.
        public static let lanczos = Algorithm(rawValue: SWS_LANCZOS)
    }

    /// The source geometry this scaler accepts.
    public let sourceWidth: Int, sourceHeight: Int, sourceFormat: PixelFormat
    /// The geometry it produces.
    public let width: Int, height: Int, format: PixelFormat

    /// Creates a scaler.
    ///
    /// - Throws: `FFmpegError` naming `sws_getContext` when libswscale does not support a
    ///   format or a size is invalid.
    /// - The corresponding FFmpeg function is `sws_getContext`.
    public init(
        sourceWidth: Int, sourceHeight: Int, sourceFormat: PixelFormat,
        width: Int, height: Int, format: PixelFormat, algorithm: Algorithm = .bicubic
    ) throws(FFmpegError) {
        (self.sourceWidth, self.sourceHeight, self.sourceFormat) = (sourceWidth, sourceHeight, sourceFormat)
        (self.width, self.height, self.format) = (width, height, format)
        context = sws_getContext(
            Int32(sourceWidth), Int32(sourceHeight), sourceFormat.av, Int32(width), Int32(height), format.av,
            algorithm.rawValue, nil, nil, nil)
        guard context != nil else {
            throw FFmpegError(
                code: .invalidArgument, function: "sws_getContext",
                message: "cannot convert \(sourceWidth)x\(sourceHeight) \(sourceFormat) to \(width)x\(height) \(format)"
            )
        }
    }

    /// A scaler whose source geometry is `frame`'s.
    public convenience init(
        from frame: Frame, width: Int, height: Int, format: PixelFormat, algorithm: Algorithm = .bicubic
    ) throws(FFmpegError) {
        try self.init(
            sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
            width: width, height: height, format: format, algorithm: algorithm)
    }

    deinit { sws_freeContext(context) }

    /// Converts `frame` into `destination`, copying its timestamps and other properties.
    ///
    /// `destination`'s buffers are reused when they have the output geometry and nothing
    /// else refers to them; otherwise they are replaced.
    ///
    /// - Throws: `FFmpegError` with `.invalidArgument` when `frame` does not have the source
    ///   geometry, or from `av_frame_get_buffer`, `av_frame_copy_props` or `sws_scale_frame`.
    /// - The corresponding FFmpeg functions are `av_frame_get_buffer`, `av_frame_copy_props`
    ///   and `sws_scale_frame`.
    public func scale(_ frame: Frame, into destination: Frame) throws(FFmpegError) {
        guard frame.width == sourceWidth, frame.height == sourceHeight, frame.pixelFormat == sourceFormat else {
            throw FFmpegError(
                code: .invalidArgument, function: "sws_scale_frame",
                message: "the frame is \(frame.width)x\(frame.height) \(frame.pixelFormat); "
                    + "this scaler was made for \(sourceWidth)x\(sourceHeight) \(sourceFormat)")
        }
        let output = destination.pointer
        let reusable =
            destination.hasBuffers && destination.width == width && destination.height == height
            && destination.pixelFormat == format && av_frame_is_writable(output) != 0
        if !reusable {
            // Allocated here rather than by sws_scale_frame, which would label a `yuvj` output
            // with the plain format libswscale converts it to internally (`yuv420p`).
            av_frame_unref(output)
            output.pointee.width = Int32(width)
            output.pointee.height = Int32(height)
            output.pointee.format = format.rawValue
            try FFmpegError.check(av_frame_get_buffer(output, 0), "av_frame_get_buffer")
            // Zero the new buffers: libswscale writes only the visible pixels, and an encoder's SIMD
            // code may read the row padding past them (libx264 reads up to 16 bytes beyond a 240
            // pixel chroma row). Left as malloc gave it, that padding would make the encoded bits
            // depend on whatever the memory held before: repeated runs would not be byte-identical.
            withUnsafeBytes(of: output.pointee.buf) { buffers in
                for case let buffer? in buffers.bindMemory(to: UnsafeMutablePointer<AVBufferRef>?.self) {
                    memset(buffer.pointee.data, 0, Int(buffer.pointee.size))
                }
            }
        }
        try FFmpegError.check(av_frame_copy_props(output, frame.pointer), "av_frame_copy_props")
        adjustProperties(of: output)
        try FFmpegError.check(sws_scale_frame(context, output, frame.pointer), "sws_scale_frame")
    }

    /// Fixes the properties copied from the source that the conversion changes: the pixel
    /// aspect ratio when the picture's proportions change (as FFmpeg's `scale` filter does),
    /// and the range, which the `yuvj` formats imply is full.
    private func adjustProperties(of output: UnsafeMutablePointer<AVFrame>) {
        let aspect = output.pointee.sample_aspect_ratio
        if aspect.num > 0 && aspect.den > 0 {
            var num: Int32 = 0
            var den: Int32 = 0
            av_reduce(
                &num, &den, Int64(aspect.num) * Int64(height) * Int64(sourceWidth),
                Int64(aspect.den) * Int64(width) * Int64(sourceHeight), Int64(Int32.max))
            output.pointee.sample_aspect_ratio = AVRational(num: num, den: den)
        }
        if format.name.hasPrefix("yuvj") {
            output.pointee.color_range = AVCOL_RANGE_JPEG
        } else if sourceFormat.name.hasPrefix("yuvj") {
            output.pointee.color_range = AVCOL_RANGE_UNSPECIFIED
        }
    }

    /// Converts `frame` into a new frame, keeping its timestamps.
    ///
    /// - Throws: as `scale(_:into:)`.
    public func scale(_ frame: Frame) throws(FFmpegError) -> Frame {
        let destination = Frame()
        try scale(frame, into: destination)
        return destination
    }
}
