import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

// The checks every integration test applies to what a run wrote. They judge the output with
// our strict playlist parser and with ffprobe/GStreamer, never with Cuepoint's own media code.

/// A recording as the checks found it: parsed playlists and, per segment, ffprobe's view.
struct CheckedRecording {
    var directory: URL
    var masterText: String
    var master: MultivariantPlaylist
    var renditions: [CheckedRendition]

    /// The first (usually only) rendition.
    var rendition: CheckedRendition { renditions[0] }
}

struct CheckedRendition {
    /// The media playlist, as the multivariant playlist names it.
    var playlistURL: URL
    var text: String
    var playlist: MediaPlaylist
    /// Whether the segments carry video (then the checks below look at video packets, else audio).
    var hasVideo: Bool
    var segments: [CheckedSegment]

    /// The sum of the EXTINF durations.
    var totalMilliseconds: Int64 { playlist.segments.reduce(0) { $0 + $1.durationMilliseconds } }
    var discontinuityCount: Int { playlist.segments.filter(\.discontinuity).count }
}

struct CheckedSegment {
    var segment: MediaSegment
    var file: URL
    /// The packets of the cut stream (video, else audio), in file order.
    var packets: [ProbePacket]
    /// The presentation time of the first packet in file order, in seconds.
    var firstPTS: Double
    /// The latest presentation end (pts + duration) of any packet, in seconds.
    var end: Double
    /// The longest packet duration: "one frame".
    var frameDuration: Double
}

/// A problem that makes the rest of a check meaningless (a missing or unparsable file).
struct RecordingProblem: Error, CustomStringConvertible {
    var description: String
}

// MARK: - The recording

/// Checks everything a finished recording in `directory` must satisfy and returns what it found:
///
/// - `master.m3u8` and every media playlist it names parse with our strict parsers;
///   BANDWIDTH ≥ AVERAGE-BANDWIDTH;
/// - EXTINF is written with exactly three decimals; every EXTINF rounded (halves up) is at most
///   EXT-X-TARGETDURATION, which is the configured target rounded unless a segment needs more;
/// - every listed segment exists, no `.tmp` file is left; fMP4 segments are `.m4s` after an
///   EXT-X-MAP whose file exists, TS segments are `.ts` without one;
/// - with ffprobe (the init section prepended for fMP4): each segment's first packet of the
///   cut stream is a keyframe, and, except across EXT-X-DISCONTINUITY, each segment starts
///   within one frame of where the previous one ended.
///
/// - Parameters:
///   - container: the container the run was asked for.
///   - segmentMilliseconds: the configured target duration.
@discardableResult
func verifyRecording(
    directory: URL, container: Container, segmentMilliseconds: Int64 = 6_000, allowFrameGaps: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> CheckedRecording {
    let masterURL = directory.appendingPathComponent("master.m3u8")
    let masterText = try readText(masterURL)
    let master = try parse(masterURL, masterText) { text throws(PlaylistParseError) in
        try MultivariantPlaylist(parsing: text)
    }
    #expect(!master.variants.isEmpty, "master.m3u8 lists no variant:\n\(masterText)", sourceLocation: sourceLocation)
    var renditions: [CheckedRendition] = []
    for variant in master.variants {
        #expect(variant.bandwidth > 0, "BANDWIDTH of \(variant.uri)", sourceLocation: sourceLocation)
        if let average = variant.averageBandwidth {
            #expect(
                variant.bandwidth >= average, "BANDWIDTH (peak) below AVERAGE-BANDWIDTH for \(variant.uri)",
                sourceLocation: sourceLocation)
        }
        renditions.append(
            try verifyMediaPlaylist(
                directory.appendingPathComponent(variant.uri), container: container,
                segmentMilliseconds: segmentMilliseconds, allowFrameGaps: allowFrameGaps, sourceLocation: sourceLocation))
    }
    expectNoTemporaryFiles(in: directory, sourceLocation: sourceLocation)
    return CheckedRecording(directory: directory, masterText: masterText, master: master, renditions: renditions)
}

/// The media-playlist part of `verifyRecording` for one playlist (`index.m3u8` or `live.m3u8`).
func verifyMediaPlaylist(
    _ playlistURL: URL, container: Container, segmentMilliseconds: Int64 = 6_000, allowFrameGaps: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> CheckedRendition {
    let text = try readText(playlistURL)
    let playlist = try parse(playlistURL, text) { text throws(PlaylistParseError) in try MediaPlaylist(parsing: text) }
    let folder = playlistURL.deletingLastPathComponent()
    let name = playlistURL.lastPathComponent
    guard !playlist.segments.isEmpty else { throw RecordingProblem(description: "\(playlistURL.path) lists no segment") }

    // EXTINF with millisecond precision, exactly as written.
    for line in text.split(separator: "\n") where line.hasPrefix("#EXTINF:") {
        #expect(
            line.wholeMatch(of: /#EXTINF:[0-9]+\.[0-9]{3},.*/) != nil, "\(name): EXTINF not in milliseconds: \(line)",
            sourceLocation: sourceLocation)
    }
    // EXT-X-TARGETDURATION: each EXTINF rounded to the nearest second (halves up) fits, and it
    // is no larger than the configured target or the longest segment needs.
    let longestRounded = playlist.segments.map { roundedSeconds($0.durationMilliseconds) }.max() ?? 0
    #expect(
        longestRounded <= playlist.targetDuration,
        "\(name): a segment rounds to \(longestRounded) s, above TARGETDURATION \(playlist.targetDuration)",
        sourceLocation: sourceLocation)
    #expect(
        playlist.targetDuration == max(roundedSeconds(segmentMilliseconds), longestRounded),
        "\(name): TARGETDURATION \(playlist.targetDuration) for a \(segmentMilliseconds) ms target and segments up to \(longestRounded) s",
        sourceLocation: sourceLocation)

    // Files, and the initialization section of fMP4.
    let fileManager = FileManager.default
    for segment in playlist.segments {
        #expect(
            fileManager.fileExists(atPath: folder.appendingPathComponent(segment.uri).path),
            "\(name) lists \(segment.uri), which does not exist", sourceLocation: sourceLocation)
        switch container {
        case .ts:
            #expect(segment.uri.hasSuffix(".ts") && segment.map == nil, "\(name): \(segment.uri) is not a plain TS segment", sourceLocation: sourceLocation)
        case .fmp4:
            #expect(segment.uri.hasSuffix(".m4s"), "\(name): \(segment.uri) is not an .m4s segment", sourceLocation: sourceLocation)
            if let map = segment.map {
                #expect(
                    fileManager.fileExists(atPath: folder.appendingPathComponent(map.uri).path),
                    "\(name): EXT-X-MAP \(map.uri) does not exist", sourceLocation: sourceLocation)
            } else {
                Issue.record("\(name): \(segment.uri) has no EXT-X-MAP", sourceLocation: sourceLocation)
            }
        }
    }
    if container == .fmp4 {
        #expect(text.contains("#EXT-X-MAP:URI="), "\(name) has no EXT-X-MAP", sourceLocation: sourceLocation)
        #expect(
            playlist.segments.first?.map?.uri == "init.mp4", "\(name): the first EXT-X-MAP is not init.mp4",
            sourceLocation: sourceLocation)
    }

    // Every segment with ffprobe.
    let scratch = try TemporaryDirectory.make(label: "probe")
    defer { try? fileManager.removeItem(at: scratch) }
    let firstProbe = try probePath(of: playlist.segments[0], in: folder, scratch: scratch)
    let hasVideo = try FFprobe.streams(of: firstProbe).contains { $0.codecType == "video" }
    let stream = hasVideo ? "v:0" : "a:0"
    var checked: [CheckedSegment] = []
    for segment in playlist.segments {
        let packets = try FFprobe.packets(of: try probePath(of: segment, in: folder, scratch: scratch), stream: stream)
        guard let first = packets.first, let firstPTS = first.ptsTime else {
            Issue.record("\(name): ffprobe finds no timed \(stream) packet in \(segment.uri)", sourceLocation: sourceLocation)
            continue
        }
        #expect(
            first.isKeyframe, "\(name): \(segment.uri) does not start with a keyframe (first \(stream) packet at \(firstPTS) s)",
            sourceLocation: sourceLocation)
        let end = packets.compactMap { packet in packet.ptsTime.map { $0 + (packet.durationTime ?? 0) } }.max() ?? firstPTS
        let frame = packets.compactMap(\.durationTime).max() ?? 1.0 / 30
        checked.append(CheckedSegment(segment: segment, file: folder.appendingPathComponent(segment.uri), packets: packets, firstPTS: firstPTS, end: end, frameDuration: frame))
    }
    for (previous, next) in zip(checked, checked.dropFirst()) where !next.segment.discontinuity {
        let gap = next.firstPTS - previous.end
        // A variable-frame-rate input may have no frame for a while: then only overlaps are wrong.
        #expect(
            (allowFrameGaps ? max(0, -gap) : abs(gap)) <= previous.frameDuration + 1e-6,
            "\(name): \(next.segment.uri) starts at \(next.firstPTS) s but \(previous.segment.uri) ends at \(previous.end) s",
            sourceLocation: sourceLocation)
    }
    return CheckedRendition(playlistURL: playlistURL, text: text, playlist: playlist, hasVideo: hasVideo, segments: checked)
}

/// Checks that a failed or partial run left nothing broken behind: when it published a
/// `master.m3u8`, the recording passes `verifyRecording` and its playlists are finished
/// (EXT-X-ENDLIST); either way no `.tmp` file is left. Returns the recording when there is one.
@discardableResult
func verifyWhateverWasWritten(
    directory: URL, container: Container = .ts, segmentMilliseconds: Int64 = 6_000, allowFrameGaps: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> CheckedRecording? {
    expectNoTemporaryFiles(in: directory, sourceLocation: sourceLocation)
    guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("master.m3u8").path) else {
        let playlists = filesBelow(directory).filter { $0.hasSuffix(".m3u8") }
        #expect(playlists.isEmpty, "media playlists without a master.m3u8: \(playlists)", sourceLocation: sourceLocation)
        return nil
    }
    let recording = try verifyRecording(
        directory: directory, container: container, segmentMilliseconds: segmentMilliseconds, allowFrameGaps: allowFrameGaps,
        sourceLocation: sourceLocation)
    for rendition in recording.renditions {
        #expect(rendition.playlist.endList, "\(rendition.playlistURL.path) is not finished", sourceLocation: sourceLocation)
    }
    return recording
}

// MARK: - Comparisons with the source

/// What ffprobe says about a source's streams, beyond `FFprobe.streams`.
struct SourceStream: Decodable {
    var codec_type: String?
    var codec_name: String?
    var profile: String?
    var level: Int?
    var width: Int?
    var height: Int?
    var avg_frame_rate: String?
    var duration: String?
    var sample_rate: String?

    static func all(of path: String) throws -> [SourceStream] {
        struct Output: Decodable { var streams: [SourceStream]? }
        guard let ffprobe = ExternalProgram.which("ffprobe") else { throw ProbeError.notInstalled("ffprobe") }
        let args = [
            "-v", "error", "-of", "json", "-show_entries",
            "stream=codec_type,codec_name,profile,level,width,height,avg_frame_rate,duration,sample_rate", path,
        ]
        let output = try ExternalProgram.run(ffprobe, args)
        guard output.status == 0 else {
            throw ProbeError.failed(command: "ffprobe " + args.joined(separator: " "), status: output.status, stderr: output.stderrText)
        }
        return try JSONDecoder().decode(Output.self, from: output.stdout).streams ?? []
    }

    var frameRate: Double? {
        guard let text = avg_frame_rate else { return nil }
        let parts = text.split(separator: "/").compactMap { Double($0) }
        guard parts.count == 2, parts[1] != 0, parts[0] != 0 else { return nil }
        return parts[0] / parts[1]
    }

    /// The RFC 6381 CODECS entry this stream should get, derived from ffprobe's profile and
    /// level; nil for what this test does not know how to derive.
    var expectedCodecString: String? {
        switch (codec_name, profile) {
        case ("h264", "High"?):
            // profile_idc 100; x264's High streams set no constraint flags.
            guard let level else { return nil }
            return "avc1.6400" + String(format: "%02x", level)
        case ("aac", "LC"?): return "mp4a.40.2"
        case ("aac", "HE-AAC"?): return "mp4a.40.5"
        default: return nil
        }
    }
}

/// Checks the variant's CODECS, RESOLUTION and FRAME-RATE against ffprobe's view of the source.
func expectVariantDescribes(
    source: String, recording: CheckedRecording, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let streams = try SourceStream.all(of: source).filter { $0.codec_type == "video" || $0.codec_type == "audio" }
    let codecs = try streams.map { stream in
        try #require(
            stream.expectedCodecString, "no expected CODECS entry for \(stream.codec_name ?? "?") \(stream.profile ?? "?")",
            sourceLocation: sourceLocation)
    }
    let video = streams.first { $0.codec_type == "video" }
    for variant in recording.master.variants {
        #expect(variant.codecs == codecs, "CODECS of \(variant.uri)", sourceLocation: sourceLocation)
        if let video, let width = video.width, let height = video.height, let rate = video.frameRate {
            #expect(variant.resolution == Resolution(width: width, height: height), sourceLocation: sourceLocation)
            let written = variant.frameRate.map { Double($0.numerator) / Double($0.denominator) }
            #expect(
                written.map { abs($0 - rate) < 0.0005 } == true, "FRAME-RATE \(String(describing: written)), source \(rate)",
                sourceLocation: sourceLocation)
        } else {
            #expect(variant.resolution == nil && variant.frameRate == nil, "an audio-only variant has no RESOLUTION/FRAME-RATE", sourceLocation: sourceLocation)
        }
    }
}

/// Checks that the EXTINF durations add up to the duration ffprobe gives the source's cut
/// stream (video, else audio), within one frame of that stream.
func expectDurationMatchesSource(
    _ rendition: CheckedRendition, source: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let streams = try SourceStream.all(of: source)
    let stream = try #require(
        streams.first { $0.codec_type == (rendition.hasVideo ? "video" : "audio") }, sourceLocation: sourceLocation)
    let duration = try #require(stream.duration.flatMap(Double.init), "ffprobe gives no duration", sourceLocation: sourceLocation)
    let frame: Double =
        rendition.hasVideo
        ? 1 / (stream.frameRate ?? 30) : 1024 / (stream.sample_rate.flatMap(Double.init) ?? 48_000)
    let total = Double(rendition.totalMilliseconds) / 1000
    #expect(
        abs(total - duration) <= frame + 0.0005, "EXTINF sum \(total) s, source stream \(duration) s (one frame \(frame) s)",
        sourceLocation: sourceLocation)
}

/// Checks that EXT-X-PROGRAM-DATE-TIME runs on without a gap or an overlap: every segment's
/// date is the previous segment's date plus its EXTINF, across discontinuities too.
func expectContinuousProgramDateTime(_ playlist: MediaPlaylist, sourceLocation: SourceLocation = #_sourceLocation) {
    for (previous, next) in zip(playlist.segments, playlist.segments.dropFirst()) {
        guard let before = previous.programDateTime, let after = next.programDateTime else {
            Issue.record("\(next.uri) or \(previous.uri) has no EXT-X-PROGRAM-DATE-TIME", sourceLocation: sourceLocation)
            continue
        }
        let across = next.discontinuity ? " across the discontinuity" : ""
        #expect(
            after.millisecondsSince1970 == before.millisecondsSince1970 + previous.durationMilliseconds,
            "PROGRAM-DATE-TIME of \(next.uri) (\(after)) is not \(previous.uri)'s (\(before)) + \(previous.durationMilliseconds) ms\(across)",
            sourceLocation: sourceLocation)
    }
}

// MARK: - Playback

/// Plays `playlist` to the end with GStreamer and checks it finished without error, and
/// with exactly `videoFrames` decoded frames / `audioBuffers` audio buffers when given.
@discardableResult
func expectPlays(
    _ playlist: URL, videoFrames: Int? = nil, audioBuffers: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
) throws -> GStreamer.PlayResult {
    // Playing through a real player is part of every test that calls this: without GStreamer the
    // test fails with the fix, never passes with the check left out.
    try #require(GStreamer.isInstalled, "GStreamer is missing: scripts/setup.sh --test installs it", sourceLocation: sourceLocation)
    let result = try GStreamer.play(playlist.path)
    #expect(result.ok, "GStreamer: \(result.error)", sourceLocation: sourceLocation)
    if let videoFrames {
        #expect(result.videoFrames == videoFrames, "decoded video frames", sourceLocation: sourceLocation)
    }
    if let audioBuffers {
        #expect(result.audioBuffers == audioBuffers, "decoded audio buffers", sourceLocation: sourceLocation)
    }
    #expect(result.videoFrames + result.audioBuffers > 0, "nothing decoded", sourceLocation: sourceLocation)
    return result
}

/// The number of packets of `stream` in `path`, as ffprobe counts them.
func packetCount(of path: String, stream: String) throws -> Int {
    try FFprobe.packets(of: path, stream: stream).count
}

// MARK: - Helpers

/// Milliseconds rounded to whole seconds, halves up (the RFC's "rounded to the nearest integer").
func roundedSeconds(_ milliseconds: Int64) -> Int { Int((milliseconds + 500) / 1000) }

func expectNoTemporaryFiles(in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) {
    let leftovers = filesBelow(directory).filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)", sourceLocation: sourceLocation)
}

/// Paths of the regular files below `directory`, relative to it.
func filesBelow(_ directory: URL) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
    var files: [String] = []
    while let path = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory),
            !isDirectory.boolValue
        {
            files.append(path)
        }
    }
    return files.sorted()
}

private func readText(_ url: URL) throws -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw RecordingProblem(description: "\(url.path) does not exist")
    }
    return String(decoding: data, as: UTF8.self)
}

private func parse<T>(_ url: URL, _ text: String, _ parser: (String) throws(PlaylistParseError) -> T) throws -> T {
    do {
        return try parser(text)
    } catch {
        throw RecordingProblem(description: "\(url.path) is rejected by the strict parser: \(error)\n\(text)")
    }
}

/// The file ffprobe should read for `segment`: the segment itself, or for fMP4 the init
/// section and the segment joined in `scratch`.
private func probePath(of segment: MediaSegment, in folder: URL, scratch: URL) throws -> String {
    let file = folder.appendingPathComponent(segment.uri)
    guard let map = segment.map else { return file.path }
    var data = try Data(contentsOf: folder.appendingPathComponent(map.uri))
    data.append(try Data(contentsOf: file))
    let joined = scratch.appendingPathComponent(segment.uri + ".mp4")
    try data.write(to: joined)
    return joined.path
}

// MARK: - Command-line reports

/// Checks how a failed or warned-about `cuepoint` run reported: the exit code, and exactly one
/// error line on standard error, last, in the `cuepoint: <subject>: <cause>; <fix>` form, that
/// mentions each of `mentions`. Warning lines (`cuepoint: warning: …`) before it are allowed
/// only when `allowWarnings` is set.
func expectOneLineError(
    _ result: CuepointCLI.Result, exitCode: Int32, mentions: [String], allowWarnings: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status == exitCode, "exit code; \(result)", sourceLocation: sourceLocation)
    #expect(result.errorLines.count == 1, "expected one error line on stderr; \(result)", sourceLocation: sourceLocation)
    if !allowWarnings {
        #expect(result.stderrLines.count == 1, "expected stderr to be one line; \(result)", sourceLocation: sourceLocation)
    }
    guard let line = result.errorLines.last else { return }
    #expect(result.stderrLines.last == line, "the error line comes last; \(result)", sourceLocation: sourceLocation)
    #expect(line.hasPrefix("cuepoint: "), "error line format: \(line)", sourceLocation: sourceLocation)
    for text in mentions {
        #expect(line.contains(text), "the error line should mention \"\(text)\": \(line)", sourceLocation: sourceLocation)
    }
}
