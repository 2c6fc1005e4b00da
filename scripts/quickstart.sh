#!/usr/bin/env bash
# The quick start: install what is missing, build, segment the bundled sample media with
# Pipelines/remux.yaml, and serve the result on http://127.0.0.1:8080/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build --product cuepoint
cuepoint="$(swift build --product cuepoint --show-bin-path)/cuepoint"

"$cuepoint" run Pipelines/remux.yaml
echo
echo "The HLS output is in $(pwd)/out/remux/ (master.m3u8, source/index.m3u8, segments)."
echo "Play http://127.0.0.1:${PORT:-8080}/master.m3u8 with Safari, VLC, ffplay or any HLS player."
exec "$cuepoint" serve out/remux --listen "127.0.0.1:${PORT:-8080}"
