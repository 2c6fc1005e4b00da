#!/usr/bin/env bash
# The quick start: install what is missing, build, run the main job on the bundled sample
# media — Pipelines/shoppable-replay.yaml: segment SampleMedia/sample.mp4 into HLS with the
# product markers of SampleMedia/products.jsonl, then export the shoppable replay — and serve
# the replay on http://127.0.0.1:8080/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build --product cuepoint
cuepoint="$(swift build --product cuepoint --show-bin-path)/cuepoint"

# A second run replaces the recording; `replay: { force: true }` in the pipeline would replace
# the replay too, so an earlier one is moved aside here instead of being overwritten silently.
if [[ -e out/shoppable-replay ]]; then
    rm -rf out/shoppable-replay.previous
    mv out/shoppable-replay out/shoppable-replay.previous
fi
"$cuepoint" run Pipelines/shoppable-replay.yaml
port="${PORT:-8080}"
echo
echo "The recording (HLS with a date range per product) is in $(pwd)/out/shoppable/."
echo "The shoppable replay is in $(pwd)/out/shoppable-replay/:"
echo "  http://127.0.0.1:${port}/             the player: the video, the card of the product on screen, chapters, captions, products"
echo "  http://127.0.0.1:${port}/master.m3u8  VOD HLS with chapters (Safari, VLC, ffplay, any HLS player)"
echo "  http://127.0.0.1:${port}/replay.mp4   the whole show as one MP4 with chapters; clips/ and thumbnails/ per product"
exec "$cuepoint" serve out/shoppable-replay --listen "127.0.0.1:${port}"
