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

With --shorts it times the vertical shorts instead, on a --minutes (default 5) recording with
--shorts-count products of 15 s each:

  ours:   cuepoint replay REC -o OUT --force --shorts [--shorts-size WxH] with clips, replay.mp4,
          thumbnails, posters and the storyboard off; minus, in the same round, the same export
          without --shorts (the HLS package around the shorts), divided by the number of shorts
  theirs: per product, what the shorts do, with the ffmpeg program on the recording's playlist:
          a measuring pass (-ss/-t, ebur128) and an encoding pass (scale, crop, setsar, drawtext
          title and price, format; loudnorm linear with the measurements, aresample, aformat;
          libx264 veryfast crf 21 High, AAC 128k, faststart), the same window and sizes

    python3 Benchmarks/replay.py --shorts --runs 3

Python 3 standard library only; reuses the helpers of Benchmarks/segment.py.
"""

import argparse
import datetime
import math
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
    parser.add_argument("--shorts", action="store_true", help="time the vertical shorts against ffmpeg")
    parser.add_argument("--shorts-count", type=int, default=3)
    parser.add_argument("--shorts-size", default="1080x1920")
    args = parser.parse_args()
    if args.shorts:
        if args.minutes == 60 and "--minutes" not in sys.argv:
            args.minutes = 5
        return bench_shorts(args)

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


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def even(value):
    return max(2, int(round(value / 2)) * 2)


def quoted(value):
    """A filter option value quoted for both levels of the graph syntax (as FilterGraph.quoted)."""
    def quote(text):
        return "'" + text.replace("'", "'\\''") + "'"
    return quote(quote(value))


def crop_chain(source_w, source_h, width, height):
    """The shorts' crop fit, with the same whole-pixel sizes (ShortGraph.video)."""
    factor = max(width / source_w, height / source_h)
    scaled_w = max(width, even(source_w * factor))
    scaled_h = max(height, even(source_h * factor))
    x = min(max(0, int(round(scaled_w / 2 - width / 2))), scaled_w - width)
    return f"scale={scaled_w}:{scaled_h}:flags=bicubic,crop={width}:{height}:{x}:{(scaled_h - height) // 2},setsar=1"


def text_chain(title, price, width, height):
    """The title and price lines as the shorts draw them (ShortGraph.productLines, one line)."""
    title_size, price_size = max(12, width * 11 // 200), max(14, width * 13 // 200)
    y = height * 60 // 100
    lines = [(title, title_size, y), (price, price_size, y + title_size * 3 // 2 + title_size // 3)]
    return "".join(
        f",drawtext=fontfile={quoted(FONT)}:expansion=none:text={quoted(text)}:fontsize={size}:fontcolor=white:box=1"
        f":boxcolor=black@0.55:boxborderw={max(2, size // 4)}:x=(w-text_w)/2:y={y}" for text, size, y in lines)


def bench_shorts(args):
    cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    ffmpeg = common.resolve(args.ffmpeg)
    width, height = (int(v) for v in args.shorts_size.split("x"))
    os.makedirs(args.work, exist_ok=True)
    source = common.bench_input(args.work, args.minutes)
    work = os.path.join(args.work, f"shorts-{args.minutes}min-{args.container}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    markers = os.path.join(work, "markers.jsonl")
    spacing = args.minutes * 60 / (args.shorts_count + 1)
    windows = []
    with open(markers, "w") as f:
        for number in range(1, args.shorts_count + 1):
            start = round(spacing * number)
            f.write(json.dumps({"id": f"p-{number:04d}", "title": f"Product {number}", "url": "https://shop.example/p",
                                "price": 19.99, "currency": "USD", "start": start, "duration": 15}) + "\n")
            windows.append((start - 2, 19))  # 2 s rolls around 15 s: a 19 s short
    recording = os.path.join(work, "recording")
    common.measure([cuepoint, "segment", source, "-o", recording, "--segment", "6s", "--container", args.container,
                    "--markers", markers, "--no-progress"], os.path.join(work, "record.log"))
    playlist = os.path.join(recording, "source", "index.m3u8")
    for name in os.listdir(os.path.join(recording, "source")):
        common.warm(os.path.join(recording, "source", name))
    off = ["--clips", "none", "--no-mp4", "--no-thumbnails", "--no-posters", "--no-storyboard"]

    def ours(out, shorts):
        return [cuepoint, "replay", recording, "-o", out, "--force"] + off + (
            ["--shorts", "--shorts-size", args.shorts_size] if shorts else [])

    video = crop_chain(1280, 720, width, height)

    def theirs(out):
        """Every short with the ffmpeg program; returns wall and CPU seconds summed."""
        total = {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_kib": 0}
        for index, (start, duration) in enumerate(windows):
            stats = os.path.join(work, f"r128-{index}.txt")
            measured = common.measure(
                [ffmpeg, "-v", "error", "-y", "-ss", str(start), "-t", str(duration), "-i", playlist, "-vn", "-af",
                 f"ebur128=metadata=1:peak=true,ametadata=print:file={stats}", "-f", "null", "-"],
                os.path.join(work, "ffmpeg-measure.log"))
            values = {}
            with open(stats) as f:
                for line in f:
                    if "=" in line and line.startswith("lavfi.r128."):
                        key, value = line.strip().split("=", 1)
                        values[key] = float(value)
            integrated, lra = values["lavfi.r128.I"], values["lavfi.r128.LRA"]
            peak = values["lavfi.r128.true_peak"]
            true_peak = 20 * math.log10(peak) if peak > 0 else -99
            audio = (f"loudnorm=I=-16.00:TP=-1.50:LRA={min(50, max(7, math.ceil(lra))):.2f}"
                     f":measured_I={integrated:.2f}:measured_TP={true_peak:.2f}:measured_LRA={max(0.01, lra):.2f}"
                     f":measured_thresh={integrated - 10:.2f}:linear=true,aresample=48000,"
                     "aformat=sample_fmts=fltp:channel_layouts=stereo")
            graph = f"[0:v]{video}{text_chain(f'Product {index + 1}', '$19.99', width, height)},format=yuv420p[v];[0:a]{audio}[a]"
            encoded = common.measure(
                [ffmpeg, "-v", "error", "-y", "-ss", str(start), "-t", str(duration), "-i", playlist,
                 "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast",
                 "-crf", "21", "-profile:v", "high", "-g", "60", "-sar", "1:1", "-c:a", "aac", "-b:a", "128k",
                 "-movflags", "+faststart", os.path.join(out, f"p-{index + 1:04d}.mp4")],
                os.path.join(work, "ffmpeg-encode.log"))
            for result in (measured, encoded):
                total["wall_s"] += result["wall_s"]
                total["cpu_s"] += result["cpu_s"]
                total["peak_rss_kib"] = max(total["peak_rss_kib"], result["peak_rss_kib"])
        return total

    results = {"cuepoint": [], "package": [], "ffmpeg": []}
    load_before = common.loadavg()
    for round_number in range(args.runs + 1):  # round 0 warms up and is not counted
        order = ["cuepoint", "ffmpeg"] if round_number % 2 == 0 else ["ffmpeg", "cuepoint"]
        for name in order:
            out = os.path.join(work, f"out-{name}")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            if name == "ffmpeg":
                run = theirs(out)
            else:
                shutil.rmtree(out)
                run = common.measure(ours(out, True), os.path.join(work, "cuepoint.log"))
                shutil.rmtree(out, ignore_errors=True)
                package = common.measure(ours(out, False), os.path.join(work, "package.log"))
                if round_number > 0:
                    results["package"].append(package)
            shutil.rmtree(out, ignore_errors=True)
            if round_number > 0:
                results[name].append(run)
                log(f"  run {round_number} {name:8s} {run['wall_s']:7.2f} s  cpu {run['cpu_s']:7.2f} s")
    load_after = common.loadavg()
    count = len(windows)
    per_short_ours = [(r["wall_s"] - p["wall_s"]) / count for r, p in zip(results["cuepoint"], results["package"])]
    per_short_theirs = [r["wall_s"] / count for r in results["ffmpeg"]]
    cpu_ours = [(r["cpu_s"] - p["cpu_s"]) / count for r, p in zip(results["cuepoint"], results["package"])]
    cpu_theirs = [r["cpu_s"] / count for r in results["ffmpeg"]]
    ratio = statistics.median(per_short_ours) / statistics.median(per_short_theirs)
    log("")
    log(f"date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}")
    log(f"machine: {os.cpu_count()} CPUs, {common.cpu_model()}, {common.mem_total_mb()} MB")
    log(f"ffmpeg: {common.first_line([ffmpeg, '-version'])}")
    log(f"input: {args.minutes} min 720p, {args.container} recording, {count} shorts of 19 s at {args.shorts_size}, "
        f"{args.runs} runs; load average before {load_before}, after {load_after}")
    log(f"ours:   {shlex.join(ours('OUT', True))} (minus the same without --shorts)")
    log(f"{'tool':10s} {'s per short (median)':>22s} {'min':>8s} {'max':>8s} {'cpu s per short':>16s}")
    for name, walls, cpus in (("cuepoint", per_short_ours, cpu_ours), ("ffmpeg", per_short_theirs, cpu_theirs)):
        log(f"{name:10s} {statistics.median(walls):22.2f} {min(walls):8.2f} {max(walls):8.2f} {statistics.median(cpus):16.2f}")
    log(f"ratio of medians (cuepoint / ffmpeg), time per short: {ratio:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"per_short": {"cuepoint": per_short_ours, "ffmpeg": per_short_theirs},
                       "cpu_per_short": {"cuepoint": cpu_ours, "ffmpeg": cpu_theirs}, "ratio": ratio, "runs": results,
                       "minutes": args.minutes, "container": args.container, "size": args.shorts_size}, f, indent=2)


if __name__ == "__main__":
    main()
