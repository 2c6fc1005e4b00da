/// # CuepointServer
///
/// HTTP on Hummingbird, the last stage of the flow: it serves what the pipeline wrote.
/// Now: a recording or replay directory (playlists, init sections, segments) with HLS
/// content types, short-lived caching for playlists and long-lived caching for segments,
/// and CORS for web players. Later: live playlists with LL-HLS blocking reload, the marker
/// API, `/metrics` and `/healthz`.
public enum CuepointServerModule {}
