#!/usr/bin/env python3
"""RTMP ingest cost: N concurrent ~3 Mbit/s publishers into three receivers, in the same run.

Each publisher is the `ffmpeg` program reading the 720p bench input in real time in a loop:
    ffmpeg -re -stream_loop -1 -i bench-1min.mp4 -c copy -f flv rtmp://127.0.0.1:PORT/live/keyI
into, one receiver kind at a time:

(a) cuepoint   one `cuepoint rtmp-sink --listen 127.0.0.1:PORT` process: Cuepoint's own RTMP
               server (SwiftNIO) on one port for all N publishers, routed by stream key, each
               session demuxed by libavformat's FLV demuxer through the custom AVIO on a thread
               of its own, every packet read and counted (the ingest half of a pipeline);
(b) ffmpeg     one `ffmpeg -listen 1 -i rtmp://127.0.0.1:PORTi/live/keyI -c copy -f null -` per
               publisher (FFmpeg's RTMP server takes one connection per port): FFmpeg's RTMP
               protocol and the same FLV demuxer, packets copied to the null muxer;
(c) nginx      one nginx with Debian's libnginx-mod-rtmp (one worker process) and
               `application live { live on; }`: receives and keeps every stream (no HLS);
               `--nginx-hls` adds `hls on` (nginx-rtmp's own HLS, as in issue 15's figures).

After --warmup seconds the receivers' CPU time (utime + stime from /proc/PID/stat, all threads,
children not included) is taken over --seconds; PSS (smaps_rollup) at the end of the window.
Per stream: CPU in % of one core, PSS in MB. Receiver kinds alternate for --rounds rounds;
medians are printed, with cuepoint's ratio to each of the others. The publishers' own CPU is
not counted. Figures are printed, never asserted: the script exits 0 whatever they are, and
fails only when a tool cannot start.

    python3 Benchmarks/rtmp.py --cuepoint .build-release/release/cuepoint
    python3 Benchmarks/rtmp.py --cuepoint … --streams 20 --seconds 30 --rounds 3 --nginx-hls

Python 3 standard library only; Linux. Uses segment.py's helpers (input, build, load).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segment as common  # noqa: E402  (the shared measuring helpers)

NGINX_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def free_ports(count):
    """`count` TCP ports on 127.0.0.1 that are free now (bound and released)."""
    ports, socks = [], []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        ports.append(s.getsockname()[1])
        socks.append(s)
    for s in socks:
        s.close()
    return ports


def spawn(argv, log_path):
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, fd, 2)]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    finally:
        os.close(fd)


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
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


def children(pid):
    """The pids whose parent is `pid` (nginx's worker under its master)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def stop(pids, timeout=15):
    """SIGINT (twice: see live.py's stop_all), then SIGKILL after `timeout` s; returns exit codes."""
    for _ in range(2):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
    codes = {}
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending:
        for pid in list(pending):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes[pid] = os.waitstatus_to_exitcode(status)
                pending.discard(pid)
        if pending and time.monotonic() > deadline:
            for pid in pending:
                os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.05)
    return codes


# ---------------------------------------------------------------- receivers

def start_cuepoint(binary, count, work):
    port = free_ports(1)[0]
    pid = spawn([binary, "rtmp-sink", "--listen", f"127.0.0.1:{port}", "--timeout", "10s"],
                os.path.join(work, "cuepoint.log"))
    if not wait_for_port(port):
        sys.exit(f"rtmp.py: cuepoint rtmp-sink did not listen on {port}; see {work}/cuepoint.log")
    urls = [f"rtmp://127.0.0.1:{port}/live/key{i}" for i in range(count)]
    return [pid], urls


def start_ffmpeg(binary, count, work):
    ports = free_ports(count)
    pids, urls = [], []
    for i, port in enumerate(ports):
        url = f"rtmp://127.0.0.1:{port}/live/key{i}"
        pids.append(spawn([binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-listen", "1", "-i", url,
                           "-c", "copy", "-f", "null", "-"], os.path.join(work, f"ffmpeg-{i}.log")))
        urls.append(url)
    for port in ports:
        # FFmpeg's listener takes one connection: wait until the socket is bound, without connecting.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not listening(port):
            time.sleep(0.05)
    return pids, urls


def listening(port):
    with open("/proc/net/tcp") as f:
        next(f)
        return any(int(line.split()[1].split(":")[1], 16) == port and line.split()[3] == "0A" for line in f)


def start_nginx(count, work, hls):
    port = free_ports(1)[0]
    hls_lines = f"hls on; hls_path {work}/hls; hls_fragment 2s;" if hls else ""
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""load_module {NGINX_MODULE};
daemon off;
master_process on;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
rtmp {{
    server {{
        listen 127.0.0.1:{port};
        application live {{ live on; {hls_lines} }}
    }}
}}
""")
    # nginx's worker runs as `nobody`: it must reach and write the HLS folder.
    os.makedirs(os.path.join(work, "hls"), exist_ok=True)
    os.chmod(work, 0o755)
    os.chmod(os.path.join(work, "hls"), 0o777)
    pid = spawn([shutil.which("nginx"), "-c", conf, "-p", work, "-e", os.path.join(work, "nginx-error.log")],
                os.path.join(work, "nginx.log"))
    if not wait_for_port(port):
        sys.exit(f"rtmp.py: nginx did not listen on {port}; see {work}/nginx*.log")
    urls = [f"rtmp://127.0.0.1:{port}/live/key{i}" for i in range(count)]
    return [pid], urls


# ---------------------------------------------------------------- one trial

def trial(kind, args, source, work_root, label):
    work = tempfile.mkdtemp(prefix=f"{label}-", dir=work_root)
    if kind == "cuepoint":
        receivers, urls = start_cuepoint(args.cuepoint, args.streams, work)
    elif kind == "ffmpeg":
        receivers, urls = start_ffmpeg(args.ffmpeg, args.streams, work)
    else:
        receivers, urls = start_nginx(args.streams, work, args.nginx_hls)
    publishers = []
    for i, url in enumerate(urls):
        publishers.append(spawn([args.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                                 "-stream_loop", "-1", "-i", source, "-c", "copy", "-f", "flv", url],
                                os.path.join(work, f"publisher-{i}.log")))
        time.sleep(args.stagger)
    time.sleep(args.warmup)
    measured = receivers + [c for r in receivers for c in children(r)]
    cpu0 = sum(cpu_seconds(p) for p in measured)
    started = time.monotonic()
    time.sleep(args.seconds)
    elapsed = time.monotonic() - started
    cpu1 = sum(cpu_seconds(p) for p in measured)
    pss = sum(pss_kib(p) for p in measured)
    alive = sum(1 for p in publishers if os.waitpid(p, os.WNOHANG)[0] == 0)
    stop(publishers)
    codes = stop(receivers)
    received = None
    hls_segments = None
    if kind == "nginx" and args.nginx_hls:
        hls_segments = len([n for n in os.listdir(os.path.join(work, "hls")) if n.endswith(".ts")])
    if kind == "cuepoint":
        with open(os.path.join(work, "cuepoint.log"), errors="replace") as f:
            received = len(re.findall(r"^session live/key\d+ .*packets video h264 [1-9]", f.read(), re.MULTILINE))
    result = {
        "kind": kind,
        "cpu_percent_per_stream": 100.0 * (cpu1 - cpu0) / elapsed / args.streams,
        "pss_mb_per_stream": pss / 1024.0 / args.streams,
        "publishers_alive": alive,
        "receiver_exit": sorted(set(codes.values())),
        "sessions_demuxed": received,
        "hls_segments": hls_segments,
    }
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def describe(r):
    extra = f", {r['sessions_demuxed']} sessions demuxed" if r["sessions_demuxed"] is not None else ""
    if r["hls_segments"] is not None:
        extra += f", {r['hls_segments']} HLS segments on disk"
    return (f"{r['kind']:8s} CPU {r['cpu_percent_per_stream']:.3f} % of a core per stream, "
            f"PSS {r['pss_mb_per_stream']:.2f} MB per stream, {r['publishers_alive']} publishers alive{extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="the cuepoint binary (default: build it in release mode)")
    parser.add_argument("--ffmpeg", default="ffmpeg")
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="measured window per trial")
    parser.add_argument("--warmup", type=float, default=8, help="seconds after the last publisher started")
    parser.add_argument("--stagger", type=float, default=0.1, help="seconds between publisher starts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nginx-hls", action="store_true", help="nginx-rtmp also writes HLS (hls on)")
    parser.add_argument("--kinds", default="cuepoint,ffmpeg,nginx")
    parser.add_argument("--work", default="/tmp/cuepoint-bench")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=int, default=0, help="seconds to wait for a quiet machine")
    parser.add_argument("--keep", action="store_true", help="keep each trial's folder (logs, nginx HLS)")
    args = parser.parse_args()

    args.ffmpeg = common.resolve(args.ffmpeg)
    args.cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    kinds = [k for k in args.kinds.split(",") if k]
    if "nginx" in kinds and (not shutil.which("nginx") or not os.path.exists(NGINX_MODULE)):
        sys.exit("rtmp.py: nginx with libnginx-mod-rtmp is needed (scripts/setup.sh --test installs it)")
    os.makedirs(args.work, exist_ok=True)
    source = common.bench_input(args.work, 1)
    common.log(f"machine: {common.cpu_model()}, {os.cpu_count()} cores, {common.mem_total_mb()} MB")
    common.log(f"ffmpeg: {common.first_line([args.ffmpeg, '-version'])}")
    common.log(f"nginx: {common.first_line([shutil.which('nginx') or 'nginx', '-v'])}")
    load, _ = common.wait_for_quiet(args.max_load, args.max_wait)
    common.log(f"{args.streams} publishers of {source} (about 3 Mbit/s each), {args.seconds:.0f} s windows, "
               f"{args.rounds} rounds, receivers: {', '.join(kinds)}{' (nginx with HLS)' if args.nginx_hls else ''}")
    results = {k: [] for k in kinds}
    for round_index in range(args.rounds):
        order = kinds if round_index % 2 == 0 else list(reversed(kinds))
        for kind in order:
            r = trial(kind, args, source, args.work, f"rtmp-{kind}-{round_index}")
            results[kind].append(r)
            common.log(f"round {round_index + 1}: {describe(r)}; load {common.loadavg()[0]:.2f}")
    common.log("")
    common.log(f"medians over {args.rounds} rounds, {args.streams} streams (load at start {load[0]:.2f}):")
    medians = {}
    for kind in kinds:
        cpu = statistics.median(r["cpu_percent_per_stream"] for r in results[kind])
        pss = statistics.median(r["pss_mb_per_stream"] for r in results[kind])
        medians[kind] = (cpu, pss)
        common.log(f"  {kind:8s} CPU {cpu:.3f} % of a core per stream, PSS {pss:.2f} MB per stream")
    if "cuepoint" in medians:
        for other in kinds:
            if other != "cuepoint" and medians[other][0] > 0 and medians[other][1] > 0:
                common.log(f"  cuepoint / {other}: CPU {medians['cuepoint'][0] / medians[other][0]:.2f}x, "
                           f"PSS {medians['cuepoint'][1] / medians[other][1]:.2f}x")


if __name__ == "__main__":
    main()
