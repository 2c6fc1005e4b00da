#!/usr/bin/python3
"""Play an HLS playlist to the end with GStreamer and count what was decoded.

    /usr/bin/python3 Tests/Support/gst_play.py PLAYLIST [--timeout SECONDS]

PLAYLIST is a local path or an http(s)/file URI. Uses `playbin` (which picks `hlsdemux`,
the one that also works for file:// URIs) with fakesinks at sync=false, so it plays as fast
as it can decode. Decoded video frames and audio buffers are counted with pad probes on the
sinks' pads.

Prints one JSON line:
    {"ok": bool, "video_frames": N, "audio_buffers": M, "duration_s": x, "error": "..."}
`duration_s` is the end of the last decoded buffer (video if any, else audio) minus the
start of the first, in seconds. Exits 0 when EOS was reached without error, 1 otherwise.
Needs Debian's python3-gi and gir1.2-gstreamer-1.0 (run with /usr/bin/python3).
"""

import argparse
import json
import os
import sys
import threading
import urllib.parse


def to_uri(target: str) -> str:
    if "://" in target:
        return target
    return "file://" + urllib.parse.quote(os.path.abspath(target))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("playlist", help="path or URI of an .m3u8 playlist")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args()

    result = {"ok": False, "video_frames": 0, "audio_buffers": 0, "duration_s": 0.0, "error": ""}

    def finish(code: int) -> int:
        print(json.dumps(result), flush=True)
        return code

    try:
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import GLib, Gst
    except (ImportError, ValueError) as exc:
        result["error"] = f"GStreamer Python bindings unavailable: {exc}"
        return finish(1)

    Gst.init(None)
    uri = to_uri(args.playlist)
    if uri.startswith("file://") and not os.path.exists(urllib.parse.unquote(uri[7:])):
        result["error"] = f"no such file: {args.playlist}"
        return finish(1)

    playbin = Gst.ElementFactory.make("playbin", None)
    if playbin is None:
        result["error"] = "playbin not available (gstreamer1.0-plugins-base missing?)"
        return finish(1)

    lock = threading.Lock()
    spans = {"video": [None, None], "audio": [None, None]}  # [first pts, last end] in ns

    def make_sink(kind: str):
        sink = Gst.ElementFactory.make("fakesink", f"{kind}-sink")
        sink.set_property("sync", False)
        sink.set_property("async", False)
        key = "video_frames" if kind == "video" else "audio_buffers"

        def probe(_pad, info):
            buf = info.get_buffer()
            if buf is None:
                return Gst.PadProbeReturn.OK
            with lock:
                result[key] += 1
                if buf.pts != Gst.CLOCK_TIME_NONE:
                    end = buf.pts + (buf.duration if buf.duration != Gst.CLOCK_TIME_NONE else 0)
                    span = spans[kind]
                    if span[0] is None or buf.pts < span[0]:
                        span[0] = buf.pts
                    if span[1] is None or end > span[1]:
                        span[1] = end
            return Gst.PadProbeReturn.OK

        sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, probe)
        return sink

    playbin.set_property("uri", uri)
    playbin.set_property("video-sink", make_sink("video"))
    playbin.set_property("audio-sink", make_sink("audio"))
    # No subtitles/visualisation; keep video and audio decoding only.
    flags = playbin.get_property("flags")
    playbin.set_property("flags", (int(flags) | 0x1 | 0x2) & ~0x4 & ~0x8)

    loop = GLib.MainLoop()
    state = {"eos": False, "timed_out": False}

    def on_message(_bus, msg):
        t = msg.type
        if t == Gst.MessageType.EOS:
            state["eos"] = True
            loop.quit()
        elif t == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            src = msg.src.get_name() if msg.src else "?"
            if not result["error"]:
                result["error"] = f"{src}: {err.message}" + (f" ({debug})" if debug else "")
            loop.quit()
        return True

    def on_timeout():
        state["timed_out"] = True
        if not result["error"]:
            result["error"] = f"timeout after {args.timeout:g} s before EOS"
        loop.quit()
        return False

    bus = playbin.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add(int(args.timeout * 1000), on_timeout)

    if playbin.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        result["error"] = result["error"] or "could not set pipeline to PLAYING"
        playbin.set_state(Gst.State.NULL)
        return finish(1)

    loop.run()
    playbin.set_state(Gst.State.NULL)
    bus.remove_signal_watch()

    with lock:
        span = spans["video"] if spans["video"][0] is not None else spans["audio"]
        if span[0] is not None:
            result["duration_s"] = round((span[1] - span[0]) / Gst.SECOND, 6)

    result["ok"] = state["eos"] and not result["error"]
    if state["eos"] and result["video_frames"] == 0 and result["audio_buffers"] == 0:
        result["ok"] = False
        result["error"] = "EOS without any decoded buffers"
    return finish(0 if result["ok"] else 1)


if __name__ == "__main__":
    sys.exit(main())
