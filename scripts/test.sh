#!/usr/bin/env bash
# The test suite: install what is missing (FFmpeg's libraries and the independent clients
# the tests judge our output with: ffprobe, GStreamer), build, and run every test.
#
# The suite holds the quick forms of the reliability attacks (docs/reliability.md): a fixed set
# of hostile media, the 33-bit wrap, a 5-kill crash loop, a disk filling up under LL-HLS. After
# it, each libFuzzer harness runs briefly (scripts/fuzz.sh, CUEPOINT_FUZZ_SECONDS each, default
# 8; 0 leaves fuzzing out and says so). Arguments go to `swift test` (e.g. --filter); with
# arguments, fuzzing is left out unless CUEPOINT_FUZZ_SECONDS is set.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
swift build --build-tests
status=0
swift test --skip-build "$@" || status=$?

fuzz_seconds=${CUEPOINT_FUZZ_SECONDS:-}
[[ -z "$fuzz_seconds" && $# -eq 0 ]] && fuzz_seconds=8
if [[ -n "$fuzz_seconds" && "$fuzz_seconds" != 0 ]]; then
    scripts/fuzz.sh "$fuzz_seconds" || status=$?
else
    echo "test: fuzzing left out (CUEPOINT_FUZZ_SECONDS=${fuzz_seconds:-unset}, arguments: $*)" >&2
fi
exit $status
