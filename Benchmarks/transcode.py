#!/usr/bin/env python3
"""Transcoding benchmark: a 3-rung ladder with `cuepoint run` against the `ffmpeg` program.

The same ladder from the same 60 s 720p H.264/AAC input, with both tools, alternating run by
run in one invocation:

    720p 3000k (maxrate 4500k, bufsize 6000k), 480p 1400k (2100k/2800k), 360p 800k (1200k/1600k),
    libx264 veryfast, High profile, AAC 128k stereo 48 kHz on every rung, 4 s MPEG-TS segments,
    an IDR at every segment start and nowhere else.

cuepoint: a pipeline file with three transcoded renditions (one decode, a thread per rendition).
ffmpeg:   one process, `-filter_complex split=3/scale`, `-var_stream_map`, `-f hls`, with
          `-force_key_frames` on the 4 s grid and `-sc_threshold 0`.

Prints wall time (median, min, max), CPU time, peak RSS, the cuepoint/ffmpeg ratio of median
wall times, and for each rendition of both outputs the PSNR (luma, average) against the source
scaled to the rendition's size (same scaler and flags for both), plus the segment counts.
Speed and quality are measured, never asserted: exit 0 whatever the figures are.

    python3 Benchmarks/transcode.py --cuepoint .build-release/release/cuepoint
    python3 Benchmarks/transcode.py --quick        # 1 run each, no PSNR (smoke test)

Python 3 standard library only; uses Benchmarks/segment.py's helpers.
"""

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segment as common  # noqa: E402  (the shared measuring helpers)

RUNGS = [
    # name, width, height, bitrate, maxrate, bufsize (kbit/s)
    ("v720", 1280, 720, 3000, 4500, 6000),
    ("v480", 854, 480, 1400, 2100, 2800),
    ("v360", 640, 360, 800, 1200, 1600),
]
SEGMENT_SECONDS = 4
AUDIO_KBPS = 128


def pipeline_text(source, out_directory):
    lines = [
        "version: 1",
        "name: ladder",
        "input:",
        f"  url: {json.dumps(source)}",
        "output:",
        f"  directory: {json.dumps(out_directory)}",
        "  container: ts",
        f"  segment: {SEGMENT_SECONDS}s",
        "renditions:",
    ]
    for name, width, height, rate, peak, buffer in RUNGS:
        lines += [
            f"  - name: {name}",
            f"    video: {{ width: {width}, height: {height}, bitrate: {rate}k, maxrate: {peak}k, bufsize: {buffer}k,"
            " preset: veryfast, profile: high }",
            f"    audio: {{ bitrate: {AUDIO_KBPS}k }}",
        ]
    return "\n".join(lines) + "\n"


def cuepoint_argv(binary, pipeline):
    return [binary, "run", pipeline, "--no-progress"]


def ffmpeg_argv(binary, source, out):
    split = f"[0:v]split={len(RUNGS)}" + "".join(f"[s{i}]" for i in range(len(RUNGS)))
    scales = ";".join(f"[s{i}]scale={w}:{h}[v{i}]" for i, (_, w, h, *_rest) in enumerate(RUNGS))
    argv = [binary, "-v", "error", "-nostdin", "-y", "-i", source, "-filter_complex", f"{split};{scales}"]
    for i in range(len(RUNGS)):
        argv += ["-map", f"[v{i}]", "-map", "0:a:0"]
    argv += ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-sc_threshold", "0",
             "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
             "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ar", "48000", "-ac", "2"]
    for i, (_, _, _, rate, peak, buffer) in enumerate(RUNGS):
        argv += [f"-b:v:{i}", f"{rate}k", f"-maxrate:v:{i}", f"{peak}k", f"-bufsize:v:{i}", f"{buffer}k"]
    argv += ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
             "-master_pl_name", "master.m3u8",
             "-var_stream_map", " ".join(f"v:{i},a:{i},name:{RUNGS[i][0]}" for i in range(len(RUNGS))),
             "-hls_segment_filename", os.path.join(out, "%v", "seg_%05d.ts"), os.path.join(out, "%v", "index.m3u8")]
    return argv


def count_segments(directory):
    counts = {}
    for name, *_ in RUNGS:
        folder = os.path.join(directory, name)
        counts[name] = len([f for f in os.listdir(folder) if f.endswith(".ts")]) if os.path.isdir(folder) else 0
    return counts


def psnr(ffmpeg, playlist, source, width, height):
    """Average luma PSNR of a rendition against the source scaled to its size (bicubic)."""
    argv = [ffmpeg, "-v", "info", "-nostdin", "-i", playlist, "-i", source, "-lavfi",
            f"[0:v]setpts=PTS-STARTPTS[d];[1:v]scale={width}:{height}:flags=bicubic,setpts=PTS-STARTPTS[r];"
            "[d][r]psnr", "-f", "null", "-"]
    output = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True).stderr
    match = re.search(r"PSNR y:([0-9.]+|inf) u:[0-9.inf]+ v:[0-9.inf]+ average:([0-9.]+|inf)", output)
    if not match:
        sys.exit(f"transcode.py: no PSNR in the output of {shlex.join(argv)}\n{output[-1500:]}")
    return float(match.group(1)), float(match.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="the cuepoint binary (default: build release)")
    parser.add_argument("--ffmpeg", default="ffmpeg")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each, no PSNR")
    parser.add_argument("--cache", default="/tmp/cuepoint-bench")
    parser.add_argument("--work", default="/tmp/cuepoint-bench/transcode")
    parser.add_argument("--max-load", type=float, default=0.5)
    parser.add_argument("--max-wait", type=int, default=0, help="seconds to wait for a quiet machine")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs

    cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    ffmpeg = common.resolve(args.ffmpeg)
    os.makedirs(args.cache, exist_ok=True)
    source = common.bench_input(args.cache, 1)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    common.log(f"cuepoint: {cuepoint}")
    common.log(f"ffmpeg:   {ffmpeg} ({common.first_line([ffmpeg, '-version'])})")
    common.log(f"machine:  {os.cpu_count()} cores, {common.cpu_model()}, {common.mem_total_mb()} MB")
    load, _ = common.wait_for_quiet(args.max_load, args.max_wait)

    results = {"cuepoint": [], "ffmpeg": []}
    outputs = {}
    for run in range(runs):
        for tool in ("cuepoint", "ffmpeg") if run % 2 == 0 else ("ffmpeg", "cuepoint"):
            out = os.path.join(args.work, f"{tool}-{run}")
            os.makedirs(out)
            if tool == "cuepoint":
                pipeline = os.path.join(args.work, f"ladder-{run}.yaml")
                with open(pipeline, "w") as f:
                    f.write(pipeline_text(source, out))
                argv = cuepoint_argv(cuepoint, pipeline)
                recording = os.path.join(out, "ladder")
            else:
                for name, *_ in RUNGS:
                    os.makedirs(os.path.join(out, name))
                argv = ffmpeg_argv(ffmpeg, source, out)
                recording = out
            result = common.measure(argv, os.path.join(args.work, f"{tool}-{run}.log"))
            result["segments"] = count_segments(recording)
            results[tool].append(result)
            common.log(f"run {run + 1} {tool:8s} {result['wall_s']:7.2f} s wall, {result['cpu_s']:7.2f} s CPU, "
                       f"{common.mb(result['peak_rss_kib']):6.1f} MB, segments {result['segments']}")
            if run == runs - 1:
                outputs[tool] = recording
            else:
                shutil.rmtree(out)

    summary = {}
    for tool, rows in results.items():
        walls = [r["wall_s"] for r in rows]
        summary[tool] = {
            "wall_median_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
            "cpu_median_s": statistics.median(r["cpu_s"] for r in rows),
            "peak_rss_median_mb": common.mb(statistics.median(r["peak_rss_kib"] for r in rows)),
            "segments": rows[-1]["segments"],
        }
    ratio = summary["cuepoint"]["wall_median_s"] / summary["ffmpeg"]["wall_median_s"]
    common.log("")
    common.log(f"{'tool':10s} {'median':>8s} {'min':>8s} {'max':>8s} {'CPU':>8s} {'cores':>6s} {'RSS':>8s}")
    for tool, row in summary.items():
        cores = row["cpu_median_s"] / row["wall_median_s"]
        common.log(f"{tool:10s} {row['wall_median_s']:7.2f}s {row['wall_min_s']:7.2f}s {row['wall_max_s']:7.2f}s "
                   f"{row['cpu_median_s']:7.2f}s {cores:6.2f} {row['peak_rss_median_mb']:6.1f}MB")
    common.log(f"wall-time ratio cuepoint/ffmpeg (medians of {runs}): {ratio:.2f}")

    quality = {}
    if not args.quick:
        common.log("")
        common.log(f"{'rendition':10s} {'cuepoint Y':>11s} {'ffmpeg Y':>9s} {'diff':>6s}   (PSNR dB vs scaled source; "
                   "all-plane averages in the JSON)")
        for name, width, height, *_ in RUNGS:
            ours = psnr(ffmpeg, os.path.join(outputs["cuepoint"], name, "index.m3u8"), source, width, height)
            theirs = psnr(ffmpeg, os.path.join(outputs["ffmpeg"], name, "index.m3u8"), source, width, height)
            quality[name] = {"cuepoint": {"y": ours[0], "average": ours[1]},
                             "ffmpeg": {"y": theirs[0], "average": theirs[1]}}
            common.log(f"{name:10s} {ours[0]:11.2f} {theirs[0]:9.2f} {ours[0] - theirs[0]:+6.2f}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "load_before": load,
                       "runs": runs, "summary": summary, "ratio": ratio, "psnr": quality, "raw": results}, f, indent=2)


if __name__ == "__main__":
    main()
