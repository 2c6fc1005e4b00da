// CuepointHLS: the playlist model, its text form, and the numbers that go into it.
//
// Where this module sits in the flow:
//
//     input ──▶ CuepointFFmpeg (demux, cut, mux segments) ──▶ Cuepoint (segmenter, markers, timeline)
//                                                                  │ finished segments, markers, extradata
//                                                                  ▼
//                                      CuepointHLS: MediaPlaylist / MultivariantPlaylist values
//                                                                  │ render()
//                                                                  ▼
//                                                   .m3u8 text served by CuepointServer
//
// The segmenter never prints tags. It appends `MediaSegment` values (with the `DateRange`s of the
// product markers that start inside them) to a `MediaPlaylist` and asks it to `render()`; the
// multivariant playlist is built from `VariantStream`s whose CODECS come from `CodecString` (fed
// with FFmpeg's extradata bytes) and whose BANDWIDTH / AVERAGE-BANDWIDTH come from
// `BitrateMeasurement` over the segments actually written. I-frame playlists are media playlists
// with `iFramesOnly`, listed in the multivariant playlist as `IFrameStream`s; `SessionData` points
// at the chapters, which `ChapterDocument` (Apple's JSON chapters) and `WebVTTChapters` write.
//
// Everything here is pure Swift over values: no FFmpeg, no I/O, no Foundation, no `Double`
// (durations are integer milliseconds, rendered with exactly three decimals in playlists and as
// shortest decimal seconds in JSON, through the shared `CuepointJSON` reader and writer). The
// strict parsers (`MediaPlaylist(parsing:)`, `MultivariantPlaylist(parsing:)`,
// `ChapterDocument.parse(_:)`, `WebVTTChapters.parse(_:)`) exist so tests and tools can read our
// own output back; they reject anything this model cannot represent instead of dropping it.
//
// Rules followed are those of RFC 8216 and draft-pantos-hls-rfc8216bis as digested in
// docs/hls-reference.md (sections 1–5 and 9), and of WebVTT for chapters.
