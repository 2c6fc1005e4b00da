import CuepointTestSupport
import CuepointFFmpeg
import CuepointTime
import Foundation
import Testing

@Suite(.ownThreads) struct JPEGEncoderTests {
    @Test func makesAThumbnailThatFFprobeReadsAsMJPEG() throws {
        let encoder = try JPEGEncoder(width: 320, quality: 3)
        var images: [[UInt8]] = []
        try TestMedia.decodeVideo(count: 2) { frame, _ in images.append(try encoder.encode(frame)) }
        #expect(images.count == 2)
        let image = try #require(images.first)
        #expect(Array(image.prefix(2)) == [0xFF, 0xD8])  // SOI
        #expect(Array(image.suffix(2)) == [0xFF, 0xD9])  // EOI
        let path = TestMedia.temporaryPath(".jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(image).write(to: URL(fileURLWithPath: path))
        let probe = try TestMedia.ffprobe([
            "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", path,
        ])
        #expect(probe.trimmingCharacters(in: .whitespacesAndNewlines) == "mjpeg,320,180")
    }

    @Test func qualityChangesTheSize() throws {
        let best = try JPEGEncoder(width: 320, quality: 2)
        let worst = try JPEGEncoder(width: 320, quality: 31)
        var sizes: (Int, Int) = (0, 0)
        try TestMedia.decodeVideo(count: 1) { frame, _ in
            sizes = (try best.encode(frame).count, try worst.encode(frame).count)
        }
        #expect(sizes.0 > sizes.1 * 2)
    }

    @Test func keepsTheAspectWithEvenDimensions() throws {
        let encoder = try JPEGEncoder(width: 201)
        #expect(encoder.imageSize(sourceWidth: 640, sourceHeight: 360) == (200, 112))  // 112.5 → 112
        #expect(encoder.imageSize(sourceWidth: 1920, sourceHeight: 1080) == (200, 112))
        #expect(
            encoder.imageSize(sourceWidth: 720, sourceHeight: 576, sampleAspectRatio: Rational(16, 15)) == (200, 150))
        #expect(encoder.imageSize(sourceWidth: 360, sourceHeight: 640) == (200, 356))
    }

    @Test func rejectsOutOfRangeSettings() {
        #expect(throws: FFmpegError.self) { _ = try JPEGEncoder(width: 320, quality: 0) }
        #expect(throws: FFmpegError.self) { _ = try JPEGEncoder(width: 1) }
    }
}
