#!/usr/bin/env bash
# Hostile media, the long form: N seeded mutations of the sample media (bit flips, truncations,
# duplicated and dropped packets, PID and timestamp corruption) through `cuepoint segment` as files
# (TS, MP4, FLV in; TS and fMP4 out), every sixth also through a live UDP or RTMP input. Every run
# must end without a crash or a hang, with valid playlists (our strict parser, ffprobe) or one
# clear error line. Prints one line per run and a tally; a failing case names its seed, and
#   scripts/hostile-media.sh 1 SEED
# runs it again. The suite runs a fixed set of cases (Integration/Hostile media).
#
#   scripts/hostile-media.sh [N] [SEED]     (default 120 cases from seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
export CUEPOINT_HOSTILE_CASES=${1:-120}
export CUEPOINT_HOSTILE_SEED=${2:-1}
swift build --build-tests >&2
swift test --skip-build --filter 'HostileMediaTests/longForm' 2>&1 | grep -E '^hostile: |✘|error|Test run' 
