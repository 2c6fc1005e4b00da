#!/usr/bin/env bash
# The crash loop, long form: a live RTMP show (ffmpeg publishing in real time into `cuepoint run`
# with an RTMP listener and reconnect), markers posted over the marker API every few seconds, a
# follower reading the live playlist; cuepoint killed with SIGKILL KILLS times (seeded: random
# moments, and crash points at a segment commit, a playlist commit, a marker append and, last,
# the replay export) and restarted; the publisher killed at other moments. The checks are those
# of the suite's 5-kill form (Integration/Crash loop): acknowledged markers kept, published
# segments byte-identical, every playlist the follower saw valid, one discontinuity per gap,
# GStreamer plays the recording, the replay exports.
#
#   scripts/crash-loop.sh [KILLS] [SEED]     (default 24 kills, seed 16; an odd seed records TS, even fMP4)
set -euo pipefail
cd "$(dirname "$0")/.."
export CUEPOINT_CRASH_LOOP_KILLS=${1:-24}
export CUEPOINT_CRASH_LOOP_SEED=${2:-16}
swift build --build-tests >&2
swift test --skip-build --filter 'CrashLoopTests' 2>&1 | grep -E '^crash loop: |✘|recorded an issue|Test run|passed|failed'
