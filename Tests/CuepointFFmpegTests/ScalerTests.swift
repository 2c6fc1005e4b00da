import CuepointTestSupport
import CuepointFFmpeg
import Testing

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
