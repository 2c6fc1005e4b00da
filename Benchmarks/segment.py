#!/usr/bin/env python3
"""Segmentation benchmark: `cuepoint segment` against `ffmpeg -c copy -f hls`.

Segments one 720p H.264/AAC input into 6 s MPEG-TS and fMP4 segments with both tools,
alternating them run by run in the same invocation, and prints wall time (median, min,
max), peak RSS of each process (from wait4's rusage), the ours/ffmpeg ratio of median wall
times, and the segment count and bytes of each output. Speed is measured, never asserted:
the script exits 0 whatever the figures are (it exits non-zero only when a tool fails).

    python3 Benchmarks/segment.py                          # 10 min input, 5 runs, builds release
    python3 Benchmarks/segment.py --quick                  # 1 min input, 2 runs (smoke test)
    python3 Benchmarks/segment.py --growth 60 --json r.json
    python3 Benchmarks/segment.py --cuepoint .build-release/release/cuepoint

Python 3 standard library only. Linux (ru_maxrss is read as KiB, /proc is read).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(REPO, ".build-release")
CONTAINERS = ("ts", "fmp4")
SEGMENT_SECONDS = 6


# ---------------------------------------------------------------- small helpers

def log(message=""):
    print(message, flush=True)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return list(os.getloadavg())


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_mb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def first_line(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False).stdout
        return out.strip().splitlines()[0] if out.strip() else ""
    except OSError as error:
        return f"unavailable ({error})"


def resolve(program):
    if os.sep in program:
        return os.path.abspath(program)
    found = shutil.which(program)
    if not found:
        sys.exit(f"segment.py: {program} not found on PATH")
    return found


def mb(kib):
    return kib / 1024.0


# ---------------------------------------------------------------- measuring one process

def measure(argv, log_path):
    """Runs argv once; returns wall seconds, the child's own peak RSS (KiB) and CPU seconds.

    The clock brackets posix_spawn .. wait4 of exactly this child. stdout/stderr go to
    log_path so no pipe has to be drained while the clock runs.
    """
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fd, 1),
            (os.POSIX_SPAWN_DUP2, fd, 2),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.close(fd)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(log_path, errors="replace") as f:
            tail = f.read()[-2000:]
        sys.exit(f"segment.py: exit {code} from: {shlex.join(argv)}\n{tail}")
    return {
        "wall_s": wall,
        "peak_rss_kib": usage.ru_maxrss,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def output_stats(directory):
    """Counts media segments and bytes of everything a run wrote."""
    segments = 0
    total = 0
    playlist_segments = None
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            total += os.path.getsize(path)
            if name.endswith((".ts", ".m4s")):
                segments += 1
            if name == "index.m3u8":
                with open(path, errors="replace") as f:
                    playlist_segments = sum(1 for line in f if line.startswith("#EXTINF:"))
    return {"segments": segments, "playlist_segments": playlist_segments, "bytes": total}


# ---------------------------------------------------------------- the two tools

def cuepoint_argv(binary, source, out, container):
    return [binary, "segment", source, "-o", out, "--segment", f"{SEGMENT_SECONDS}s",
            "--container", container, "--no-progress"]


def ffmpeg_argv(binary, source, out, container):
    argv = [binary, "-v", "error", "-y", "-i", source, "-c", "copy", "-f", "hls",
            "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"]
    extension = "ts"
    if container == "fmp4":
        argv += ["-hls_segment_type", "fmp4"]
        extension = "m4s"
        if source.endswith(".ts"):
            # ADTS AAC into MP4: ffmpeg needs the filter that cuepoint applies by itself.
            argv[argv.index("copy") + 1:argv.index("copy") + 1] = ["-bsf:a", "aac_adtstoasc"]
    argv += ["-hls_segment_filename", os.path.join(out, f"seg_%06d.{extension}"),
             os.path.join(out, "index.m3u8")]
    return argv


TOOLS = {"cuepoint": cuepoint_argv, "ffmpeg": ffmpeg_argv}


def one_run(tool, binary, source, work, container, label):
    """One measured run into a fresh directory; the directory is removed afterwards."""
    out = os.path.join(work, f"{container}-{tool}-{label}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)  # ffmpeg's hls muxer does not create the directory; make both equal
    argv = TOOLS[tool](binary, source, out, container)
    result = measure(argv, out + ".log")
    result.update(output_stats(out))
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # flush this run's dirty pages now, untimed, not during the next run
    return argv, result


# ---------------------------------------------------------------- preparation

def build_release():
    argv = ["swift", "build", "-c", "release", "--product", "cuepoint", "--scratch-path", SCRATCH]
    log(f"building: (cd {REPO} && {shlex.join(argv)})")
    started = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True)
    log(f"  built in {time.perf_counter() - started:.0f} s")
    path = subprocess.run(argv + ["--show-bin-path"], cwd=REPO, check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    return os.path.join(path, "cuepoint")


def bench_input(cache, minutes):
    path = os.path.join(cache, f"bench-{minutes}min.mp4")
    if os.path.isfile(path) and os.path.getsize(path) > 0:
        log(f"input: {path} (cached)")
    else:
        argv = [os.path.join(REPO, "SampleMedia", "generate.sh"), "--bench", cache, str(minutes)]
        log(f"generating input: {shlex.join(argv)}")
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        log(f"  generated in {time.perf_counter() - started:.0f} s")
    return warm(path)


def warm(path):
    """Reads a file once so both tools find it in the page cache. One small buffer, so this
    process's own peak RSS (a spawned child's ru_maxrss starts from it) stays low."""
    buffer = bytearray(1 << 16)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buffer):
            pass
    return path


def ts_remux(ffmpeg, mp4):
    """The same packets in MPEG-TS (cached): a demuxer without an up-front sample index."""
    path = mp4[:-len(".mp4")] + ".ts"
    if not (os.path.isfile(path) and os.path.getsize(path) > 0):
        argv = [ffmpeg, "-v", "error", "-y", "-i", mp4, "-map", "0", "-c", "copy", "-f", "mpegts", path + ".part"]
        log(f"remuxing: {shlex.join(argv)}")
        subprocess.run(argv, check=True)
        os.replace(path + ".part", path)
    return warm(path)


def wait_for_quiet(max_load, max_wait):
    """Waits (60 s steps, up to max_wait s) for the 1-minute load to drop to max_load."""
    waited = 0
    while True:
        load = loadavg()
        if load[0] <= max_load or waited >= max_wait:
            status = "ok" if load[0] <= max_load else f"still above {max_load}, measuring anyway"
            log(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after waiting {waited} s ({status})")
            return load, waited
        step = min(60, max_wait - waited)
        log(f"load average {load[0]:.2f} > {max_load}; waiting {step} s")
        time.sleep(step)
        waited += step


# ---------------------------------------------------------------- the benchmark

def summarize(results):
    walls = [r["wall_s"] for r in results]
    rss = [r["peak_rss_kib"] for r in results]
    cpu = [r["cpu_s"] for r in results]
    return {
        "runs": len(results),
        "wall_median_s": statistics.median(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_median_s": statistics.median(cpu),
        "peak_rss_median_mb": mb(statistics.median(rss)),
        "peak_rss_max_mb": mb(max(rss)),
        "segments": results[-1]["segments"],
        "playlist_segments": results[-1]["playlist_segments"],
        "bytes": results[-1]["bytes"],
    }


def bench_container(container, binaries, source, work, runs, warmup):
    results = {tool: [] for tool in TOOLS}
    commands = {}
    for i in range(warmup):
        for tool in TOOLS:
            one_run(tool, binaries[tool], source, work, container, f"warmup{i}")
    for i in range(runs):
        # Alternate which tool goes first so neither always follows the other.
        order = list(TOOLS) if i % 2 == 0 else list(reversed(TOOLS))
        for tool in order:
            argv, result = one_run(tool, binaries[tool], source, work, container, f"run{i}")
            commands[tool] = argv
            results[tool].append(result)
            log(f"  {container:4} run {i + 1}/{runs} {tool:8} {result['wall_s']:7.3f} s  "
                f"{mb(result['peak_rss_kib']):6.1f} MB  {result['segments']} segments")
    summary = {tool: summarize(results[tool]) for tool in TOOLS}
    ratio = summary["cuepoint"]["wall_median_s"] / summary["ffmpeg"]["wall_median_s"]
    paired = [c["wall_s"] / f["wall_s"] for c, f in zip(results["cuepoint"], results["ffmpeg"])]
    # CPU (user + system, the children's task-clock) is what a busy machine changes least.
    cpu_paired = [c["cpu_s"] / f["cpu_s"] for c, f in zip(results["cuepoint"], results["ffmpeg"])]
    return {
        "container": container,
        "commands": {tool: shlex.join(argv) for tool, argv in commands.items()},
        "summary": summary,
        "ratio_median_wall": ratio,
        "ratio_paired_median": statistics.median(paired),
        "ratio_median_cpu": summary["cuepoint"]["cpu_median_s"] / summary["ffmpeg"]["cpu_median_s"],
        "ratio_cpu_paired_median": statistics.median(cpu_paired),
        "runs": results,
    }


def table(rows):
    header = ("container", "tool", "runs", "median s", "min s", "max s", "cpu s", "peak RSS MB",
              "segments", "bytes")
    lines = [header]
    for row in rows:
        for tool in TOOLS:
            s = row["summary"][tool]
            lines.append((row["container"], tool, str(s["runs"]), f"{s['wall_median_s']:.3f}",
                          f"{s['wall_min_s']:.3f}", f"{s['wall_max_s']:.3f}", f"{s['cpu_median_s']:.3f}",
                          f"{s['peak_rss_median_mb']:.1f}", str(s["segments"]), f"{s['bytes']:,}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for n, line in enumerate(lines):
        text.append("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                              for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
        if n == 0:
            text.append("  ".join("-" * w for w in widths))
    for row in rows:
        text.append(f"ratio {row['container']}: cuepoint/ffmpeg median wall = {row['ratio_median_wall']:.2f} "
                    f"(median of per-pair ratios {row['ratio_paired_median']:.2f}; goal <= 1.0)")
        text.append(f"ratio {row['container']}: cuepoint/ffmpeg median CPU = {row['ratio_median_cpu']:.2f} "
                    f"(median of per-pair ratios {row['ratio_cpu_paired_median']:.2f}; goal <= 0.7)")
    return "\n".join(text)


def growth_table(growth):
    lines = [("input", "bytes", "cuepoint s", "ffmpeg s", "ratio", "cuepoint MB", "ffmpeg MB", "segments")]
    for entry in growth["runs"]:
        c, f = entry["cuepoint"], entry["ffmpeg"]
        lines.append((os.path.basename(entry["input"]), f"{entry['bytes']:,}", f"{c['wall_s']:.3f}",
                      f"{f['wall_s']:.3f}", f"{c['wall_s'] / f['wall_s']:.2f}", f"{mb(c['peak_rss_kib']):.1f}",
                      f"{mb(f['peak_rss_kib']):.1f}", f"{c['segments']}/{f['segments']}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = ["peak RSS against input length (ts output, one run each; goal <= 64 MB and no growth):"]
    for n, line in enumerate(lines):
        text.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                              for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
        if n == 0:
            text.append("  ".join("-" * w for w in widths))
    by_input = {os.path.basename(e["input"]): e for e in growth["runs"]}
    short, long = growth["minutes"]
    for kind in ("mp4", "ts"):
        a, b = by_input.get(f"bench-{short}min.{kind}"), by_input.get(f"bench-{long}min.{kind}")
        if a and b:
            text.append(f"growth {kind} input {short} -> {long} min: cuepoint "
                        f"{mb(b['cuepoint']['peak_rss_kib'] - a['cuepoint']['peak_rss_kib']):+.1f} MB, ffmpeg "
                        f"{mb(b['ffmpeg']['peak_rss_kib'] - a['ffmpeg']['peak_rss_kib']):+.1f} MB")
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="a release cuepoint binary (default: build one into .build-release)")
    parser.add_argument("--ffmpeg", default="ffmpeg", help="the ffmpeg program to compare with (default: ffmpeg)")
    parser.add_argument("--minutes", type=int, default=10, help="input length in minutes (default 10)")
    parser.add_argument("--runs", type=int, help="measured runs per tool and container (default 5; 2 with --quick)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs per tool and container first (default 1)")
    parser.add_argument("--growth", type=int, metavar="MINUTES",
                        help="also run each tool once (ts output) on the base and a MINUTES-long input, "
                             "as MP4 and as an MPEG-TS remux, and compare peak RSS")
    parser.add_argument("--quick", action="store_true", help="1-minute input, 2 runs: a smoke run")
    parser.add_argument("--input-kind", choices=("mp4", "ts"), default="mp4",
                        help="the input: the generated MP4, or the same packets remuxed into MPEG-TS (default mp4)")
    parser.add_argument("--containers", default="ts,fmp4", help="comma-separated (default ts,fmp4)")
    parser.add_argument("--cache", default="/tmp/cuepoint-bench", help="where inputs are kept (default /tmp/cuepoint-bench)")
    parser.add_argument("--work", help="where outputs are written (default CACHE/out)")
    parser.add_argument("--max-load", type=float, default=1.0,
                        help="wait until the 1-minute load average is at most this before measuring (default 1.0)")
    parser.add_argument("--max-wait", type=int, default=600, help="give up waiting for load after this many s (default 600)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    args = parser.parse_args()

    if args.quick:
        args.minutes = 1
    runs = args.runs if args.runs is not None else (2 if args.quick else 5)
    containers = [c for c in args.containers.split(",") if c]
    for c in containers:
        if c not in CONTAINERS:
            parser.error(f"--containers: unknown container {c!r}")
    if runs < 1 or args.minutes < 1:
        parser.error("--runs and --minutes must be at least 1")

    cache = os.path.abspath(args.cache)
    work = os.path.abspath(args.work or os.path.join(cache, "out"))
    os.makedirs(cache, exist_ok=True)
    os.makedirs(work, exist_ok=True)

    binaries = {
        "cuepoint": os.path.abspath(args.cuepoint) if args.cuepoint else build_release(),
        "ffmpeg": resolve(args.ffmpeg),
    }
    source = bench_input(cache, args.minutes)
    if args.input_kind == "ts":
        source = ts_remux(binaries["ffmpeg"], source)
    growth_inputs = None
    if args.growth:
        growth_source = bench_input(cache, args.growth)
        growth_inputs = [source, growth_source, ts_remux(binaries["ffmpeg"], source),
                         ts_remux(binaries["ffmpeg"], growth_source)]
        warm(source)  # the main input last, so it is the warmest

    floor = measure(["/bin/true"], os.path.join(work, "true.log"))["peak_rss_kib"]
    machine = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model(),
        "mem_total_mb": mem_total_mb(),
        "kernel": platform.release(),
        "ffmpeg_version": first_line([binaries["ffmpeg"], "-version"]),
        "cuepoint_version": first_line([binaries["cuepoint"], "--version"]),
        "cuepoint_binary": binaries["cuepoint"],
        "input": source,
        "input_bytes": os.path.getsize(source),
        "rss_floor_mb": mb(floor),
    }
    log()
    log(f"date:     {machine['date']}")
    log(f"machine:  {machine['nproc']} CPUs ({machine['usable_cpus']} usable), {machine['cpu_model']}, "
        f"{machine['mem_total_mb']} MB RAM, Linux {machine['kernel']}")
    log(f"ffmpeg:   {machine['ffmpeg_version']}")
    log(f"cuepoint: {machine['cuepoint_version']} ({binaries['cuepoint']})")
    log(f"input:    {source} ({args.minutes} min, {machine['input_bytes']:,} bytes)")
    log(f"runs:     {runs} measured per tool and container (+{args.warmup} warm-up), alternating")
    log(f"rss floor: {mb(floor):.1f} MB (wait4 peak RSS of /bin/true spawned the same way: a child starts\n"
        "           from this Python process's peak, so figures at this floor are not the child's own)")

    load_before, waited = wait_for_quiet(args.max_load, args.max_wait)
    machine["measured_from"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    rows = []
    for container in containers:
        log(f"\n{container}:")
        rows.append(bench_container(container, binaries, source, work, runs, args.warmup))
    load_after = loadavg()

    growth = None
    if growth_inputs:
        # Peak RSS against input length, one run per tool and input, TS output. MP4 inputs
        # carry their whole sample table in moov, which libavformat's mov demuxer loads up
        # front for both tools, so the MPEG-TS remuxes of the same inputs show what the
        # segmenter itself keeps.
        log(f"\ngrowth: ts output, {args.minutes} and {args.growth} min inputs (MP4 and MPEG-TS), one run each")
        growth = {"minutes": [args.minutes, args.growth], "runs": []}
        for path in growth_inputs:
            entry = {"input": path, "bytes": os.path.getsize(path)}
            for tool in TOOLS:
                argv, result = one_run(tool, binaries[tool], path, work, "ts", "growth")
                entry[tool] = result
                entry[tool + "_command"] = shlex.join(argv)
                log(f"  {os.path.basename(path):16} {tool:8} {result['wall_s']:7.3f} s  "
                    f"{mb(result['peak_rss_kib']):6.1f} MB  {result['segments']} segments")
            growth["runs"].append(entry)

    log("\ncommands (OUT is a fresh directory per run):")
    for row in rows:
        for tool in TOOLS:
            log(f"  {row['commands'][tool]}")
    log(f"\nmeasured from {machine['measured_from']}; load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    log()
    text = table(rows)
    log(text)
    growth_text = growth_table(growth) if growth else None
    if growth_text:
        log()
        log(growth_text)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "minutes": args.minutes, "runs": runs, "warmup": args.warmup,
                       "load_before": load_before, "load_waited_s": waited, "load_after": load_after,
                       "results": rows, "growth": growth, "table": text,
                       "growth_table": growth_text}, f, indent=2)
            f.write("\n")
        log(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
