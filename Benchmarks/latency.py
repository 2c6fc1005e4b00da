#!/usr/bin/env python3
"""LL-HLS latency benchmark: how soon a live recording's segments and parts reach a client.

Feeds a live MPEG-TS in real time into a FIFO (this script is the feeder: it writes each PES when
its dts is due, as `ffmpeg -re` paces, and so knows when every frame was written) to
`cuepoint segment FIFO --container fmp4 --segment 2s --part 0.5s --serve 127.0.0.1:0`, and follows
it over HTTP as a low-latency player does, with two clients on threads of their own:

  parts     holds a blocking reload for the next part (`_HLS_msn=M&_HLS_part=P`) at all times;
  segments  holds a blocking reload for the next segment (`_HLS_msn=N`).

It reports medians and p99 (nearest rank) of four latencies, and never asserts them:

  segment, server   `cuepoint_publish_latency_seconds` (/metrics): from the packet that completes
                    a segment (the next segment's keyframe) being read to the playlists written
                    (histogram; quantiles interpolated within buckets as Prometheus does).
  segment, client   from that keyframe being written into the FIFO to the blocking response that
                    lists the segment arriving at the client.
  part, server      `cuepoint_llhls_part_to_response_seconds` (/metrics): from a part being
                    complete in memory to the blocked request that waited for it being answered.
  part, client      from the frame after the part being written into the FIFO to the blocking
                    response listing the part arriving.

The client figures include what the input format imposes: libavformat's MPEG-TS demuxer completes
a video PES only when the next one begins, and its H.264 parser returns a frame only when it has
seen the start of the next, so a frame reaches the segmenter about two frame durations after it was
written (67 ms at 30 fps); the server's own share is the two histogram rows.

    python3 Benchmarks/latency.py --cuepoint .build-release/release/cuepoint   # 60 s of input
    python3 Benchmarks/latency.py --seconds 120 --part 1s --json results/latency.json

Python 3 standard library only; Linux; `ffmpeg` and `ffprobe` on PATH (to make the input once, and
to read its first timestamps). Without --cuepoint it builds the release
binary (`swift build -c release --product cuepoint --scratch-path .build-release`).
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(REPO, ".build-release")


def log(message=""):
    print(message, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def parse_duration(text):
    match = re.fullmatch(r"([0-9]*\.?[0-9]+)(ms|s)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected a duration such as 0.5s or 500ms, got {text!r}")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def iso_to_epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------- playlists

def attributes(text):
    return dict(re.findall(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', text))


def parse_playlist(text):
    """The segments and the open segment of an LL-HLS media playlist:
    {msn: {"pdt": epoch s, "duration": s or None (open), "parts": [durations]}}."""
    segments = {}
    sequence = 0
    skipped = 0
    pending = {"pdt": None, "parts": []}
    for line in text.splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-SKIP:"):
            skipped = int(attributes(line.split(":", 1)[1])["SKIPPED-SEGMENTS"])
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pending["pdt"] = iso_to_epoch(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PART:"):
            pending["parts"].append(float(attributes(line.split(":", 1)[1])["DURATION"]))
        elif line.startswith("#EXTINF:"):
            pending["duration"] = float(line.split(":", 1)[1].split(",")[0])
        elif line and not line.startswith("#"):
            segments[sequence + skipped] = pending
            sequence += 1
            pending = {"pdt": None, "parts": []}
    if pending["parts"]:
        pending["duration"] = None
        segments[sequence + skipped] = pending
    # Where each segment starts in recording time (s since the first keyframe): the EXTINF sum of
    # the segments before it (EXTINF telescopes, so the sum is exact to the millisecond).
    offset = 0.0
    for msn in sorted(segments):
        segments[msn]["start"] = offset if not skipped else None
        offset += segments[msn]["duration"] or 0.0
    return segments


# ---------------------------------------------------------------- clients

class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def get(self, path, timeout=30):
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                body = response.read()
                return response.status, body, time.time()
            except (OSError, http.client.HTTPException):
                self.connection = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def follow_parts(port, stop, samples, errors):
    """Blocking reload for the next part, always; records (part end in recording time, arrival)."""
    client = Client(port)
    playlist = "/source/index.m3u8"
    status, body, _ = client.get(playlist)
    segments = parse_playlist(body.decode()) if status == 200 else {}
    while not stop.is_set():
        if not segments or not any(s["parts"] for s in segments.values()):
            time.sleep(0.05)
            status, body, _ = client.get(playlist)
            segments = parse_playlist(body.decode()) if status == 200 else {}
            continue
        msn = max(m for m, s in segments.items() if s["parts"])
        last = segments[msn]
        # The next part: in the open segment, or part 0 of the next one after a complete segment.
        if last["duration"] is None:
            wanted = (msn, len(last["parts"]))
        else:
            wanted = (msn + 1, 0)
        try:
            status, body, arrived = client.get(f"{playlist}?_HLS_msn={wanted[0]}&_HLS_part={wanted[1]}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"parts: {error}")
            break
        if status != 200:
            errors.append(f"parts: {wanted}: HTTP {status}")
            if status >= 500:
                break
            continue
        segments = parse_playlist(body.decode())
        # The part asked for, or (past a segment's last part) part 0 of the next segment.
        for msn_try, part_try in (wanted, (wanted[0] + 1, 0)):
            segment = segments.get(msn_try)
            if segment and len(segment["parts"]) > part_try and segment["start"] is not None:
                samples.append((segment["start"] + sum(segment["parts"][: part_try + 1]), arrived))
                break


def follow_segments(port, stop, samples, errors):
    """Blocking reload for the next segment; records (segment end in recording time, arrival)."""
    client = Client(port)
    playlist = "/source/index.m3u8"
    next_msn = None
    while not stop.is_set():
        if next_msn is None:
            status, body, _ = client.get(playlist)
            complete = [m for m, s in parse_playlist(body.decode()).items() if s["duration"] is not None] if status == 200 else []
            if not complete:
                time.sleep(0.05)
                continue
            next_msn = max(complete) + 1
        try:
            status, body, arrived = client.get(f"{playlist}?_HLS_msn={next_msn}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"segments: {error}")
            break
        if status != 200:
            errors.append(f"segments: {next_msn}: HTTP {status}")
            if status >= 500:
                break
            continue
        segment = parse_playlist(body.decode()).get(next_msn)
        if segment and segment["duration"] is not None and segment["start"] is not None:
            samples.append((segment["start"] + segment["duration"], arrived))
        next_msn += 1


# ---------------------------------------------------------------- the feeder

def pes_dts(packet):
    """(dts or pts, is video) of an MPEG-TS packet that starts an audio or video PES, else None."""
    if packet[0] != 0x47 or not packet[1] & 0x40:
        return None
    control = (packet[3] >> 4) & 3
    start = 4
    if control in (2, 3):
        start += 1 + packet[4]
    if control == 2 or start + 19 > len(packet):
        return None
    payload = packet[start:]
    if payload[:3] != b"\x00\x00\x01" or not (0xC0 <= payload[3] <= 0xEF):
        return None
    flags = payload[7] >> 6

    def timestamp(b):
        return ((b[0] >> 1) & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1

    video = payload[3] >= 0xE0
    if flags == 3:
        return timestamp(payload[14:19]), video
    if flags == 2:
        return timestamp(payload[9:14]), video
    return None


class Feeder(threading.Thread):
    """Writes a TS file into the FIFO in real time: every PES when its dts is due (the first dts
    at `started`), the packets between two PES starts at once. `written[D]` is the wall clock at
    which the video frame of dts D had been written (its whole PES: at the flush before the next
    wait)."""

    def __init__(self, source, fifo, stop):
        super().__init__(daemon=True)
        self.source, self.fifo, self.stop = source, fifo, stop
        self.first_dts = None
        self.started = None
        self.late = []
        self.written = {}

    def run(self):
        descriptor = os.open(self.fifo, os.O_WRONLY)  # blocks until cuepoint opens it
        try:
            with open(self.source, "rb") as f:
                data = f.read()
            pending = bytearray()
            pending_frames = []

            def flush():
                os.write(descriptor, pending)
                now = time.time()
                for frame in pending_frames:
                    self.written[frame] = now
                pending.clear()
                pending_frames.clear()

            for offset in range(0, len(data) - 187, 188):
                if self.stop.is_set():
                    break
                packet = data[offset:offset + 188]
                found = pes_dts(packet)
                if found is not None:
                    dts, video = found
                    if self.first_dts is None:
                        self.first_dts = dts
                        self.started = time.time()
                    due = self.started + (dts - self.first_dts) / 90000
                    delay = due - time.time()
                    if delay > 0:
                        if pending:
                            flush()
                        time.sleep(delay)
                    else:
                        self.late.append(-delay)
                    if video:
                        pending_frames.append(dts)
                pending += packet
            if pending and not self.stop.is_set():
                flush()
        except BrokenPipeError:
            pass
        finally:
            os.close(descriptor)


def bench_input(ffmpeg, seconds):
    """A live-like MPEG-TS of at least `seconds` + 10 s: `SampleMedia/generate.sh --bench` (1280x720
    30 fps H.264 High with B-frames and closed 2 s GOPs, ~3 Mbit/s, AAC 128 kbit/s) remuxed to
    MPEG-TS, cached in /tmp/cuepoint-latency. (Looping SampleMedia/sample.ts with
    `ffmpeg -stream_loop` makes a file whose loop points the mov muxer refuses.)"""
    cache = os.path.join(tempfile.gettempdir(), "cuepoint-latency")
    os.makedirs(cache, exist_ok=True)
    minutes = -(-(seconds + 10) // 60)
    mp4 = os.path.join(cache, f"bench-{minutes}min.mp4")
    path = os.path.join(cache, f"bench-{minutes}min-live.ts")
    if not os.path.exists(path):
        if not os.path.exists(mp4):
            log(f"generating {mp4} (once)")
            subprocess.run([os.path.join(REPO, "SampleMedia", "generate.sh"), "--bench", cache, str(minutes)], check=True)
        # -muxdelay 0: PES in dts order, as a live encoder sends them (the default 0.7 s lets the
        # muxer place PES early, which a feeder pacing on dts would then hold back).
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-i", mp4, "-c", "copy", "-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts",
             path + ".tmp"], check=True)
        os.rename(path + ".tmp", path)
    return path


def first_keyframe(ffprobe, path):
    """(pts, dts) of the first video keyframe, in 90 kHz ticks: recording time 0 is its pts."""
    out = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,dts,flags", "-of", "csv",
         "-read_intervals", "%+5", path], check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        fields = line.split(",")
        if len(fields) >= 4 and fields[3].startswith("K"):
            return int(fields[1]), int(fields[2])
    raise SystemExit(f"{path}: no video keyframe in its first 5 s")


# ---------------------------------------------------------------- statistics

def quantile(values, q):
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def histogram(metrics, name):
    """(bucket upper bounds, cumulative counts) of a Prometheus histogram without labels."""
    buckets = []
    for line in metrics.splitlines():
        match = re.fullmatch(name + r'_bucket\{le="([^"]+)"\} ([0-9]+)', line)
        if match:
            bound = float("inf") if match.group(1) == "+Inf" else float(match.group(1))
            buckets.append((bound, int(match.group(2))))
    return buckets


def histogram_quantile(buckets, q):
    """As Prometheus's histogram_quantile: linear within the bucket holding the rank."""
    if not buckets or buckets[-1][1] == 0:
        return None
    total = buckets[-1][1]
    rank = q * total
    lower_bound, lower_count = 0.0, 0
    for bound, count in buckets:
        if count >= rank:
            if bound == float("inf"):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return None


def ms(value):
    return "     n/a" if value is None else f"{value * 1000:8.1f}"


# ---------------------------------------------------------------- main

def build_release():
    argv = ["swift", "build", "-c", "release", "--product", "cuepoint", "--scratch-path", SCRATCH]
    log(f"building: (cd {REPO} && {shlex.join(argv)})")
    subprocess.run(argv, cwd=REPO, check=True)
    path = subprocess.run(argv + ["--show-bin-path"], cwd=REPO, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    return os.path.join(path, "cuepoint")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuepoint", help="the cuepoint binary (default: build the release one)")
    parser.add_argument("--ffmpeg", default=shutil.which("ffmpeg") or "ffmpeg")
    parser.add_argument("--input", help="an MPEG-TS at least --seconds long (default: the 720p bench input, "
                        "generated once with SampleMedia/generate.sh --bench)")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of live input (default 60)")
    parser.add_argument("--segment", type=parse_duration, default=2.0)
    parser.add_argument("--part", type=parse_duration, default=0.5)
    parser.add_argument("--json", help="write every figure and sample here")
    args = parser.parse_args()

    binary = args.cuepoint or build_release()
    ffprobe = shutil.which("ffprobe") or "ffprobe"
    source = args.input or bench_input(args.ffmpeg, args.seconds)
    keyframe_pts, keyframe_dts = first_keyframe(ffprobe, source)
    work = tempfile.mkdtemp(prefix="cuepoint-latency-")
    fifo = os.path.join(work, "input.ts")
    os.mkfifo(fifo)
    out = os.path.join(work, "recording")
    server_argv = [
        binary, "segment", "file://" + fifo, "-o", out, "--live", "--container", "fmp4",
        "--segment", f"{args.segment}s", "--part", f"{args.part}s", "--serve", "127.0.0.1:0", "--no-progress",
    ]
    log(f"date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}")
    log(f"machine: {os.cpu_count()} CPUs, {platform.platform()}")
    log(f"load average before: {loadavg()}")
    log(f"input: {source} (its first {args.seconds} s), paced by this script")
    log(f"server: {shlex.join(server_argv)}")

    server = subprocess.Popen(server_argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    feeder = Feeder(source, fifo, stop)
    feeder.start()
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:([0-9]+)/", line)
    if not match:
        stop.set()
        server.kill()
        sys.exit(f"no serving line from cuepoint: {line!r} {server.stderr.read()}")
    port = int(match.group(1))

    part_samples, segment_samples, errors = [], [], []
    threads = [
        threading.Thread(target=follow_parts, args=(port, stop, part_samples, errors), daemon=True),
        threading.Thread(target=follow_segments, args=(port, stop, segment_samples, errors), daemon=True),
    ]
    for thread in threads:
        thread.start()
    # The job is stopped after --seconds, as a live show is.
    time.sleep(args.seconds)
    if server.poll() is not None:
        stop.set()
        sys.exit(f"cuepoint ended early (exit {server.returncode}): {server.stderr.read()}")
    metrics = Client(port).get("/metrics")[1].decode()
    stop.set()
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    feeder.join(timeout=5)
    for thread in threads:
        thread.join(timeout=5)
    log(f"load average after: {loadavg()}")
    late = sorted(feeder.late)
    if late:
        log(f"feeder: {len(late)} of its PES were due before the previous write ended (median "
            f"{ms(quantile(late, 0.5)).strip()} ms late, max {ms(late[-1]).strip()} ms); latencies count from the actual write")

    # A boundary at recording time t is completed by the video frame whose dts is the first
    # keyframe's pts + t − (its pts − dts): the one written at feeder.written[that dts].
    frames = sorted(feeder.written)

    def written(t):
        dts = keyframe_pts + round(t * 90000) - (keyframe_pts - keyframe_dts)
        nearest = min(frames, key=lambda frame: abs(frame - dts))
        return feeder.written[nearest]

    segment_latency = [arrived - written(end) for end, arrived in segment_samples]
    part_latency = [arrived - written(end) for end, arrived in part_samples]
    publish = histogram(metrics, "cuepoint_publish_latency_seconds")
    part_server = histogram(metrics, "cuepoint_llhls_part_to_response_seconds")
    rows = [
        ("segment: last packet -> playlists written (server histogram)", publish[-1][1] if publish else 0,
         histogram_quantile(publish, 0.5), histogram_quantile(publish, 0.99)),
        ("segment: completing frame written -> blocking response at client", len(segment_latency),
         quantile(segment_latency, 0.5), quantile(segment_latency, 0.99)),
        ("part: complete in memory -> blocked request answered (server histogram)",
         part_server[-1][1] if part_server else 0, histogram_quantile(part_server, 0.5),
         histogram_quantile(part_server, 0.99)),
        ("part: completing frame written -> blocking response at client", len(part_latency),
         quantile(part_latency, 0.5), quantile(part_latency, 0.99)),
    ]
    log()
    log(f"{'latency':74}  {'n':>5}  {'median ms':>9}  {'p99 ms':>8}")
    for name, count, median, p99 in rows:
        log(f"{name:74}  {count:5d}  {ms(median):>9}  {ms(p99):>8}")
    if errors:
        log(f"client errors ({len(errors)}): {errors[:5]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "input": source, "server": server_argv, "rows": rows, "errors": errors,
                "segment_client_latency": segment_latency, "part_client_latency": part_latency,
                "metrics": metrics,
            }, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
