/// # CuepointFFmpeg
///
/// The only module that touches FFmpeg's C API. It sits at the bottom of the flow:
///
/// ```
/// Demuxer ──Packet──► (Cuepoint: cut, place on the timeline) ──Packet──► Muxer ──bytes──► ByteSink or file
/// ```
///
/// When pictures or sound must change (thumbnails, a replay export, an ABR ladder), packets
/// take the longer way through the codecs:
///
/// ```
/// Packet ──► Decoder ──Frame──► Scaler ──Frame──► Encoder ──Packet──► Muxer.addStream(encoder:)
///                         └──► JPEGEncoder ──► JPEG bytes
/// ```
///
/// Each type owns its C pointer privately, frees it in `deinit`, and hands out Swift values
/// (`StreamInfo`, `MediaTime`, `[UInt8]`), never pointers. Every C failure becomes an
/// `FFmpegError` that names the function that failed. Blocking calls (`Demuxer.read`,
/// `Muxer.write`) must run on a thread of their own, never on Swift's cooperative pool.
/// The module knows nothing of HLS.
public enum FFmpegLibrary {
    /// The libavformat version string, e.g. `59.27.100`.
    public static var formatVersion: String {
        let version = avformat_version()
        return "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)"
    }
}

internal import CCuepointFFmpeg
