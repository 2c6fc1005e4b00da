public import CuepointFFmpeg
public import CuepointRTMP

/// An RTMP publish session (Cuepoint's own server) as the byte source of a demuxer: the
/// session's FLV stream goes to libavformat's FLV demuxer through a custom AVIO context.
///
/// ```swift
/// let demuxer = try Demuxer(source: RTMPSessionSource(session), format: "flv", interrupt: interrupt)
/// ```
///
/// When the source is released (the demuxer closed), the session is ended, which closes the
/// publisher's connection: nobody reads it any more.
public final class RTMPSessionSource: ByteSource {
    public let session: PublishSession

    public init(_ session: PublishSession) {
        self.session = session
    }

    deinit { session.end() }

    public func read(into destination: UnsafeMutableRawBufferPointer, waitingAtMost nanoseconds: UInt64) -> ByteSourceRead {
        switch session.read(into: destination, waitingAtMost: nanoseconds) {
        case .bytes(let count): .bytes(count)
        case .nothingYet: .nothingYet
        case .ended: .end
        }
    }

    /// The FFmpeg demuxer that reads this kind of source.
    public static let format = "flv"
}
