import CuepointFFmpeg
import Foundation

/// Opens an input and turns FFmpeg's failures into errors that name the input, the cause
/// and the fix.
enum InputOpener {
    /// The streams a copy rendition carries: the first video stream and the first audio stream.
    struct Selection {
        var video: StreamInfo?
        var audio: StreamInfo?
        var ignored: [StreamInfo]
        var streams: [StreamInfo] { [video, audio].compactMap { $0 } }
        /// The stream whose packets decide the cuts: video, else audio.
        var cutStream: StreamInfo { video ?? audio! }
    }

    static func open(url: String, format: String?, options: [String: String], interrupt: InterruptPolicy)
        throws(CuepointError) -> Demuxer
    {
        let isLocalFile = !url.contains("://") && !url.hasPrefix("pipe:") && url != "-"
        if isLocalFile {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url, isDirectory: &isDirectory) else {
                throw CuepointError(subject: url, message: "no such file", fix: "check the input path")
            }
            if isDirectory.boolValue {
                throw CuepointError(subject: url, message: "is a directory, not a media file", fix: "name a media file")
            }
            let attributes = try? FileManager.default.attributesOfItem(atPath: url)
            let isRegular = (attributes?[.type] as? FileAttributeType) == .typeRegular
            // A FIFO or device has no size; only a regular file can be empty.
            if isRegular, (attributes?[.size] as? NSNumber)?.int64Value == 0 {
                throw CuepointError(subject: url, message: "the file is empty (0 bytes)", fix: "check that it was written completely")
            }
        }
        do {
            return try Demuxer(url: url == "-" ? "pipe:0" : url, format: format, options: options, interrupt: interrupt)
        } catch {
            throw describe(error, url: url)
        }
    }

    static func describe(_ error: FFmpegError, url: String) -> CuepointError {
        switch error.code {
        case .invalidData:
            CuepointError(
                subject: url, message: "not a media file FFmpeg can read (\(error.message))",
                fix: "check that the file is a complete video or audio file")
        case .noSuchFile:
            CuepointError(subject: url, message: "no such file", fix: "check the input path")
        case .demuxerNotFound:
            CuepointError(subject: url, message: error.message, fix: "check `input.format` (see `ffmpeg -demuxers`)")
        case .exit:
            CuepointError(subject: url, message: "opening the input was cancelled")
        case .timedOut:
            CuepointError(subject: url, message: "no data arrived before the read timeout", fix: "check that the source is sending")
        default:
            CuepointError(subject: url, message: "cannot open the input (\(error.function): \(error.message))")
        }
    }

    static func select(_ streams: [StreamInfo], url: String) throws(CuepointError) -> Selection {
        let video = streams.first { $0.mediaType == .video && $0.width > 0 && !$0.isAttachedPicture }
        let audio = streams.first { $0.mediaType == .audio }
        guard video != nil || audio != nil else {
            let found = streams.isEmpty ? "no streams" : streams.map { "\($0.mediaType.rawValue) (\($0.codec.name))" }.joined(separator: ", ")
            throw CuepointError(
                subject: url, message: "has no audio or video stream to segment (found: \(found))",
                fix: "give an input with H.264/HEVC video or AAC audio")
        }
        let chosen = Set([video?.index, audio?.index].compactMap { $0 })
        return Selection(video: video, audio: audio, ignored: streams.filter { !chosen.contains($0.index) })
    }
}
