/// # CuepointRTMP
///
/// Cuepoint's own RTMP server, on SwiftNIO: one listening port for every publisher, each one
/// routed by its application and stream key, each accepted publish handed on as an FLV byte
/// stream that libavformat's FLV demuxer reads (through `CuepointFFmpeg`'s custom AVIO). It
/// sits in front of the flow:
///
/// ```
/// publisher ──TCP──► RTMPServer ──► RTMPConnectionHandler (one per connection, on an event loop)
///                                     │ HandshakeMachine  (C0/C1/C2 ↔ S0/S1/S2)
///                                     │ ChunkDecoder      (chunks → messages)
///                                     │ RTMPConnection    (commands, control, pure decisions)
///                                     │      └─ publish ──► PublishRouter.authorize(app:key:peer:)
///                                     ▼
///                                  PublishSession ──FLV bytes──► (a pipeline thread: Demuxer)
/// ```
///
/// What it keeps cheap: bytes are read in large socket reads, never one at a time; each
/// chunk's payload is copied once into its message (a message that fits in one chunk is not
/// copied at all), and the FLV stream is those messages with an 11-byte tag header and a
/// 4-byte trailer around them, copied only into the reader's buffer. The reader is a blocking
/// thread (FFmpeg's), the network side never blocks: a full session buffer turns reading off
/// on that connection until the reader catches up.
///
/// The protocol is Adobe's RTMP specification (2012, chunk stream and messages) with AMF0
/// commands; FFmpeg's, GStreamer's (`rtmp2sink`) and OBS's clients are what it must accept.
/// The module knows nothing of FFmpeg or HLS.
public enum CuepointRTMP {}
