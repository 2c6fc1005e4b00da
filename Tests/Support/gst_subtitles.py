#!/usr/bin/python3
"""Play an HLS multivariant playlist with subtitle renditions in GStreamer and report the cues.

    /usr/bin/python3 Tests/Support/gst_subtitles.py URL --language LANG [--timeout SECONDS]

URL must be http(s): `playbin3` then uses `hlsdemux2`, GStreamer's HLS demuxer that reads
EXT-X-MEDIA TYPE=SUBTITLES renditions and maps each WebVTT segment's cue times through its
X-TIMESTAMP-MAP onto the media's timeline. The script selects the video, the audio and the
subtitle stream of LANG, plays to the end as fast as it can (fakesinks, sync=false), and records:

- the text streams the demuxer offers, with their language tags;
- every cue `hlsdemux2` hands downstream (a pad probe on its subtitle pad: its own WebVTT parser
  has already turned each segment into one buffer per cue, timed on the stream's timeline);
- the video frames decoded and the earliest video timestamp.

Prints one JSON line:
    {"ok": bool, "error": "", "text_streams": [{"id": "...", "language": "en"}],
     "cues": [{"start": s, "end": s, "text": "..."}], "first_video": s, "video_frames": N}
A cue that spans two segments is in both, so it comes twice.
Exits 0 at EOS without error, 1 otherwise. Needs python3-gi and gir1.2-gstreamer-1.0.
"""

import argparse
import json
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--language", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    Gst.init(None)
    result = {"ok": False, "error": "", "text_streams": [], "cues": [], "first_video": None, "video_frames": 0}
    pipeline = Gst.ElementFactory.make("playbin3")
    pipeline.set_property("uri", args.url)
    for name in ("video-sink", "audio-sink", "text-sink"):
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        pipeline.set_property(name, sink)

    def on_video(pad, info):
        buffer = info.get_buffer()
        if buffer.pts != Gst.CLOCK_TIME_NONE:
            result["video_frames"] += 1
            time = buffer.pts / Gst.SECOND
            if result["first_video"] is None or time < result["first_video"]:
                result["first_video"] = time
        return Gst.PadProbeReturn.OK

    pipeline.get_property("video-sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_video)

    def on_subtitle(pad, info):
        buffer = info.get_buffer()
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        text = bytes(mapped.data).decode("utf-8", "replace")
        buffer.unmap(mapped)
        if buffer.pts != Gst.CLOCK_TIME_NONE and text.strip():
            duration = buffer.duration if buffer.duration != Gst.CLOCK_TIME_NONE else 0
            result["cues"].append({"start": buffer.pts / Gst.SECOND, "end": (buffer.pts + duration) / Gst.SECOND,
                                   "text": text})
        return Gst.PadProbeReturn.OK

    def on_pad(element, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name() if caps and caps.get_size() else ""
        if "vtt" in name or "subtitle" in name or pad.get_name().startswith("subtitle"):
            pad.add_probe(Gst.PadProbeType.BUFFER, on_subtitle)

    def on_element(bin_, sub_bin, element):
        factory = element.get_factory()
        if factory and factory.get_name() == "hlsdemux2":
            demuxers.append(element)
            element.connect("pad-added", on_pad)

    demuxers = []
    pipeline.connect("deep-element-added", on_element)
    loop = GLib.MainLoop()

    def on_message(bus, message):
        if message.type == Gst.MessageType.STREAM_COLLECTION:
            collection = message.parse_stream_collection()
            chosen = []
            streams = []
            for index in range(collection.get_size()):
                stream = collection.get_stream(index)
                tags = stream.get_tags()
                language = tags.get_string("language-code")[1] if tags and tags.get_string("language-code")[0] else None
                kind = stream.get_stream_type()
                if kind & Gst.StreamType.TEXT:
                    streams.append({"id": stream.get_stream_id(), "language": language})
                    if language == args.language:
                        chosen.append(stream.get_stream_id())
                elif kind & (Gst.StreamType.VIDEO | Gst.StreamType.AUDIO):
                    chosen.append(stream.get_stream_id())
            result["text_streams"] = streams
            pipeline.send_event(Gst.Event.new_select_streams(chosen))
        elif message.type == Gst.MessageType.EOS:
            result["ok"] = True
            loop.quit()
        elif message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            result["error"] = f"{error.message} ({debug})"
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)

    def on_timeout():
        result["error"] = f"no end of stream within {args.timeout:.0f} s"
        loop.quit()
        return False

    GLib.timeout_add(int(args.timeout * 1000), on_timeout)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    print(json.dumps(result))
    return 0 if result["ok"] and not result["error"] else 1


if __name__ == "__main__":
    sys.exit(main())
