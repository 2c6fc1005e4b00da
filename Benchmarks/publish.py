#!/usr/bin/env python3
"""Publishing benchmarks: segment complete -> playlist visible on the store, and how many live
streams one process publishes to one local store in real time.

A SeaweedFS S3 server is started on loopback for the run (scripts/servers/seaweedfs.sh; installed
by `scripts/setup.sh --test`), and the figures are printed, never asserted: the script exits 0
whatever they are.

(a) latency   One 720p ~3.3 Mbit/s MPEG-TS stream is pushed in real time over UDP (live.py's
              sender) into `cuepoint segment udp://… --segment 2s --publish s3://bench/…` for
              --latency-seconds. Two watchers record, for every segment, when it is first listed
              (a) in the local index.m3u8 (inotify: the moment the local playlist listing it is
              renamed into place, i.e. "segment complete") and (b) in the store's index.m3u8,
              read anonymously from the store's HTTP endpoint every --poll-ms (as a player behind
              a CDN would). Store-visible minus local-listed is the publishing delay: the segment's
              PUT (If-None-Match), then the playlist's PUT, each acknowledged, plus up to one poll
              interval. Median and p99 are printed, with the delay from the datagram that completed
              the segment (its end sent) to the store for reference.
(b) streams   live.py's concurrency trial, two tools in the same invocation, alternating: one
              `cuepoint run` process with N pipelines writing to disk only ("cuepoint"), and the
              same with every pipeline publishing to the store ("cuepoint+s3", each under its own
              prefix). N 3.3 Mbit/s streams, starts staggered over one segment. For "cuepoint+s3"
              a stream is in real time when, at the moment the sender stops, the store's
              index.m3u8 (read over HTTP, not the local one) lists every segment whose last packet
              was sent more than --slack (1 s) earlier; plus no UDP drops, no loss messages, the
              process alive. N is searched by doubling from --start, then bisecting.

    python3 Benchmarks/publish.py --cuepoint .build-release/release/cuepoint
    python3 Benchmarks/publish.py --cuepoint … --only latency --latency-seconds 60
    python3 Benchmarks/publish.py --cuepoint … --only streams --seconds 30 --start 8 --max-streams 200

Python 3 standard library only; Linux. Uses live.py's and segment.py's helpers.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live  # noqa: E402  (the UDP sender, the stream, the concurrency trial)
import segment as common  # noqa: E402

REPO = common.REPO
BUCKET = "bench"
ACCESS_KEY = "cuepointtest"
SECRET_KEY = "cuepoint-test-secret-key"


# ---------------------------------------------------------------- the store

class Store:
    """A SeaweedFS server on loopback for the run, stopped at the end."""

    def __init__(self, work):
        self.directory = os.path.join(work, "weed")
        shutil.rmtree(self.directory, ignore_errors=True)
        self.port = int(subprocess.run(
            ["bash", "-c", f"source {REPO}/scripts/servers/lib.sh && free_port"],
            check=True, stdout=subprocess.PIPE, text=True).stdout.strip())
        script = os.path.join(REPO, "scripts/servers/seaweedfs.sh")
        out = subprocess.run(["bash", script, "start", self.directory, str(self.port), BUCKET, str(os.getpid())],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0 or "ready" not in out.stdout:
            raise SystemExit(f"SeaweedFS did not start (scripts/setup.sh --test installs it):\n{out.stderr}")
        self.script = script
        # What every cuepoint started by this script reads.
        os.environ.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.port}", "AWS_REGION": "us-east-1",
                           "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY})

    def http(self, prefix, path):
        return f"http://127.0.0.1:{self.port}/{BUCKET}/{prefix}/{path}"

    def stop(self):
        subprocess.run(["bash", self.script, "stop", self.directory], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def fetch(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001  (not there yet, or the store is busy: not listed)
        return None


def listed_segments(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip() and not line.startswith("#")]


# ---------------------------------------------------------------- (a) latency

def latency_run(binary, store, stream, seconds, poll_ms, work):
    out = os.path.join(work, "latency-publish")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "source"))
    prefix = f"latency-{int(time.time())}"
    port = live.free_ports(1)[0]
    argv = [binary, "segment", live.udp_url(port, 7), "-o", out, "--segment", f"{live.SEGMENT_SECONDS}s",
            "--publish", f"s3://{BUCKET}/{prefix}", "--no-progress"]
    notify = live.Inotify(os.path.join(out, "source"))
    pid = live.spawn(argv, out + ".log")
    started = time.monotonic()
    while port not in live.udp_sockets() and time.monotonic() - started < 60:
        time.sleep(0.01)
    sender = live.Sender(stream, [port], [0.0], seconds)
    local_seen, store_seen = {}, {}
    done = threading.Event()

    def local_watcher():
        while not done.is_set():
            now, names = notify.names()
            if "index.m3u8" in names:
                try:
                    with open(os.path.join(out, "source", "index.m3u8")) as f:
                        text = f.read()
                except OSError:
                    continue
                for name in listed_segments(text):
                    local_seen.setdefault(name, now)

    def store_watcher():
        url = store.http(prefix, "source/index.m3u8")
        while not done.is_set():
            text = fetch(url)
            now = time.monotonic()
            for name in listed_segments(text):
                store_seen.setdefault(name, now)
            time.sleep(poll_ms / 1000)

    watchers = [threading.Thread(target=local_watcher, daemon=True), threading.Thread(target=store_watcher, daemon=True)]
    for w in watchers:
        w.start()
    sender.start()
    sender.join()
    time.sleep(3 * live.SEGMENT_SECONDS)
    done.set()
    live.stop_all([pid])
    live.wait_all([pid], 120)
    # The datagram that completes segment k is the one holding the first packet of keyframe k+1.
    ends = [sender.sent_at(0, datagram) for _, datagram in stream.keyframes if datagram < sender.sent[0]]
    rows = []
    for index, name in enumerate(sorted(local_seen)):
        if name in store_seen:
            end = ends[index + 1] if index + 1 < len(ends) else None
            rows.append((name, store_seen[name] - local_seen[name], None if end is None else store_seen[name] - end))
    return {"command": " ".join(argv).replace(prefix, "PREFIX"), "segments": len(local_seen),
            "on_store": len(store_seen), "rows": rows, "poll_ms": poll_ms}


def latency_report(run):
    delays = [r[1] for r in run["rows"]]
    totals = [r[2] for r in run["rows"] if r[2] is not None]
    if not delays:
        return "  no segment was seen on the store"
    p = live.percentile
    text = (f"  {len(delays)} segments ({run['segments']} listed locally, {run['on_store']} on the store)\n"
            f"  local playlist -> store playlist: median {1000 * statistics.median(delays):.0f} ms, "
            f"p99 {1000 * p(delays, 99):.0f} ms, max {1000 * max(delays):.0f} ms (store polled every {run['poll_ms']} ms)")
    if totals:
        text += (f"\n  segment end sent -> store playlist: median {1000 * statistics.median(totals):.0f} ms, "
                 f"p99 {1000 * p(totals, 99):.0f} ms")
    return text


# ---------------------------------------------------------------- (b) streams

def store_playlist(url):
    """live.playlist for a playlist on the store: (EXTINF seconds summed, segments, None)."""
    text = fetch(url)
    if text is None:
        return 0.0, 0, None
    durations = [float(line[8:].split(",")[0]) for line in text.splitlines() if line.startswith("#EXTINF:")]
    return sum(durations), len(durations), None


def install_store_tool(store):
    """Adds the tool "cuepoint+s3" to live.py's trial: the pipelines publish, and the playlists
    judged at the stop are the store's."""
    local_playlist = live.playlist

    def playlist(path):
        return store_playlist(path) if path.startswith("http://") else local_playlist(path)

    def start(binary, ports, packets, work):
        prefix = f"streams-{os.path.basename(work)}"
        files = []
        for i, port in enumerate(ports):
            path = os.path.join(work, f"s{i:04d}.yaml")
            with open(path, "w") as f:
                f.write(f"version: 1\nname: s{i:04d}\ninput:\n  url: {json.dumps(live.udp_url(port, packets))}\n"
                        f"output:\n  directory: {json.dumps(work)}\n  container: ts\n  segment: {live.SEGMENT_SECONDS}s\n"
                        f"  publish:\n    - s3://{BUCKET}/{prefix}/s{i:04d}\n")
            files.append(path)
        argv = [binary, "run", *files, "--no-progress", "--verbose"]
        pid = live.spawn(argv, os.path.join(work, "cuepoint.log"))
        playlists = [store.http(f"{prefix}/s{i:04d}", "source/index.m3u8") for i in range(len(ports))]
        return [pid], playlists, [os.path.join(work, "cuepoint.log")], \
            f"{binary} run s0000.yaml … (each with output.publish: [s3://{BUCKET}/PREFIX/sNNNN]) --no-progress --verbose"

    live.playlist = playlist
    live.STARTERS["cuepoint+s3"] = start


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="a release cuepoint binary (default: build one into .build-release)")
    parser.add_argument("--ffmpeg", default="ffmpeg", help="used to make the input")
    parser.add_argument("--only", choices=("latency", "streams"))
    parser.add_argument("--latency-seconds", type=int, default=60)
    parser.add_argument("--poll-ms", type=int, default=20, help="how often the store's playlist is read (default 20)")
    parser.add_argument("--seconds", type=int, default=30, help="length of each concurrency trial (default 30)")
    parser.add_argument("--warmup", type=float, default=10.0,
                        help="seconds of each trial before measuring, as in live.py (default 10)")
    parser.add_argument("--slack", type=float, default=1.0)
    parser.add_argument("--start", type=int, default=8, help="first N of the search (default 8)")
    parser.add_argument("--max-streams", type=int, default=200)
    parser.add_argument("--datagram-packets", type=int, default=70)
    parser.add_argument("--cache", default="/tmp/cuepoint-bench")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=int, default=300)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()

    cache = os.path.abspath(args.cache)
    work = os.path.join(cache, "publish-out")
    os.makedirs(work, exist_ok=True)
    cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    ffmpeg = common.resolve(args.ffmpeg)
    source = common.ts_remux(ffmpeg, common.bench_input(cache, 2))
    store = Store(work)
    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
              "machine": f"{os.cpu_count()} CPUs, {common.cpu_model()}, {common.mem_total_mb()} MB RAM",
              "store": f"SeaweedFS on 127.0.0.1:{store.port}", "input": source}
    common.log(f"date:     {report['date']}\nmachine:  {report['machine']}\nstore:    {report['store']}\n"
               f"cuepoint: {common.first_line([cuepoint, '--version'])} ({cuepoint})")
    try:
        load_before, _ = common.wait_for_quiet(args.max_load, args.max_wait)
        report["load_before"] = load_before
        if args.only in (None, "latency"):
            stream = live.Stream(source, 7)
            common.log(f"\n(a) latency: {stream.bits_per_second / 1e6:.2f} Mbit/s in real time, "
                       f"{live.SEGMENT_SECONDS} s segments, {args.latency_seconds} s, published to the store")
            run = latency_run(cuepoint, store, stream, args.latency_seconds, args.poll_ms, work)
            common.log(f"  command: {run['command']}")
            common.log(latency_report(run))
            report["latency"] = run
        if args.only in (None, "streams"):
            install_store_tool(store)
            stream = live.Stream(source, args.datagram_packets)
            common.log(f"\n(b) streams: {stream.bits_per_second / 1e6:.2f} Mbit/s each, {args.seconds} s per trial; "
                       f"real time = every segment listed within {args.slack:.1f} s of its end being sent "
                       f"(cuepoint+s3: listed in the store's playlist)")
            args_for_search = argparse.Namespace(**vars(args))
            best, trials = live.search_streams({"cuepoint": cuepoint, "cuepoint+s3": cuepoint}, stream,
                                               args_for_search, work)
            report["streams"] = {"max": best, "trials": trials}
            common.log(f"\nmax streams in real time, one process: to disk only {best['cuepoint']}, "
                       f"published to the store {best['cuepoint+s3']}"
                       + (f", ratio {best['cuepoint+s3'] / best['cuepoint']:.2f}" if best["cuepoint"] else ""))
        report["load_after"] = common.loadavg()
        common.log(f"\nload average before {report['load_before'][0]:.2f}, after {report['load_after'][0]:.2f}")
    finally:
        store.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=str)
            f.write("\n")


if __name__ == "__main__":
    main()
