#!/usr/bin/env python3
"""Print what the `m3u8` package (an independent parser) reads from an LL-HLS media playlist, as JSON.

    python3 Tests/Support/read_llhls.py PLAYLIST.m3u8

Prints one JSON object:

    {"version": 6, "target_duration": 2, "media_sequence": 1,
     "server_control": {"can_block_reload": "YES", "part_hold_back": 1.5, "can_skip_until": 12.0,
                        "can_skip_dateranges": "YES"},
     "part_target": 0.5, "preload_hint": {"type": "PART", "uri": "part_000050.m4s"},
     "rendition_reports": [{"uri": "../low/index.m3u8", "last_msn": 13, "last_part": 0}],
     "segments": [{"uri": "seg_000001.m4s", "duration": 2.0,
                   "parts": [{"uri": "part_000001.m4s", "duration": 0.5, "independent": true}]}],
     "trailing_parts": [...], "skipped_segments": null, "endlist": false}

`trailing_parts` are the parts after the last segment URI (the segment being written). Exits 1 with
the error on standard error when the package cannot read the playlist.
"""

import json
import sys

import m3u8


def part(p):
    return {"uri": p.uri, "duration": p.duration, "independent": p.independent == "YES"}


def main():
    with open(sys.argv[1]) as f:
        playlist = m3u8.loads(f.read())
    control = playlist.server_control
    segments = [{"uri": s.uri, "duration": s.duration, "parts": [part(p) for p in s.parts]}
                for s in playlist.segments if s.uri]
    trailing = [part(p) for s in playlist.segments if not s.uri for p in s.parts]
    print(json.dumps({
        "version": playlist.version,
        "target_duration": playlist.target_duration,
        "media_sequence": playlist.media_sequence,
        "server_control": None if control is None else {
            "can_block_reload": control.can_block_reload, "part_hold_back": control.part_hold_back,
            "can_skip_until": control.can_skip_until, "can_skip_dateranges": control.can_skip_dateranges},
        "part_target": playlist.part_inf.part_target if playlist.part_inf else None,
        "preload_hint": None if playlist.preload_hint is None else {
            "type": playlist.preload_hint.hint_type, "uri": playlist.preload_hint.uri},
        "rendition_reports": [{"uri": r.uri, "last_msn": r.last_msn, "last_part": r.last_part}
                              for r in playlist.rendition_reports],
        "segments": segments,
        "trailing_parts": trailing,
        "skipped_segments": playlist.skip.skipped_segments if playlist.skip else None,
        "endlist": playlist.is_endlist,
    }))


if __name__ == "__main__":
    main()
