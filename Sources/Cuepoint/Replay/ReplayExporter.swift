import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// What an export produced.
public struct ReplayResult: Sendable {
    /// The package directory.
    public var directory: String
    public var durationMilliseconds: Int64
    public var renditions: [String]
    public var chapters: Int
    public var products: Int
    public var clips: Int
    public var thumbnails: Int
    /// Whether the segments had to be copied (the output is on another file system).
    public var copiedSegments: Bool
    /// What was dropped, repaired, clipped or skipped, one sentence each.
    public var notes: [String]
    /// Vertical shorts written, whether `reel.mp4` was, posters written (two per product),
    /// storyboard sheets, and the caption languages.
    public var shorts: Int = 0
    public var reel: Bool = false
    public var posters: Int = 0
    public var storyboardSheets: Int = 0
    public var captions: [String] = []
}

/// Turns a recording into a shoppable replay package (architecture: Replay).
///
/// ```
/// OUT/master.m3u8            VOD multivariant: SESSION-DATA chapters, I-FRAME-STREAM-INF
/// OUT/<rendition>/index.m3u8 VOD playlist, every product a closed EXT-X-DATERANGE
/// OUT/<rendition>/iframes.m3u8   I-frames only, byte ranges into the same segments
/// OUT/<rendition>/seg_*, init.mp4  the recording's segments, hard-linked (not copied)
/// OUT/chapters.json  chapters.vtt  products.json  products.vtt  replay.json  index.html
/// OUT/replay.mp4  clips/<id>.mp4  thumbnails/<id>.jpg  posters/<id>-16x9.jpg  -9x16.jpg
/// OUT/storyboard.jpg  storyboard.vtt       the scrub bar's pictures
/// OUT/shorts/<id>.mp4  reel.mp4            vertical videos (when asked for)
/// OUT/subtitles/<lang>/index.m3u8  captions/<lang>.vtt   captions (when given)
/// ```
///
/// The media is read once: the main rendition (the highest-bandwidth video rendition) is
/// remuxed into `replay.mp4` while the clips are cut and the thumbnails' groups of pictures
/// are handed to a decoding thread (with the posters) and one keyframe per storyboard tile to
/// another; other video renditions are read only for their I-frame index. The shorts and the
/// reel are rendered afterwards from the segments holding each window.
public enum ReplayExporter {
    /// Exports `recordingDirectory` into `outputDirectory`.
    ///
    /// Blocking: call it from a thread of your own (it runs FFmpeg's blocking calls).
    ///
    /// - Throws: ``CuepointError`` naming what failed and the fix; the output directory is then
    ///   left as it was.
    public static func export(
        recordingDirectory: String, outputDirectory: String, options: ReplayOptions = ReplayOptions()
    ) throws(CuepointError) -> ReplayResult {
        let source = try ReplaySource.load(directory: recordingDirectory)
        return try export(source: source, outputDirectory: outputDirectory, options: options)
    }

    /// Exports an already loaded recording.
    public static func export(source: ReplaySource, outputDirectory: String, options: ReplayOptions) throws(CuepointError)
        -> ReplayResult
    {
        let staging = try ReplayStaging(destination: outputDirectory, recording: source.directory, force: options.force)
        do throws(CuepointError) {
            var build = ReplayBuild(source: source, staging: staging, options: options)
            let result = try build.run()
            try staging.commit()
            return result
        } catch {
            staging.discard()
            throw error
        }
    }
}
