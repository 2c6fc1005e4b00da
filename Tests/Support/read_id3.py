#!/usr/bin/env python3
"""Print the timed-ID3 packets of MPEG-TS segments as JSON, read with PyAV and mutagen.

    python3 Tests/Support/read_id3.py SEGMENT.ts [SEGMENT.ts ...]
    python3 Tests/Support/read_id3.py --emsg SEGMENT.m4s [SEGMENT.m4s ...]

Debian's FFmpeg 5.1 drops the first 5 bytes of every timed-ID3 packet in its TS demuxer, so
this reads with PyAV (which bundles a newer FFmpeg) and parses each packet with mutagen, not
with Cuepoint's own ID3 code. Prints one JSON object:

    {"segments": [{"file": "...", "data_streams": [{"index": 2, "codec": "timed_id3"}],
                   "first_video_pts": 1.4667, "id3": [
                     {"pts": 5.4667, "size": 283, "header": "494433040000",
                      "txxx": {"com.cuepoint.marker": ["{...}"]},
                      "priv": {"com.cuepoint.marker": "7030303032"},
                      "error": null}]}]}

With `--emsg`, each fMP4 segment's top-level boxes are listed ("boxes": ["emsg", "moof", ...])
and every `emsg` box is read field by field here (version, timescale, presentation_time, id,
scheme_id_uri, value) with its message_data parsed by mutagen; "id3" then holds those, with
"pts" = presentation_time / timescale.

Times are in seconds (pts × time base). `first_video_pts` is the lowest video PTS of the
segment. `header` is the hex of the first 6 bytes ("ID3", version 4.0, flags). `priv` values are
hex. A packet mutagen cannot parse has `error` set and no frames. Exits 0 unless a segment
cannot be opened (then 1, with the error in the JSON).
"""

import io
import json
import sys


def read_segment(path: str) -> dict:
    import av

    result = {"file": path, "data_streams": [], "first_video_pts": None, "id3": [], "error": None}
    try:
        container = av.open(path)
    except Exception as exc:  # noqa: BLE001 - reported to the caller
        result["error"] = f"cannot open: {exc}"
        return result
    with container:
        for stream in container.streams:
            if stream.type == "data":
                codec = getattr(stream, "name", None)
                if codec is None and stream.codec_context is not None:
                    codec = stream.codec_context.name
                result["data_streams"].append({"index": stream.index, "codec": codec})
        for packet in container.demux():
            if packet.pts is None or packet.size == 0:
                continue  # the demuxer's flush packets
            seconds = float(packet.pts * packet.time_base)
            if packet.stream.type == "video":
                first = result["first_video_pts"]
                result["first_video_pts"] = seconds if first is None else min(first, seconds)
            elif packet.stream.type == "data":
                entry = {"pts": seconds}
                parse_id3(bytes(packet), entry)
                result["id3"].append(entry)
    return result


def parse_id3(data: bytes, entry: dict) -> None:
    from mutagen.id3 import ID3

    entry.update({"size": len(data), "header": data[:6].hex(), "txxx": {}, "priv": {}, "error": None})
    try:
        tag = ID3(io.BytesIO(data))
        entry["version"] = list(tag.version)
        for frame in tag.getall("TXXX"):
            entry["txxx"][frame.desc] = [str(text) for text in frame.text]
        for frame in tag.getall("PRIV"):
            entry["priv"][frame.owner] = bytes(frame.data).hex()
    except Exception as exc:  # noqa: BLE001 - reported to the caller
        entry["error"] = f"{type(exc).__name__}: {exc}"


def read_fragment(path: str) -> dict:
    import struct

    result = {"file": path, "boxes": [], "id3": [], "error": None}
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        result["error"] = f"cannot open: {exc}"
        return result
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8 or offset + size > len(data):
            result["error"] = f"bad box size {size} at offset {offset}"
            break
        name = kind.decode("latin-1")
        result["boxes"].append(name)
        if name == "emsg":
            box = data[offset : offset + size]
            version = box[8]
            entry = {"emsg_version": version}
            if version == 1:
                timescale, presentation, duration, event_id = struct.unpack(">IQII", box[12:32])
                rest = box[32:]
                scheme, rest = rest.split(b"\0", 1)
                value, message = rest.split(b"\0", 1)
                entry.update({
                    "timescale": timescale, "presentation_time": presentation, "event_duration": duration,
                    "id": event_id, "scheme": scheme.decode("utf-8"), "value": value.decode("utf-8"),
                    "pts": presentation / timescale if timescale else None,
                })
                parse_id3(message, entry)
            else:
                entry["error"] = f"emsg version {version}"
            result["id3"].append(entry)
        offset += size
    return result


def main() -> int:
    arguments = sys.argv[1:]
    reader = read_segment
    if arguments[:1] == ["--emsg"]:
        reader = read_fragment
        arguments = arguments[1:]
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    segments = [reader(path) for path in arguments]
    print(json.dumps({"segments": segments}, ensure_ascii=False))
    return 1 if any(segment["error"] for segment in segments) else 0


if __name__ == "__main__":
    sys.exit(main())
