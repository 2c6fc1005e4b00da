#!/usr/bin/env python3
"""Replay-export benchmark: `cuepoint replay` against `ffmpeg -c copy` into one MP4.

Records a long 720p input once (`cuepoint segment` with one product marker every few
minutes), then, alternating the two tools run by run in the same invocation, times:

  ours:   cuepoint replay REC -o OUT --force            (VOD package, I-frame playlists,
          chapters, products.json, replay.mp4 with faststart + chapters, keyframe clips,
          thumbnails, preview page)
  theirs: ffmpeg -i REC/source/index.m3u8 -c copy -movflags +faststart OUT.mp4
          (the same media into one MP4, nothing else)

and prints the median wall times and their ratio (the issue's goal: <= 1.5). Speed is
measured, never asserted: the script exits 0 whatever the figures are.

    python3 Benchmarks/replay.py                           # 60 min input, 5 runs
    python3 Benchmarks/replay.py --minutes 10 --runs 3
    python3 Benchmarks/replay.py --cuepoint .build-release/release/cuepoint --container fmp4

Python 3 standard library only; reuses the helpers of Benchmarks/segment.py.
"""

import argparse
import datetime
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segment as common  # noqa: E402  (measure, bench_input, build_release, loadavg, …)

log = common.log


def write_markers(path, minutes, every_seconds):
    """One product every `every_seconds`, each shown for 45 s."""
    with open(path, "w") as f:
        start, number = 30, 1
        while start + 45 < minutes * 60:
            f.write(json.dumps({
                "id": f"p-{number:04d}", "product": f"SKU-{number:04d}", "title": f"Product {number}",
                "url": f"https://shop.example.com/p/{number}", "price": 19.99, "currency": "USD",
                "start": start, "duration": 45}) + "\n")
            start += every_seconds
            number += 1
    return number - 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--container", choices=("ts", "fmp4"), default="ts")
    parser.add_argument("--every", type=int, default=180, help="seconds between product markers (default 180: 20 per hour)")
    parser.add_argument("--cuepoint", help="a built cuepoint binary (default: build release)")
    parser.add_argument("--ffmpeg", default="ffmpeg")
    parser.add_argument("--work", default="/tmp/cuepoint-bench")
    parser.add_argument("--json", help="write every run and the summary here")
    args = parser.parse_args()

    cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    ffmpeg = common.resolve(args.ffmpeg)
    os.makedirs(args.work, exist_ok=True)
    source = common.bench_input(args.work, args.minutes)
    work = os.path.join(args.work, f"replay-{args.minutes}min-{args.container}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    markers = os.path.join(work, "markers.jsonl")
    count = write_markers(markers, args.minutes, args.every)
    recording = os.path.join(work, "recording")
    argv = [cuepoint, "segment", source, "-o", recording, "--segment", "6s", "--container", args.container,
            "--markers", markers, "--no-progress"]
    log(f"recording: {shlex.join(argv)}")
    common.measure(argv, os.path.join(work, "record.log"))
    playlist = os.path.join(recording, "source", "index.m3u8")
    segments = sorted(os.listdir(os.path.join(recording, "source")))
    for name in segments:
        common.warm(os.path.join(recording, "source", name))
    log(f"  {count} markers, {len([s for s in segments if s.startswith('seg_')])} segments")

    def ours(out):
        return [cuepoint, "replay", recording, "-o", out, "--force"]

    def theirs(out):
        return [ffmpeg, "-v", "error", "-y", "-i", playlist, "-c", "copy", "-movflags", "+faststart", out + ".mp4"]

    tools = {"cuepoint": ours, "ffmpeg": theirs}
    results = {name: [] for name in tools}
    load_before = common.loadavg()
    log(f"load average before: {load_before}")
    for round_number in range(args.runs + 1):  # round 0 warms up and is not counted
        order = list(tools) if round_number % 2 == 0 else list(reversed(tools))
        for name in order:
            out = os.path.join(work, f"out-{name}")
            shutil.rmtree(out, ignore_errors=True)
            if os.path.exists(out + ".mp4"):
                os.remove(out + ".mp4")
            result = common.measure(tools[name](out), os.path.join(work, f"{name}.log"))
            shutil.rmtree(out, ignore_errors=True)
            if os.path.exists(out + ".mp4"):
                os.remove(out + ".mp4")
            subprocess.run(["sync"], check=False)
            if round_number > 0:
                results[name].append(result)
                log(f"  run {round_number} {name:8s} {result['wall_s']:7.3f} s  cpu {result['cpu_s']:6.2f} s  "
                    f"rss {common.mb(result['peak_rss_kib']):6.1f} MB")
    load_after = common.loadavg()

    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "wall_median_s": statistics.median(r["wall_s"] for r in runs),
            "wall_min_s": min(r["wall_s"] for r in runs),
            "wall_max_s": max(r["wall_s"] for r in runs),
            "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
            "peak_rss_median_mb": common.mb(statistics.median(r["peak_rss_kib"] for r in runs)),
        }
    ratio = summary["cuepoint"]["wall_median_s"] / summary["ffmpeg"]["wall_median_s"]
    pairs = [a["wall_s"] / b["wall_s"] for a, b in zip(results["cuepoint"], results["ffmpeg"])]
    log("")
    log(f"date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}")
    log(f"machine: {os.cpu_count()} CPUs, {common.cpu_model()}, {common.mem_total_mb()} MB")
    log(f"ffmpeg: {common.first_line([ffmpeg, '-version'])}")
    log(f"input: {args.minutes} min 720p, {args.container} recording, {count} product markers, {args.runs} runs")
    log(f"ours:   {shlex.join(ours('OUT'))}")
    log(f"theirs: {shlex.join(theirs('OUT'))}")
    log(f"load average before {load_before}, after {load_after}")
    log(f"{'tool':10s} {'median':>9s} {'min':>9s} {'max':>9s} {'cpu':>8s} {'rss MB':>8s}")
    for name, row in summary.items():
        log(f"{name:10s} {row['wall_median_s']:9.3f} {row['wall_min_s']:9.3f} {row['wall_max_s']:9.3f} "
            f"{row['cpu_median_s']:8.2f} {row['peak_rss_median_mb']:8.1f}")
    log(f"ratio of medians (cuepoint / ffmpeg): {ratio:.2f}   median of per-pair ratios: {statistics.median(pairs):.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "ratio": ratio, "pairs": pairs, "runs": results,
                       "minutes": args.minutes, "container": args.container, "markers": count}, f, indent=2)


if __name__ == "__main__":
    main()
