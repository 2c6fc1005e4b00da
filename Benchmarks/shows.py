#!/usr/bin/env python3
"""Show server cost: N concurrent ~3 Mbit/s RTMP shows in real time, four ways, in the same run.

The source is made once (SampleMedia/generate.sh --bench: ffmpeg testsrc2 + sine, libx264, about
3 Mbit/s) and each show's publisher is the `ffmpeg` program reading it in real time in a loop:
    ffmpeg -re -stream_loop -1 -i bench-1min.mp4 -c copy -f flv rtmp://…/live/KEY
into, one receiver kind at a time:

(a) cuepoint        one `cuepoint server --rtmp 127.0.0.1:PORT`, N shows created through
                    POST /v1/shows (documents without `input`), every publisher on the one
                    RTMP port, routed by stream key; each show records HLS (copy, 2 s segments);
(b) cuepoint-nginx  nginx with Debian's libnginx-mod-rtmp in front (`live on`, on_publish and
                    on_publish_done to the show server's hooks) and `cuepoint server` without
                    an RTMP port: each show pulls its stream from nginx in-process; CPU and memory
                    of both processes are counted;
(c) nginx-hls       nginx-rtmp alone with `hls on` (2 s fragments): nginx's own HLS;
(d) ffmpeg-hls      one `ffmpeg -listen 1 -i rtmp://127.0.0.1:PORTi/live/keyI -c copy -f hls` per
                    show (FFmpeg's RTMP server takes one connection per port).

After --warmup seconds the receivers' CPU time (utime + stime of every receiver process and
nginx's worker) is taken over --seconds, PSS (smaps_rollup) at the end of the window. Per show:
CPU in % of one core, PSS in MB. "sustained" counts the shows whose HLS output got a new
segment file during the window. Kinds alternate for --rounds rounds; medians are printed with
cuepoint's ratio to each of the others. Figures are printed, never asserted.

    python3 Benchmarks/shows.py --cuepoint .build-release/release/cuepoint --shows 20 --seconds 30

Python 3 standard library only; Linux. Reuses rtmp.py's and segment.py's helpers.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtmp  # noqa: E402  (process, port and /proc helpers)
import segment as common  # noqa: E402  (input, build, log)

TOKEN = "bench-admin-token-0123456789abcdef"
KINDS = ["cuepoint", "cuepoint-nginx", "nginx-hls", "ffmpeg-hls"]


def api(base, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=body.encode() if body else None,
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def start_show_server(binary, work, rtmp_port):
    http = rtmp.free_ports(1)[0]
    argv = [binary, "server", "--listen", f"127.0.0.1:{http}", "--data", os.path.join(work, "data")]
    if rtmp_port:
        argv += ["--rtmp", f"127.0.0.1:{rtmp_port}"]
    os.environ["CUEPOINT_ADMIN_TOKEN"] = TOKEN
    pid = rtmp.spawn(argv, os.path.join(work, "cuepoint.log"))
    if not rtmp.wait_for_port(http):
        sys.exit(f"shows.py: cuepoint server did not listen on {http}; see {work}/cuepoint.log")
    return pid, f"http://127.0.0.1:{http}"


def create_shows(base, count):
    keys = []
    for i in range(count):
        show = api(base, "POST", "/v1/shows", f"version: 1\nname: show-{i}\noutput:\n  segment: 2s\n")
        keys.append(show["stream_key"])
    return keys


def start_nginx(work, hls, hook_base=None):
    port = rtmp.free_ports(1)[0]
    lines = []
    if hls:
        lines.append(f"hls on; hls_path {work}/hls; hls_fragment 2s;")
    if hook_base:
        lines.append(f"on_publish {hook_base}/v1/hooks/nginx/on_publish?rtmp=127.0.0.1:{port};")
        lines.append(f"on_publish_done {hook_base}/v1/hooks/nginx/on_publish_done;")
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""load_module {rtmp.NGINX_MODULE};
daemon off;
master_process on;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
rtmp {{
    server {{
        listen 127.0.0.1:{port};
        application live {{ live on; {' '.join(lines)} }}
    }}
}}
""")
    os.makedirs(os.path.join(work, "hls"), exist_ok=True)
    os.chmod(work, 0o755)
    os.chmod(os.path.join(work, "hls"), 0o777)
    pid = rtmp.spawn([shutil.which("nginx"), "-c", conf, "-p", work, "-e", os.path.join(work, "nginx-error.log")],
                     os.path.join(work, "nginx.log"))
    if not rtmp.wait_for_port(port):
        sys.exit(f"shows.py: nginx did not listen on {port}; see {work}/nginx*.log")
    return pid, port


def start_ffmpeg_hls(binary, count, work):
    ports = rtmp.free_ports(count)
    pids, urls = [], []
    for i, port in enumerate(ports):
        url = f"rtmp://127.0.0.1:{port}/live/key{i}"
        out = os.path.join(work, f"hls-{i}")
        os.makedirs(out)
        pids.append(rtmp.spawn([binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-listen", "1", "-i", url,
                                "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_list_size", "6",
                                os.path.join(out, "index.m3u8")], os.path.join(work, f"ffmpeg-{i}.log")))
        urls.append(url)
    for port in ports:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not rtmp.listening(port):
            time.sleep(0.05)
    return pids, urls


def segment_files(root):
    """Every .ts / .m4s file under `root` with its modification time."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith((".ts", ".m4s")):
                path = os.path.join(folder, name)
                try:
                    found[path] = os.path.getmtime(path)
                except OSError:
                    pass
    return found


def show_of(kind, work, path):
    """Which show a segment file belongs to."""
    relative = os.path.relpath(path, work)
    if kind.startswith("cuepoint"):
        return relative.split(os.sep)[2]          # data/recordings/show-I/source/N.ts
    if kind == "nginx-hls":
        return os.path.basename(path).rsplit("-", 1)[0]   # hls/KEY-N.ts
    return relative.split(os.sep)[0]              # hls-I/indexN.ts


def smaps_summary(path):
    """PSS of a process by kind of mapping: its files (binary, libraries), the malloc heap,
    thread stacks (8 MB anonymous mappings), and other anonymous memory by mapping size."""
    groups = {}
    current = None
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 5 and "-" in fields[0] and ":" not in fields[0]:
                name = fields[5] if len(fields) > 5 else ""
                start, end = (int(x, 16) for x in fields[0].split("-"))
                size_kb = (end - start) // 1024
                if name.startswith("/"):
                    current = "files: " + os.path.basename(name)
                elif name:
                    current = name
                elif 8188 <= size_kb <= 8200:
                    current = "anonymous 8 MB (thread stacks)"
                elif size_kb >= 1024:
                    current = "anonymous >= 1 MB (malloc arenas, large buffers)"
                else:
                    current = "anonymous < 1 MB"
            elif fields and fields[0] == "Pss:" and current:
                count, kb = groups.get(current, (0, 0))
                groups[current] = (count + 1, kb + int(fields[1]))
    files = sum(kb for name, (_, kb) in groups.items() if name.startswith("files: "))
    lines = [f"    {'all mapped files':50} {files / 1024:8.1f} MB"]
    for name, (count, kb) in sorted(groups.items(), key=lambda item: -item[1][1]):
        if not name.startswith("files: ") or kb >= 2048:
            lines.append(f"    {name[:50]:50} {kb / 1024:8.1f} MB  ({count} mappings)")
    return "\n".join(lines)


def trial(kind, args, source, label):
    work = tempfile.mkdtemp(prefix=f"{label}-", dir=args.work)
    receivers, urls = [], []
    if kind == "cuepoint":
        port = rtmp.free_ports(1)[0]
        pid, base = start_show_server(args.cuepoint, work, port)
        receivers = [pid]
        urls = [f"rtmp://127.0.0.1:{port}/live/{key}" for key in create_shows(base, args.shows)]
    elif kind == "cuepoint-nginx":
        pid, base = start_show_server(args.cuepoint, work, None)
        nginx, port = start_nginx(work, hls=False, hook_base=base)
        receivers = [pid, nginx]
        urls = [f"rtmp://127.0.0.1:{port}/live/{key}" for key in create_shows(base, args.shows)]
    elif kind == "nginx-hls":
        nginx, port = start_nginx(work, hls=True)
        receivers = [nginx]
        urls = [f"rtmp://127.0.0.1:{port}/live/key{i}" for i in range(args.shows)]
    else:
        receivers, urls = start_ffmpeg_hls(args.ffmpeg, args.shows, work)
    publishers = []
    for i, url in enumerate(urls):
        publishers.append(rtmp.spawn([args.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                                      "-stream_loop", "-1", "-i", source, "-c", "copy", "-f", "flv", url],
                                     os.path.join(work, f"publisher-{i}.log")))
        time.sleep(args.stagger)
    time.sleep(args.warmup)
    measured = receivers + [c for r in receivers for c in rtmp.children(r)]
    cpu0 = sum(rtmp.cpu_seconds(p) for p in measured)
    started_wall = time.time()
    started = time.monotonic()
    time.sleep(args.seconds)
    elapsed = time.monotonic() - started
    cpu1 = sum(rtmp.cpu_seconds(p) for p in measured)
    pss = sum(rtmp.pss_kib(p) for p in measured)
    if args.smaps and kind == "cuepoint":
        os.makedirs(args.smaps, exist_ok=True)
        path = os.path.join(args.smaps, f"cuepoint-{args.shows}.smaps")
        shutil.copyfile(f"/proc/{receivers[0]}/smaps", path)
        common.log(f"  smaps of the cuepoint server with {args.shows} shows: {path}\n" + smaps_summary(path))
    fresh = {show_of(kind, work, path) for path, mtime in segment_files(work).items() if mtime >= started_wall}
    alive = sum(1 for p in publishers if os.waitpid(p, os.WNOHANG)[0] == 0)
    rtmp.stop(publishers)
    codes = rtmp.stop(receivers, timeout=60)
    result = {
        "kind": kind,
        "cpu_percent_per_show": 100.0 * (cpu1 - cpu0) / elapsed / args.shows,
        "pss_mb_per_show": pss / 1024.0 / args.shows,
        "sustained": len(fresh),
        "publishers_alive": alive,
        "receiver_exit": sorted(set(codes.values())),
    }
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def describe(r):
    return (f"{r['kind']:14s} sustained {r['sustained']}/{r['publishers_alive']} shows, CPU "
            f"{r['cpu_percent_per_show']:.3f} % of a core per show, PSS {r['pss_mb_per_show']:.2f} MB per show, "
            f"exit {r['receiver_exit']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuepoint", help="the cuepoint binary (default: build it in release mode)")
    parser.add_argument("--ffmpeg", default="ffmpeg")
    parser.add_argument("--shows", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="measured window per trial")
    parser.add_argument("--warmup", type=float, default=10, help="seconds after the last publisher started")
    parser.add_argument("--stagger", type=float, default=0.1, help="seconds between publisher starts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--work", default="/tmp/cuepoint-bench")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=int, default=0, help="seconds to wait for a quiet machine")
    parser.add_argument("--keep", action="store_true", help="keep each trial's folder")
    parser.add_argument("--smaps", metavar="DIR",
                        help="copy the cuepoint server's /proc/PID/smaps at the end of each window into DIR and "
                             "print its PSS by kind of mapping (run at two show counts to see what each show adds)")
    args = parser.parse_args()

    args.ffmpeg = common.resolve(args.ffmpeg)
    args.cuepoint = os.path.abspath(args.cuepoint) if args.cuepoint else common.build_release()
    kinds = [k for k in args.kinds.split(",") if k]
    if any("nginx" in k for k in kinds) and (not shutil.which("nginx") or not os.path.exists(rtmp.NGINX_MODULE)):
        sys.exit("shows.py: nginx with libnginx-mod-rtmp is needed (scripts/setup.sh --test installs it)")
    os.makedirs(args.work, exist_ok=True)
    source = common.bench_input(args.work, 1)
    common.log(f"machine: {common.cpu_model()}, {os.cpu_count()} cores, {common.mem_total_mb()} MB")
    common.log(f"ffmpeg: {common.first_line([args.ffmpeg, '-version'])}")
    load, _ = common.wait_for_quiet(args.max_load, args.max_wait)
    common.log(f"{args.shows} shows of {source} (about 3 Mbit/s each, real time), {args.seconds:.0f} s windows, "
               f"{args.rounds} rounds, receivers: {', '.join(kinds)}")
    results = {k: [] for k in kinds}
    for round_index in range(args.rounds):
        order = kinds if round_index % 2 == 0 else list(reversed(kinds))
        for kind in order:
            r = trial(kind, args, source, f"shows-{kind}-{round_index}")
            results[kind].append(r)
            common.log(f"round {round_index + 1}: {describe(r)}; load {common.loadavg()[0]:.2f}")
    common.log("")
    common.log(f"medians over {args.rounds} rounds, {args.shows} shows (load at start {load[0]:.2f}):")
    medians = {}
    for kind in kinds:
        cpu = statistics.median(r["cpu_percent_per_show"] for r in results[kind])
        pss = statistics.median(r["pss_mb_per_show"] for r in results[kind])
        sustained = statistics.median(r["sustained"] for r in results[kind])
        medians[kind] = (cpu, pss)
        common.log(f"  {kind:14s} sustained {sustained:.0f}/{args.shows}, CPU {cpu:.3f} % of a core per show, "
                   f"PSS {pss:.2f} MB per show")
    for mine in [k for k in kinds if k.startswith("cuepoint")]:
        for other in [k for k in kinds if not k.startswith("cuepoint")]:
            if medians[other][0] > 0 and medians[other][1] > 0:
                common.log(f"  {mine} / {other}: CPU {medians[mine][0] / medians[other][0]:.2f}x, "
                           f"PSS {medians[mine][1] / medians[other][1]:.2f}x")


if __name__ == "__main__":
    main()
