internal import CCuepointFFmpeg
import Glibc

/// The row padding of a picture: in each plane, the bytes of a line past its visible pixels
/// (`linesize` is aligned for SIMD code, so a 426-pixel `yuv420p` picture has 448-byte luma lines
/// and 224-byte chroma lines for 213 visible bytes). Encoders' SIMD code may read it, so what it
/// holds must not depend on chance: ``Scaler`` zeroes it after every conversion.
extension Frame {
    /// Sets every padding byte of every plane to `byte`.
    func fillRowPadding(with byte: UInt8) {
        forEachRowPadding { start, count in memset(start, Int32(byte), count) }
    }

    /// The padding bytes of every row of every plane, in memory order; empty when the lines have
    /// no padding.
    func rowPadding() -> [UInt8] {
        var bytes: [UInt8] = []
        forEachRowPadding { start, count in bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: count)) }
        return bytes
    }

    /// Calls `body` with the start and length of each row's padding.
    private func forEachRowPadding(_ body: (UnsafeMutablePointer<UInt8>, Int) -> Void) {
        let frame = pointer
        let format = AVPixelFormat(rawValue: frame.pointee.format)
        guard let descriptor = av_pix_fmt_desc_get(format) else { return }
        let height = Int(frame.pointee.height)
        let chromaRows = -((-height) >> Int(descriptor.pointee.log2_chroma_h))
        let planes = withUnsafeBytes(of: frame.pointee.data) { Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)) }
        let lines = withUnsafeBytes(of: frame.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        for plane in 0..<min(4, planes.count) {
            guard let base = planes[plane], lines[plane] > 0 else { continue }
            let line = Int(lines[plane])
            let visible = Int(av_image_get_linesize(format, frame.pointee.width, Int32(plane)))
            guard visible > 0, visible < line else { continue }
            // Chroma planes of subsampled formats have fewer rows; luma and alpha have all.
            let rows = (plane == 1 || plane == 2) && descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0 ? chromaRows : height
            for row in 0..<rows { body(base + row * line + visible, line - visible) }
        }
    }
}
