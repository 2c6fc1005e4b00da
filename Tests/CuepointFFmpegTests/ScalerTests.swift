import CuepointTestSupport
import Testing

@testable import CuepointFFmpeg

@Suite(.ownThreads) struct ScalerTests {
    @Test func scalesToAQuarterKeepingTimestamps() throws {
        var scaler: Scaler?
        let reused = Frame()
        try TestMedia.decodeVideo(count: 3) { frame, _ in
            let active = try scaler ?? Scaler(from: frame, width: 320, height: 180, format: .yuv420p, algorithm: .area)
            scaler = active
            let scaled = try active.scale(frame)
            #expect(scaled.width == 320 && scaled.height == 180 && scaled.pixelFormat == .yuv420p)
            #expect(scaled.pts == frame.pts)
            try active.scale(frame, into: reused)
            #expect(reused.width == 320 && reused.height == 180 && reused.pts == frame.pts)
        }
    }

    @Test("a scaled picture's row padding is zero whatever its buffer held before (libx264 reads it; issue 16)")
    func rowPaddingIsZero() throws {
        try TestMedia.decodeVideo(count: 2) { frame, _ in
            // 426x240: 426 and 213 visible bytes in lines aligned to 32 or 64 bytes (448 and 224 here).
            let scaler = try Scaler(from: frame, width: 426, height: 240, format: .yuv420p)
            let reused = Frame()
            try scaler.scale(frame, into: reused)
            let padding = reused.rowPadding()
            try #require(padding.count >= 240 * (448 - 426) + 2 * 120 * (224 - 213), "the lines are padded, as this test needs")
            #expect(padding.allSatisfy { $0 == 0 })
            // The buffer is reused: what its padding held must not survive the next picture.
            reused.fillRowPadding(with: 0xA5)
            #expect(reused.rowPadding().allSatisfy { $0 == 0xA5 })
            try scaler.scale(frame, into: reused)
            #expect(reused.rowPadding().allSatisfy { $0 == 0 })
        }
    }

    @Test func convertsPixelFormats() throws {
        try TestMedia.decodeVideo(count: 1) { frame, _ in
            for format in [PixelFormat.yuvj420p, .nv12, .rgb24] {
                let scaled = try Scaler(from: frame, width: 640, height: 360, format: format).scale(frame)
                #expect(
                    scaled.pixelFormat == format && scaled.width == 640,
                    "\(format) -> \(scaled.pixelFormat) \(scaled.width)")
            }
        }
    }

    @Test func aFrameOfAnotherSizeIsNamed() throws {
        let scaler = try Scaler(
            sourceWidth: 640, sourceHeight: 360, sourceFormat: .yuv420p, width: 320, height: 180, format: .yuv420p)
        let wrong = try Frame(width: 160, height: 90, pixelFormat: .yuv420p)
        #expect {
            _ = try scaler.scale(wrong)
        } throws: { error in
            guard let error = error as? FFmpegError else { return false }
            return error.code == .invalidArgument && error.message.contains("160x90")
                && error.message.contains("640x360")
        }
    }
}
