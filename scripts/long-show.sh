#!/usr/bin/env bash
# Long shows in minutes, the long form.
#
#   scripts/long-show.sh wrap [MINUTES]   a generated show of MINUTES of media (default 240) whose
#                                         33-bit timestamps wrap 10 minutes in, piped into
#                                         `cuepoint segment pipe:0` as fast as ffmpeg makes it, TS
#                                         and fMP4 output; and 10 minutes of it across the wrap as
#                                         a live UDP input in real time. Prints RSS and descriptors
#                                         against media time.
#   scripts/long-show.sh live [MINUTES]   a live show of MINUTES real minutes (default 60): UDP in
#                                         real time, a marker every minute over the marker API, the
#                                         server under steady client load; RSS and descriptors
#                                         sampled every 10 s must stay flat.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-wrap}
swift build --build-tests >&2
case "$mode" in
    wrap)
        export CUEPOINT_LONG_SHOW_MINUTES=${2:-240} CUEPOINT_LONG_SHOW_BEFORE_WRAP=600 CUEPOINT_LONG_SHOW_UDP_SECONDS=600
        filter='LongShowTests/wrapThrough'
        ;;
    live)
        export CUEPOINT_LIVE_SHOW_MINUTES=${2:-60}
        filter='LongShowTests/liveShow'
        ;;
    *) echo "usage: scripts/long-show.sh wrap|live [MINUTES]" >&2; exit 2 ;;
esac
swift test --skip-build --filter "$filter" 2>&1 | grep -E '^long show|✘|recorded an issue|Test run|passed|failed'
