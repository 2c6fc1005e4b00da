#!/usr/bin/env bash
# A live LL-HLS show on a slow disk: Tests/Support/slow_fs.py (FUSE, fusepy) delays every write,
# fsync and rename by DELAY_MS; `cuepoint segment pipe:0 --live --container fmp4 --segment 2s
# --part 0.5s --serve` records SECONDS of the sample fed in real time by the `ffmpeg` program,
# while this script fetches the LL-HLS playlist every 2 s and prints what it lists and how long
# the answer took. The job is stopped with SIGTERM after 2×SECONDS+60 s if the disk held it back.
# Afterwards: the exit, the job's messages and the final playlist's tail.
#
#   scripts/slow-disk.sh [DELAY_MS] [SECONDS]     (default 100 ms, 30 s; needs root and /dev/fuse)
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${1:-100}
seconds=${2:-30}
python3 -c "import fuse" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check fusepy
swift build --product cuepoint >&2
scratch=$(mktemp -d)
backing=$scratch/backing mount=$scratch/mount
mkdir -p "$backing" "$mount"
python3 Tests/Support/slow_fs.py "$backing" "$mount" "$delay" &
fs=$!
cleanup() { umount "$mount" 2>/dev/null || true; wait "$fs" 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT
for _ in $(seq 50); do mountpoint -q "$mount" && break; sleep 0.1; done

ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -t "$seconds" -i SampleMedia/sample.ts -c copy -f mpegts - \
    | timeout -s TERM $((2 * seconds + 60)) .build/debug/cuepoint segment pipe:0 --live --container fmp4 --segment 2s \
        --part 0.5s -o "$mount/show" --serve 127.0.0.1:0 --no-progress >"$scratch/job.out" 2>&1 &
job=$!
root=""
for _ in $(seq 100); do
    root=$(grep -o 'http://127.0.0.1:[0-9]*' "$scratch/job.out" | head -1 || true)
    [[ -n "$root" ]] && break
    sleep 0.1
done
started=$(date +%s)
while kill -0 "$job" 2>/dev/null; do
    line=$(curl -s -m 10 -o "$scratch/playlist" -w '%{http_code} %{time_total}' "$root/source/index.m3u8" || echo "no answer")
    echo "slow disk: t=$(( $(date +%s) - started )) s: HTTP ${line% *} in ${line#* } s," \
        "$(grep -c '^#EXTINF' "$scratch/playlist" 2>/dev/null || echo 0) segments," \
        "$(grep -c '^#EXT-X-PART:' "$scratch/playlist" 2>/dev/null || echo 0) parts listed"
    sleep 2
done
status=0
wait "$job" || status=$?
echo "slow disk: the job ended with exit $status after $(( $(date +%s) - started )) s (124: stopped by SIGTERM)"
grep -v '^serving' "$scratch/job.out" | sed 's/^/slow disk: job: /'
tail -3 "$mount/show/source/index.m3u8" | sed 's/^/slow disk: playlist: /'
