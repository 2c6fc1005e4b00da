import CuepointFFmpeg

/// When a pipeline records through the transport stream copy path instead of demuxing and
/// muxing every packet with libavformat. Pure decisions; the runner acts on them and says which
/// path it took (``RunSummary/readPath``, the `cuepoint_transport_stream_copy` gauge).
///
/// The path applies to MPEG-TS input copied into MPEG-TS segments: every rendition copies, no
/// LL-HLS parts, the input a local file or UDP that ``UDPInputAddress`` reads, and (after FFmpeg
/// probed it) an MPEG-TS stream whose video is H.264 or HEVC. Anything else takes the
/// libavformat path, which handles every input and output.
///
/// Both paths give the same playlists for the same input: the units the splitter hands over
/// have the timestamps, keyframe flags and order that libavformat gives the slow path's packets,
/// and the session decides cuts, EXTINF, PROGRAM-DATE-TIME and markers from them alone. The
/// segments' bytes differ (the input's PES packets and PIDs are kept; FFmpeg's muxer rewrites
/// them), not the frames they decode to.
enum TransportStreamCopy {
    /// Where the copy path reads from.
    enum Source: Equatable {
        case file(path: String)
        case udp(UDPInputAddress)
    }

    /// The source the copy path would read, or why the pipeline itself rules it out.
    static func source(for spec: PipelineSpec) -> Result<Source, Ineligible> {
        if spec.output.container != .ts { return .failure(Ineligible("the segments are fMP4")) }
        if spec.renditions.contains(where: \.transcodes) { return .failure(Ineligible("a rendition is encoded")) }
        if spec.output.partDuration != nil { return .failure(Ineligible("LL-HLS parts are cut")) }
        let input = spec.input
        switch input.scheme {
        case nil where !input.isLive:
            return .success(.file(path: input.url))
        case "file" where !input.isLive:
            return .success(.file(path: String(input.url.dropFirst("file:".count))))
        case "udp":
            if let format = input.format, format != "mpegts" { return .failure(Ineligible("input.format is \(format)")) }
            switch UDPInputAddress.parse(input.url, options: input.options) {
            case .success(let address): return .success(.udp(address))
            case .failure(let unsupported): return .failure(Ineligible("the UDP input uses \(unsupported.reason)"))
            }
        default:
            return .failure(Ineligible("the input is \(input.isLive ? "live " : "")\(input.scheme ?? "a file")"))
        }
    }

    /// The splitter's streams for a probed input, or why the input rules the path out.
    static func streams(formatName: String, selection: InputOpener.Selection) -> Result<
        [TransportStreamSplitter.Stream], Ineligible
    > {
        guard formatName == "mpegts" else { return .failure(Ineligible("the input is \(formatName), not MPEG-TS")) }
        guard let video = selection.video else {
            return .failure(Ineligible("the input has no video (audio is cut on single frames)"))
        }
        let codec: KeyframeScan.Codec
        switch video.codec {
        case .h264: codec = .h264
        case .hevc: codec = .hevc
        default: return .failure(Ineligible("the video is \(video.codec.name), not H.264 or HEVC"))
        }
        var streams = [TransportStreamSplitter.Stream(index: video.index, pid: UInt16(truncatingIfNeeded: video.id), kind: .video(codec))]
        if let audio = selection.audio {
            streams.append(
                TransportStreamSplitter.Stream(
                    index: audio.index, pid: UInt16(truncatingIfNeeded: audio.id),
                    kind: audio.codec == .aac ? .aac(sampleRate: audio.sampleRate) : .audio))
        }
        return .success(streams)
    }

    /// Why the copy path does not apply.
    struct Ineligible: Error, Equatable, CustomStringConvertible {
        var reason: String
        init(_ reason: String) { self.reason = reason }
        var description: String { reason }
    }
}
