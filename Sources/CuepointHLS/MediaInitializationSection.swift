/// The Media Initialization Section of fragmented-MP4 segments (the `init.mp4` holding `ftyp` and
/// `moov`), as EXT-X-MAP declares it: `#EXT-X-MAP:URI="init.mp4"[,BYTERANGE="n@o"]`.
///
/// A playlist containing one needs protocol version 6, or 5 when it is I-frames-only
/// (`MediaPlaylist.iFramesOnly`); in an I-frame playlist the byte range covers only the section,
/// never the frames that follow it in the same file.
public struct MediaInitializationSection: Hashable, Sendable {
    /// The URI attribute: where the initialization section is, relative to the playlist.
    /// Must not contain `"`, CR or LF (quoted-strings have no escapes).
    public var uri: String
    /// The BYTERANGE attribute: the part of `uri` holding the section, when it is not the whole file.
    public var byteRange: ByteRange?

    public init(uri: String, byteRange: ByteRange? = nil) {
        self.uri = uri
        self.byteRange = byteRange
    }
}
