#!/usr/bin/env python3
"""Live benchmarks: segment publish latency, and how many real-time streams one process sustains.

(a) latency   One 720p ~3.3 Mbit/s MPEG-TS stream is pushed in real time over UDP (1316-byte
              datagrams, paced by the stream's PCR) into `cuepoint segment udp://… --segment 2s
              --serve 127.0.0.1:0` for --latency-seconds. For every segment it prints two figures:
              - server: cuepoint's own publish latency from /metrics (the change of
                cuepoint_publish_latency_seconds_sum per new segment): from the moment the demuxer
                handed over the packet that completes the segment (the next segment's first
                video packet) to the playlists written and renamed;
              - external: from the moment this script sent the datagram holding the first TS
                packet of the next segment's keyframe to the inotify event of index.m3u8 being
                replaced with a version listing the segment. It adds the loopback, FFmpeg's UDP
                thread and fifo, and the MPEG-TS demuxer, which returns a video packet only when
                the next video PES starts (one frame, 33 ms, later), to the server figure.
              The same external figure is measured for `ffmpeg -c copy -f hls` on the same
              stream. Median and p99 are printed.
(b) streams   N copies of the stream, start times staggered over one segment, are sent from one
              Python thread (a heap of due times, one socket, 70 TS packets per datagram) to
              (i) one `cuepoint run` process running N pipelines and (ii) N `ffmpeg -c copy -f hls`
              processes, alternating, in the same invocation. A run "sustains N in real time" when,
              at the moment the sender stops after --seconds s, for every stream:
              - every segment whose last packet was sent more than --slack (1 s) earlier is listed
                in its index.m3u8 (so no stream lags the sender by more than 1 s: over a 30 s run a
                process running at < 96.7 % of real time fails);
              - its UDP socket counted no drops (/proc/net/udp) and no FFmpeg message says data
                was lost (circular buffer overrun, datagram truncated);
              - its process is alive.
              N is searched by doubling from --start, then bisecting, for each tool.

Figures are printed, never asserted: the script exits 0 whatever they are.

    python3 Benchmarks/live.py --cuepoint .build-release/release/cuepoint
    python3 Benchmarks/live.py --cuepoint … --only latency --latency-seconds 60
    python3 Benchmarks/live.py --cuepoint … --only streams --seconds 30 --max-streams 400

Python 3 standard library only (inotify through ctypes); Linux. Uses segment.py's helpers.
"""

import argparse
import bisect
import ctypes
import datetime
import heapq
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segment as common  # noqa: E402  (the shared measuring helpers)

SEGMENT_SECONDS = 2
TS = 188
# "buffer overrun", not "overrun": the URL a --verbose note names holds overrun_nonfatal=1.
LOSS_PATTERN = re.compile(r"buffer overrun|datagram lost|Part of datagram|Input/output error", re.IGNORECASE)


# ---------------------------------------------------------------- the stream and its schedule

class Stream:
    """An MPEG-TS file cut into datagrams of `packets` TS packets, each with a send time (s from
    the stream's start) interpolated from the PCRs, and the video keyframes (media time from the
    first keyframe, and the index of the datagram holding their first TS packet)."""

    def __init__(self, path, packets):
        with open(path, "rb") as f:
            self.data = f.read()
        self.packets = packets
        size = packets * TS
        count = len(self.data) // TS
        pcrs = []          # (packet index, seconds)
        keyframes = []     # (packet index, pts ticks)
        pmt_pid = video_pid = None
        data = self.data
        for i in range(count):
            o = i * TS
            if data[o] != 0x47:
                continue
            pid = ((data[o + 1] & 0x1F) << 8) | data[o + 2]
            pusi = data[o + 1] & 0x40
            afc = (data[o + 3] >> 4) & 3
            payload = o + 4
            rai = False
            if afc & 2:
                length = data[o + 4]
                payload = o + 5 + length
                if length > 0:
                    flags = data[o + 5]
                    rai = bool(flags & 0x40)
                    if flags & 0x10 and length >= 7:
                        b = data[o + 6:o + 12]
                        base = (b[0] << 25) | (b[1] << 17) | (b[2] << 9) | (b[3] << 1) | (b[4] >> 7)
                        ext = ((b[4] & 1) << 8) | b[5]
                        pcrs.append((i, (base * 300 + ext) / 27_000_000))
            if not afc & 1:
                continue
            if pid == 0 and pusi and pmt_pid is None:
                p = payload + 1 + data[payload]  # pointer field
                pmt_pid = ((data[p + 10] & 0x1F) << 8) | data[p + 11]
            elif pid == pmt_pid and pusi and video_pid is None:
                p = payload + 1 + data[payload]
                section_length = ((data[p + 1] & 0x0F) << 8) | data[p + 2]
                info_length = ((data[p + 10] & 0x0F) << 8) | data[p + 11]
                q, end = p + 12 + info_length, p + 3 + section_length - 4
                while q < end:
                    stream_type = data[q]
                    es_pid = ((data[q + 1] & 0x1F) << 8) | data[q + 2]
                    if stream_type in (0x1B, 0x24) and video_pid is None:
                        video_pid = es_pid
                    q += 5 + (((data[q + 3] & 0x0F) << 8) | data[q + 4])
            elif pid == video_pid and pusi and rai and data[payload:payload + 3] == b"\x00\x00\x01":
                if data[payload + 7] & 0x80:
                    b = data[payload + 9:payload + 14]
                    pts = ((b[0] >> 1) & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1
                    keyframes.append((i, pts))
        if not pcrs or not keyframes:
            sys.exit(f"live.py: {path}: no PCR or no video keyframe found")
        start = pcrs[0][1]
        pcr_index = [p for p, _ in pcrs]
        self.send_times = []
        for j in range(0, count, packets):
            k = bisect.bisect_right(pcr_index, j) - 1
            if k < 0:
                t = pcrs[0][1]
            elif k + 1 < len(pcrs):
                (p0, t0), (p1, t1) = pcrs[k], pcrs[k + 1]
                t = t0 + (t1 - t0) * (j - p0) / (p1 - p0)
            else:
                t = pcrs[k][1]
            self.send_times.append(t - start)
        self.datagrams = [memoryview(self.data)[o:o + size] for o in range(0, count * TS, size)]
        first_pts = keyframes[0][1]
        # (media seconds from the first keyframe, datagram index)
        self.keyframes = [((pts - first_pts) / 90_000, p // packets) for p, pts in keyframes]
        self.keyframe_times = [t for t, _ in self.keyframes]
        self.duration = self.send_times[-1]
        self.bits_per_second = len(self.data) * 8 / self.duration

    def keyframe_at(self, media_seconds, tolerance=0.1):
        """The keyframe at a segment boundary (media s from the first keyframe), or None."""
        k = bisect.bisect_left(self.keyframe_times, media_seconds - tolerance)
        if k < len(self.keyframes) and abs(self.keyframes[k][0] - media_seconds) <= tolerance:
            return self.keyframes[k]
        return None


class Sender(threading.Thread):
    """One thread sends every stream: a heap of (due time, stream, datagram), one socket, the
    monotonic clock shared by all. Stream i starts `offsets[i]` s after `t0`."""

    def __init__(self, stream, ports, offsets, seconds):
        super().__init__(daemon=True)
        self.stream, self.ports, self.offsets, self.seconds = stream, ports, offsets, seconds
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
        self.sent = [0] * len(ports)         # datagrams sent per stream
        self.errors = 0
        self.late_max = 0.0                  # the latest a datagram went out after its due time
        self.t0 = None
        self.cpu = 0.0                       # this thread's CPU time, s
        self.started = threading.Event()

    def run(self):
        cpu0 = time.thread_time()
        times, grams = self.stream.send_times, self.stream.datagrams
        self.t0 = time.monotonic() + 0.2
        end = self.t0 + self.seconds
        heap = [(self.t0 + off + times[0], i, 0) for i, off in enumerate(self.offsets)]
        heapq.heapify(heap)
        self.started.set()
        sendto, port_of, last = self.sock.sendto, self.ports, len(times) - 1
        while heap:
            due, i, j = heap[0]
            if due >= end:
                break
            now = time.monotonic()
            if due > now:
                time.sleep(min(due - now, 0.005))
                continue
            self.late_max = max(self.late_max, now - due)
            try:
                sendto(grams[j], ("127.0.0.1", port_of[i]))
                self.sent[i] = j + 1
            except OSError:
                self.errors += 1
            if j < last:
                heapq.heapreplace(heap, (self.t0 + self.offsets[i] + times[j + 1], i, j + 1))
            else:
                heapq.heappop(heap)
        while time.monotonic() < end:
            time.sleep(0.01)
        self.cpu = time.thread_time() - cpu0

    def sent_at(self, i, datagram):
        """When datagram `datagram` of stream i was due (monotonic s)."""
        return self.t0 + self.offsets[i] + self.stream.send_times[datagram]


# ---------------------------------------------------------------- /proc readings

def udp_sockets():
    """{local port: (inode, drops)} of the IPv4 UDP sockets."""
    found = {}
    with open("/proc/net/udp") as f:
        next(f)
        for line in f:
            parts = line.split()
            port = int(parts[1].split(":")[1], 16)
            found[port] = (int(parts[9]), int(parts[-1]))
    return found


def cpu_ticks(pid):
    """utime + stime of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_busy():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def playlist(path):
    """(EXTINF seconds summed, segment count, mtime) of a media playlist, or (0, 0, None)."""
    try:
        st = os.stat(path)
        with open(path) as f:
            durations = [float(line[8:].split(",")[0]) for line in f if line.startswith("#EXTINF:")]
        return sum(durations), len(durations), st.st_mtime
    except (OSError, ValueError):
        return 0.0, 0, None


def free_ports(count):
    """`count` UDP ports that are free now (bound and released)."""
    ports, socks = [], []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        ports.append(s.getsockname()[1])
        socks.append(s)
    for s in socks:
        s.close()
    return ports


def udp_url(port, packets):
    # The same options for both tools: datagrams up to `packets` TS packets, FFmpeg's UDP thread
    # with ffmpeg's default fifo (7*4096 TS packets, 5.4 MB), overruns counted, not fatal.
    return f"udp://127.0.0.1:{port}?pkt_size={packets * TS}&fifo_size={7 * 4096}&overrun_nonfatal=1"


def spawn(argv, log_path):
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, fd, 2)]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    finally:
        os.close(fd)


def stop_all(pids):
    """SIGINT, and a second one 0.5 s later: after its start-up the ffmpeg program lets one
    SIGINT interrupt only its main loop, not a read that waits for data, so a receiver whose
    sender has stopped needs the second to exit (it still writes its trailer). cuepoint stops
    at the first and ignores the second."""
    for _ in range(2):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        time.sleep(0.5)


def wait_all(pids, timeout):
    """wait4 each pid (SIGKILL after `timeout` s); returns {pid: (exit code, maxrss KiB, cpu s)}."""
    deadline = time.monotonic() + timeout
    results = {}
    pending = set(pids)
    while pending:
        for pid in list(pending):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                results[pid] = (os.waitstatus_to_exitcode(status), usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
                pending.discard(pid)
        if pending and time.monotonic() > deadline:
            for pid in pending:
                os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.05)
    return results


# ---------------------------------------------------------------- (b) N streams

def start_cuepoint(binary, ports, packets, work):
    files = []
    for i, port in enumerate(ports):
        path = os.path.join(work, f"s{i:04d}.yaml")
        with open(path, "w") as f:
            f.write(f"version: 1\nname: s{i:04d}\ninput:\n  url: {json.dumps(udp_url(port, packets))}\n"
                    f"output:\n  directory: {json.dumps(work)}\n  container: ts\n  segment: {SEGMENT_SECONDS}s\n")
        files.append(path)
    argv = [binary, "run", *files, "--no-progress", "--verbose"]
    pid = spawn(argv, os.path.join(work, "cuepoint.log"))
    return [pid], [os.path.join(work, f"s{i:04d}", "source", "index.m3u8") for i in range(len(ports))], \
        [os.path.join(work, "cuepoint.log")], f"{shlex.join(argv[:2])} s0000.yaml … s{len(ports) - 1:04d}.yaml --no-progress --verbose"


def start_ffmpeg(binary, ports, packets, work):
    pids, playlists, logs = [], [], []
    argv = []
    for i, port in enumerate(ports):
        out = os.path.join(work, f"s{i:04d}")
        os.makedirs(out)
        argv = [binary, "-nostdin", "-hide_banner", "-v", "warning", "-i", udp_url(port, packets), "-map", "0",
                "-c", "copy", "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_list_size", "0",
                "-hls_playlist_type", "event", "-hls_segment_filename", os.path.join(out, "seg_%06d.ts"),
                os.path.join(out, "index.m3u8")]
        pids.append(spawn(argv, out + ".log"))
        playlists.append(os.path.join(out, "index.m3u8"))
        logs.append(out + ".log")
    return pids, playlists, logs, "per stream: " + shlex.join(argv).replace(str(ports[-1]), "PORT")


STARTERS = {"cuepoint": start_cuepoint, "ffmpeg": start_ffmpeg}


def start_profile(pids, path):
    """`perf record` of the cuepoint process over the measured window (CPU clock, call graphs)."""
    argv = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-g", "-o", path, "-p", ",".join(map(str, pids))]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profile(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def profile_summary(path, top=25):
    """Where the time went: self time by shared object, then the top symbols (Swift names demangled)."""
    def report(sort):
        out = subprocess.run(["perf", "report", "-i", path, "--stdio", "--no-children", "-g", "none",
                              "--percent-limit", "0.5", "--sort", sort], capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.strip() and not line.startswith("#")]
    by_object = report("dso")
    by_symbol = report("dso,sym")[:top]
    demangler = shutil.which("swift-demangle") or shutil.which("swift")
    if demangler and by_symbol:
        argv = [demangler, "--simplified", "--compact"] if demangler.endswith("demangle") else \
            [demangler, "demangle", "--simplified", "--compact"]
        done = subprocess.run(argv, input="\n".join(by_symbol), capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            by_symbol = done.stdout.splitlines()
    return "  by shared object (self time):\n" + "\n".join("    " + l.strip() for l in by_object) + \
        f"\n  top {top} symbols (self time):\n" + "\n".join("    " + l.strip()[:150] for l in by_symbol)


def settle():
    """Lets the previous trial's writes reach the disk before the next trial starts, so that no
    trial pays for another's writeback (300 streams leave about 4 GB to write): sync, then until
    Dirty + Writeback in /proc/meminfo stay under 16 MB, then 3 s more for its processes to go."""
    os.sync()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f)
        pending_kb = sum(int(fields.get(k, "0 kB").split()[0]) for k in ("Dirty", "Writeback"))
        if pending_kb < 16 * 1024:
            break
        time.sleep(0.5)
    time.sleep(3)


def trial(tool, binary, stream, count, seconds, slack, packets, work_root, label, warmup=10.0, profile=None):
    """Runs `count` streams through `tool` for `seconds` s; returns the verdict and figures.

    `profile`: a path for a `perf record` of the tool over the measured window (cuepoint only)."""
    settle()
    work = os.path.join(work_root, f"{tool}-{count}-{label}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ports = free_ports(count)
    started = time.monotonic()
    pids, playlists, logs, command = STARTERS[tool](binary, ports, packets, work)
    # Every receiver listening before the first datagram.
    while True:
        bound = udp_sockets()
        if all(p in bound for p in ports):
            break
        if time.monotonic() - started > 120 or any(os.waitpid(pid, os.WNOHANG)[0] for pid in pids):
            break
        time.sleep(0.05)
    startup = time.monotonic() - started
    offsets = [SEGMENT_SECONDS * i / count for i in range(count)]
    sender = Sender(stream, ports, offsets, seconds)
    load0 = common.loadavg()
    sender.start()
    # CPU is measured after a warm-up: every stream has started (staggered over one segment) and
    # been probed, so the figures are a running show's, not its start-up's (both tools alike).
    sender.started.wait()
    time.sleep(max(0.0, sender.t0 + warmup - time.monotonic()))
    measured_from = time.monotonic()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = sum(cpu_ticks(pid) for pid in pids)
    busy0 = machine_busy()
    profiler = start_profile(pids, profile) if profile and tool == "cuepoint" else None
    sender.join()
    if profiler:
        stop_profile(profiler)
    # At the stop: what every playlist lists, the sockets' drops, CPU and memory in the window.
    stop = time.monotonic()
    wall_now = time.time()
    listings = [playlist(p) for p in playlists]
    sockets = udp_sockets()
    cpu1 = sum(cpu_ticks(pid) for pid in pids)
    busy1 = machine_busy()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    pss = sum(pss_kib(pid) for pid in pids)
    alive = [os.waitpid(pid, os.WNOHANG)[0] == 0 for pid in pids]
    stop_all(pids)
    ended = wait_all(pids, 60)
    window = stop - sender.t0
    cpu_window = stop - measured_from

    lagging, latencies, lags = [], [], []
    for i, (listed, segments, mtime) in enumerate(listings):
        # The latest boundary whose keyframe (the next segment's first packet) went out > slack ago.
        expected = 0.0
        for media, datagram in stream.keyframes:
            if datagram < sender.sent[i] and sender.sent_at(i, datagram) <= stop - slack:
                expected = media
        if listed + 0.05 < expected:
            lagging.append(i)
        sent_media = stream.send_times[max(sender.sent[i] - 1, 0)]
        lags.append(sent_media - listed)
        kf = stream.keyframe_at(listed) if segments else None
        if kf and mtime:
            # The last listed segment: playlist mtime (wall) against its end's send time (monotonic).
            latencies.append((mtime - wall_now) - (sender.sent_at(i, kf[1]) - stop))
    drops = sum(sockets.get(p, (0, 0))[1] for p in ports)
    missing_sockets = sum(1 for p in ports if p not in sockets)
    loss_lines = 0
    for path in logs:
        with open(path, errors="replace") as f:
            loss_lines += sum(1 for line in f if LOSS_PATTERN.search(line))
    failed_exit = sum(1 for pid in pids if ended[pid][0] not in (0, 255, -2, 130))
    ok = not lagging and drops == 0 and loss_lines == 0 and all(alive) and missing_sockets == 0
    result = {
        "tool": tool, "streams": count, "ok": ok, "seconds": window, "startup_s": startup,
        "lagging_streams": len(lagging), "udp_drops": drops, "loss_messages": loss_lines,
        "dead_processes": alive.count(False), "missing_sockets": missing_sockets, "bad_exits": failed_exit,
        "max_lag_s": max(lags), "median_lag_s": statistics.median(lags),
        "last_segment_latency_median_s": statistics.median(latencies) if latencies else None,
        "last_segment_latency_max_s": max(latencies) if latencies else None,
        "min_segments": min(s for _, s, _ in listings),
        "tool_cpu_percent": 100 * (cpu1 - cpu0) / cpu_window, "cpu_window_s": cpu_window,
        "tool_cpu_total_s": sum(ended[pid][2] for pid in pids),
        "peak_rss_mb": common.mb(max(ended[pid][1] for pid in pids)) if tool == "cuepoint"
        else common.mb(sum(ended[pid][1] for pid in pids)),
        "pss_mb": common.mb(pss),
        "machine_cpu_percent": 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count(),
        "generator_cpu_percent": 100 * ((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)) / cpu_window,
        "sender_thread_cpu_percent": 100 * sender.cpu / window,
        "sender_late_max_ms": 1000 * sender.late_max,
        "offered_mbit_s": count * stream.bits_per_second / 1e6,
        "load_before": load0, "command": command,
    }
    if on_tmpfs(work):
        shutil.rmtree(work, ignore_errors=True)
    else:
        KEPT.append(work)
    return result


# Trial outputs on a disk are deleted when the run ends, not after each trial: after thousands of
# files are deleted, ext4 makes every new file slow for a minute or more (its inode allocator
# skips recently deleted inodes, reading inode tables to find them: `recently_deleted` and
# `find_inode_bit` were a fifth of cuepoint's samples in a profile taken after a cleanup), which
# charged whichever tool ran next. On tmpfs they are deleted at once.
KEPT = []


def on_tmpfs(path):
    """Whether `path` lies on a tmpfs (the longest mount point in /proc/mounts that holds it)."""
    best, kind = "", ""
    real = os.path.realpath(path)
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            point = fields[1]
            if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                best, kind = point, fields[2]
    return kind == "tmpfs"


def delete_kept():
    for path in KEPT:
        shutil.rmtree(path, ignore_errors=True)
    KEPT.clear()


def describe(r):
    verdict = "sustained" if r["ok"] else "NOT sustained"
    why = []
    if r["lagging_streams"]:
        why.append(f"{r['lagging_streams']} lagging")
    if r["udp_drops"]:
        why.append(f"{r['udp_drops']} UDP drops")
    if r["loss_messages"]:
        why.append(f"{r['loss_messages']} loss messages")
    if r["dead_processes"] or r["missing_sockets"]:
        why.append(f"{r['dead_processes']} dead, {r['missing_sockets']} not listening")
    lat = r["last_segment_latency_max_s"]
    return (f"  {r['tool']:8} N={r['streams']:4}  {verdict:13} {'(' + ', '.join(why) + ')' if why else ''}\n"
            f"           max lag {r['max_lag_s']:.2f} s, last-segment latency median "
            f"{(r['last_segment_latency_median_s'] or 0) * 1000:.0f} ms max {(lat or 0) * 1000:.0f} ms, "
            f"tool CPU {r['tool_cpu_percent']:.0f} %, machine {r['machine_cpu_percent']:.0f} % of "
            f"{os.cpu_count() * 100} %, PSS {r['pss_mb']:.0f} MB, generator {r['generator_cpu_percent']:.1f} % "
            f"(late max {r['sender_late_max_ms']:.0f} ms), {r['offered_mbit_s']:.0f} Mbit/s offered, "
            f"start-up {r['startup_s']:.1f} s")


def fixed_trials(binaries, stream, args, work):
    """Both tools at each N of --at, alternating which goes first; returns the trials."""
    trials = []
    for round_number, count in enumerate(args.at):
        order = list(binaries) if round_number % 2 == 0 else list(reversed(list(binaries)))
        for tool in order:
            profile = os.path.join(args.perf, f"cuepoint-{count}.data") if args.perf else None
            r = trial(tool, binaries[tool], stream, count, args.seconds, args.slack, args.datagram_packets, work,
                      f"at{round_number}", warmup=args.warmup, profile=profile)
            trials.append(r)
            common.log(describe(r))
            if profile and tool == "cuepoint" and os.path.exists(profile):
                common.log(f"  perf profile of cuepoint at N={count} ({profile}):\n" + profile_summary(profile))
    return trials


def per_stream_table(trials):
    """Per stream: tool CPU (% of one core), PSS (MB), and cuepoint's share of ffmpeg's, per N."""
    lines = ["    N  tool      sustained  tool CPU  machine CPU  CPU/stream  PSS MB  PSS/stream  generator",
             "  ---  --------  ---------  --------  -----------  ----------  ------  ----------  ---------"]
    by_n = {}
    for r in trials:
        by_n.setdefault(r["streams"], {})[r["tool"]] = r
        lines.append(f"  {r['streams']:3}  {r['tool']:8}  {'yes' if r['ok'] else 'NO':>9}  {r['tool_cpu_percent']:7.1f}%  "
                     f"{r['machine_cpu_percent']:10.1f}%  {r['tool_cpu_percent'] / r['streams']:9.3f}%  "
                     f"{r['pss_mb']:6.0f}  {r['pss_mb'] / r['streams']:8.2f}MB  {r['generator_cpu_percent']:8.1f}%")
    for n, pair in sorted(by_n.items()):
        if "cuepoint" in pair and "ffmpeg" in pair:
            # Medians over every trial of each tool at this N (the tools alternate trial by trial).
            cpu = {tool: statistics.median(r["tool_cpu_percent"] for r in trials if r["streams"] == n and r["tool"] == tool)
                   for tool in ("cuepoint", "ffmpeg")}
            pss = {tool: statistics.median(r["pss_mb"] for r in trials if r["streams"] == n and r["tool"] == tool)
                   for tool in ("cuepoint", "ffmpeg")}
            rounds = sum(1 for r in trials if r["streams"] == n and r["tool"] == "cuepoint")
            if cpu["ffmpeg"] > 0:
                lines.append(f"  N={n} (median of {rounds} trial(s) each): cuepoint/ffmpeg CPU per stream "
                             f"{cpu['cuepoint'] / cpu['ffmpeg']:.2f} (goal <= 0.33), PSS per stream cuepoint "
                             f"{pss['cuepoint'] / n:.2f} MB (goal <= 3 MB), ffmpeg {pss['ffmpeg'] / n:.2f} MB")
    return "\n".join(lines)


def search_streams(binaries, stream, args, work):
    """Doubling from --start, then bisecting, for each tool; the tools alternate trial by trial."""
    state = {tool: {"low": 0, "high": None, "next": args.start} for tool in binaries}
    trials = []
    round_number = 0
    while True:
        pending = [t for t in binaries if state[t]["next"] is not None]
        if not pending:
            break
        order = pending if round_number % 2 == 0 else list(reversed(pending))
        for tool in order:
            s = state[tool]
            n = s["next"]
            r = trial(tool, binaries[tool], stream, n, args.seconds, args.slack, args.datagram_packets, work,
                      f"r{round_number}", warmup=args.warmup)
            trials.append(r)
            common.log(describe(r))
            if r["ok"]:
                s["low"] = max(s["low"], n)
            else:
                s["high"] = n if s["high"] is None else min(s["high"], n)
            if s["high"] is None:
                s["next"] = min(n * 2, args.max_streams) if n < args.max_streams else None
            else:
                gap = s["high"] - s["low"]
                s["next"] = s["low"] + gap // 2 if gap > max(1, s["low"] // 10) and gap > 1 else None
        round_number += 1
    return {tool: state[tool]["low"] for tool in binaries}, trials


# ---------------------------------------------------------------- (a) latency

class Inotify:
    IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80

    def __init__(self, directory):
        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = self.libc.inotify_init1(0)
        if self.fd < 0 or self.libc.inotify_add_watch(
                self.fd, directory.encode(), self.IN_CLOSE_WRITE | self.IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), f"inotify on {directory}")

    def names(self):
        """Blocks for events; returns (monotonic time, [file names])."""
        data = os.read(self.fd, 65536)
        now = time.monotonic()
        names, o = [], 0
        while o < len(data):
            _, _, _, length = struct.unpack_from("iIII", data, o)
            names.append(data[o + 16:o + 16 + length].rstrip(b"\0").decode())
            o += 16 + length
        return now, names


def metrics_latency(url):
    """(sum s, count) of cuepoint_publish_latency_seconds from /metrics."""
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    total = count = 0
    for line in text.splitlines():
        if line.startswith("cuepoint_publish_latency_seconds_sum"):
            total = float(line.split()[-1])
        elif line.startswith("cuepoint_publish_latency_seconds_count"):
            count = int(float(line.split()[-1]))
    return total, count


def latency_run(tool, binary, stream, seconds, work):
    out = os.path.join(work, f"latency-{tool}")
    shutil.rmtree(out, ignore_errors=True)
    port = free_ports(1)[0]
    log_path = out + ".log"
    metrics_url = None
    if tool == "cuepoint":
        os.makedirs(os.path.join(out, "source"))
        argv = [binary, "segment", udp_url(port, 7), "-o", out, "--segment", f"{SEGMENT_SECONDS}s",
                "--serve", "127.0.0.1:0", "--no-progress"]
        watch, name = os.path.join(out, "source"), "index.m3u8"
    else:
        os.makedirs(out)
        argv = [binary, "-nostdin", "-hide_banner", "-v", "warning", "-i", udp_url(port, 7), "-map", "0", "-c", "copy",
                "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_list_size", "0", "-hls_playlist_type", "event",
                "-hls_segment_filename", os.path.join(out, "seg_%06d.ts"), os.path.join(out, "index.m3u8")]
        watch, name = out, "index.m3u8"
    notify = Inotify(watch)
    pid = spawn(argv, log_path)
    started = time.monotonic()
    while port not in udp_sockets() and time.monotonic() - started < 30:
        time.sleep(0.01)
    if tool == "cuepoint":
        while metrics_url is None and time.monotonic() - started < 30:
            with open(log_path) as f:
                m = re.search(r"on (http://127\.0\.0\.1:\d+/)", f.read())
            metrics_url = m.group(1) + "metrics" if m else None
            time.sleep(0.01)
    sender = Sender(stream, [port], [0.0], seconds)
    rows = []          # (segment number, media end s, external s, server s or None)
    listed = 0
    last_metrics = (0.0, 0)
    done = threading.Event()

    def watcher():
        nonlocal listed, last_metrics
        while not done.is_set():
            now, names = notify.names()
            if done.is_set():
                break
            if name not in names:
                continue
            total, count, _ = playlist(os.path.join(watch, name))
            if count <= listed:
                continue
            server = None
            if metrics_url:
                current = metrics_latency(metrics_url)
                if current[1] - last_metrics[1] == count - listed:
                    server = (current[0] - last_metrics[0]) / max(1, current[1] - last_metrics[1])
                last_metrics = current
            kf = stream.keyframe_at(total)
            if kf and count == listed + 1:
                rows.append((count, total, now - sender.sent_at(0, kf[1]), server))
            listed = count

    thread = threading.Thread(target=watcher, daemon=True)
    sender.start()
    sender.started.wait()
    thread.start()
    sender.join()
    time.sleep(0.5)
    drops = udp_sockets().get(port, (0, 0))[1]
    done.set()
    stop_all([pid])
    wait_all([pid], 30)
    with open(log_path, errors="replace") as f:
        losses = sum(1 for line in f if LOSS_PATTERN.search(line))
    return {"tool": tool, "command": shlex.join(argv).replace(str(port), "PORT"), "rows": rows, "udp_drops": drops,
            "loss_messages": losses, "seconds": seconds}


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def latency_report(run):
    external = [r[2] * 1000 for r in run["rows"]]
    server = [r[3] * 1000 for r in run["rows"] if r[3] is not None]
    lines = [f"  {run['tool']:8} {len(external)} segments; UDP drops {run['udp_drops']}, loss messages {run['loss_messages']}"]
    if external:
        lines.append(f"           external (send of next keyframe -> playlist replaced): median {statistics.median(external):.1f} ms, "
                     f"p99 {percentile(external, 99):.1f} ms, max {max(external):.1f} ms")
    if server:
        lines.append(f"           server (/metrics publish latency, per segment):            median {statistics.median(server):.2f} ms, "
                     f"p99 {percentile(server, 99):.2f} ms, max {max(server):.2f} ms")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="a release cuepoint binary (default: build one into .build-release)")
    parser.add_argument("--ffmpeg", default="ffmpeg")
    parser.add_argument("--only", choices=("latency", "streams"), help="run one of the two benchmarks")
    parser.add_argument("--latency-seconds", type=int, default=60, help="length of the latency run (default 60)")
    parser.add_argument("--seconds", type=int, default=30, help="length of each concurrency trial (default 30)")
    parser.add_argument("--slack", type=float, default=1.0,
                        help="a segment must be listed this many s after its end was sent (default 1.0)")
    parser.add_argument("--start", type=int, default=25, help="first N of the search (default 25)")
    parser.add_argument("--max-streams", type=int, default=400, help="largest N tried (default 400)")
    parser.add_argument("--at", type=lambda text: [int(n) for n in text.split(",")], default=[],
                        help="before the search, run both tools at each of these N (e.g. 100,300) and print "
                             "CPU and PSS per stream")
    parser.add_argument("--no-search", action="store_true", help="only the --at trials, no concurrency search")
    parser.add_argument("--warmup", type=float, default=10.0,
                        help="s after the first datagram before CPU is measured (start-up and probing left out; default 10)")
    parser.add_argument("--datagram-packets", type=int, default=70,
                        help="TS packets per datagram in the concurrency runs (default 70: 13160 bytes)")
    parser.add_argument("--cache", default="/tmp/cuepoint-bench")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=int, default=300)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--work", metavar="DIR",
                        help="where the tools write their recordings (default CACHE/live-out; /dev/shm/… leaves the "
                             "disk out of the comparison)")
    parser.add_argument("--perf", metavar="DIR",
                        help="record a perf profile of cuepoint during each --at trial's measured window into DIR "
                             "and print where the time went (perf from Debian's linux-perf; the profiler's own "
                             "sampling adds a little to the CPU figure of those trials)")
    args = parser.parse_args()
    if args.perf:
        os.makedirs(args.perf, exist_ok=True)

    cache = os.path.abspath(args.cache)
    work = os.path.abspath(args.work) if args.work else os.path.join(cache, "live-out")
    os.makedirs(work, exist_ok=True)
    common.log(f"outputs:  {work} ({'tmpfs, deleted after each trial' if on_tmpfs(work) else 'kept until the run ends'})")
    binaries = {"cuepoint": os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release(),
                "ffmpeg": common.resolve(args.ffmpeg)}
    mp4 = common.bench_input(cache, 2)
    source = common.ts_remux(binaries["ffmpeg"], mp4)
    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
              "machine": f"{os.cpu_count()} CPUs, {common.cpu_model()}, {common.mem_total_mb()} MB RAM",
              "ffmpeg": common.first_line([binaries["ffmpeg"], "-version"]), "input": source}
    common.log(f"date:     {report['date']}\nmachine:  {report['machine']}\nffmpeg:   {report['ffmpeg']}\n"
               f"cuepoint: {common.first_line([binaries['cuepoint'], '--version'])} ({binaries['cuepoint']})")
    load_before, _ = common.wait_for_quiet(args.max_load, args.max_wait)
    report["load_before"] = load_before

    if args.only in (None, "latency"):
        stream = Stream(source, 7)
        common.log(f"\n(a) latency: {source} ({stream.bits_per_second / 1e6:.2f} Mbit/s) pushed in real time, "
                   f"1316-byte datagrams, {SEGMENT_SECONDS} s segments, {args.latency_seconds} s per tool")
        runs = []
        for tool in ("cuepoint", "ffmpeg"):
            run = latency_run(tool, binaries[tool], stream, args.latency_seconds, work)
            runs.append(run)
            common.log(f"  command: {run['command']}")
            common.log(latency_report(run))
        report["latency"] = runs
        del stream

    if args.only in (None, "streams"):
        stream = Stream(source, args.datagram_packets)
        common.log(f"\n(b) streams: {stream.bits_per_second / 1e6:.2f} Mbit/s each, {args.seconds} s per trial, "
                   f"{args.datagram_packets * TS}-byte datagrams, starts staggered over {SEGMENT_SECONDS} s; "
                   f"real time = every segment listed within {args.slack:.1f} s of its end being sent, no UDP drops, "
                   f"no loss messages")
        if args.at:
            fixed = fixed_trials(binaries, stream, args, work)
            report["fixed"] = fixed
            common.log("\nper stream (same run, tools alternating):\n" + per_stream_table(fixed))
        if args.no_search:
            report["load_after"] = common.loadavg()
            common.log(f"\nload average before {report['load_before'][0]:.2f}, after {report['load_after'][0]:.2f}")
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(report, f, indent=2, default=str)
                    f.write("\n")
            return
        best, trials = search_streams(binaries, stream, args, work)
        report["streams"] = {"max": best, "trials": trials}
        common.log("\ncommands:")
        for tool in binaries:
            command = next((t["command"] for t in trials if t["tool"] == tool), "")
            common.log(f"  {tool}: {command}")
        common.log(f"\nmax streams sustained in real time: cuepoint (one process) {best['cuepoint']}, "
                   f"ffmpeg (one process per stream) {best['ffmpeg']}"
                   + (f", ratio {best['cuepoint'] / best['ffmpeg']:.2f}" if best["ffmpeg"] else "")
                   + " (goal: >= 200 and >= 2x)")
        for tool in binaries:
            at = [t for t in trials if t["tool"] == tool and t["streams"] == best[tool]]
            if at:
                r = at[-1]
                common.log(f"  {tool} at N={r['streams']}: CPU {r['tool_cpu_percent']:.0f} % "
                           f"(machine {r['machine_cpu_percent']:.0f} %), peak RSS {r['peak_rss_mb']:.0f} MB"
                           f"{' (sum over processes)' if tool == 'ffmpeg' else ''}, PSS {r['pss_mb']:.0f} MB, "
                           f"generator CPU {r['generator_cpu_percent']:.1f} %")
    report["load_after"] = common.loadavg()
    common.log(f"\nload average before {report['load_before'][0]:.2f}, after {report['load_after'][0]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=str)
            f.write("\n")


if __name__ == "__main__":
    try:
        main()
    finally:
        delete_kept()
