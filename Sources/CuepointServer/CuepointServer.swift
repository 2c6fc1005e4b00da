/// # CuepointServer
///
/// HTTP on Hummingbird, the last stage of the flow: it serves what the pipeline wrote.
/// Now: a recording or replay directory (playlists, init sections, segments) with HLS
/// content types, short-lived caching for playlists and long-lived caching for segments,
/// gzip for playlists, CORS for web players and `/healthz`; beside a running pipeline, the
/// marker API (`MarkerAPI`, driving a `MarkerEndpoint` such as `PipelineRunner`) and
/// `/metrics` (Prometheus text of `PipelineMetrics`). `docs/http-api.md` documents the routes.
/// With a `PartStore` (LL-HLS, `output.part`): low-latency playlists rendered per request,
/// blocking playlist reload, delta updates, and parts served from memory (`LowLatencyMiddleware`).
public enum CuepointServerModule {}
