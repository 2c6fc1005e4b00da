#!/usr/bin/env python3
"""Print what the `m3u8` package (an independent parser) reads of a multivariant playlist's
subtitle renditions and their media playlists, as JSON.

    python3 Tests/Support/read_subtitles.py MASTER.m3u8

Prints one JSON object:

    {"media": [{"type": "SUBTITLES", "group_id": "subs", "name": "English", "language": "en",
                "default": "YES", "autoselect": "YES", "uri": "subtitles/en/index.m3u8",
                "playlist": {"target_duration": 4, "endlist": true, "playlist_type": "vod",
                             "segments": [{"uri": "seg_000001.vtt", "duration": 4.0}]}}],
     "variants": [{"uri": "source/index.m3u8", "subtitles": "subs"}]}

Exits 1 with the error on standard error when the package cannot read a playlist.
"""

import json
import os
import sys

import m3u8


def main():
    master_path = sys.argv[1]
    folder = os.path.dirname(os.path.abspath(master_path))
    with open(master_path) as f:
        master = m3u8.loads(f.read())
    media = []
    for entry in master.media:
        item = {"type": entry.type, "group_id": entry.group_id, "name": entry.name, "language": entry.language,
                "default": entry.default, "autoselect": entry.autoselect, "uri": entry.uri}
        if entry.uri:
            with open(os.path.join(folder, entry.uri)) as f:
                playlist = m3u8.loads(f.read())
            item["playlist"] = {
                "target_duration": playlist.target_duration, "endlist": playlist.is_endlist,
                "playlist_type": playlist.playlist_type,
                "segments": [{"uri": s.uri, "duration": s.duration} for s in playlist.segments]}
        media.append(item)
    variants = [{"uri": p.uri, "subtitles": p.stream_info.subtitles} for p in master.playlists]
    print(json.dumps({"media": media, "variants": variants}))


if __name__ == "__main__":
    main()
