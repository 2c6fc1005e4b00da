internal import CCuepointFFmpeg

extension Packet {
    /// Where the packet's data starts in the input, in bytes from the start of what the
    /// demuxer reads; nil when unknown. For MPEG-TS it is the TS packet that starts the PES, for
    /// MP4 the sample's offset. The corresponding FFmpeg field is `AVPacket.pos`.
    public var bytePosition: Int64? {
        pointer.pointee.pos >= 0 ? pointer.pointee.pos : nil
    }
}
